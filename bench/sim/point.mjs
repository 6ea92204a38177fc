// One point of `npm run bench:sim`, in its own process (so that its heap is measured alone and a
// large point cannot take the others down): builds the cluster's names and s_groups with
// bench/scale's layout, runs the simulation (libs/sim: the real runtime, policy, s_groups and
// registry over the simulated transport, in virtual time) and prints `RESULT {json}`.
//
//   node --expose-gc bench/sim/point.mjs variant=sgroups mode=replicated n=1024 [wave=256]
//        [latency=1] [jitter=1] [loss=0] [seed=1] [registrations=16] [heal=1]
import { runPoint } from '../../libs/sim/dist/index.js';
import { nodeNames, ringGroups } from '../scale/lib/layout.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const n = Number(args.n ?? 16);
const variant = args.variant === 'mesh' ? 'mesh' : 'sgroups';
const mode = args.mode === 'partitioned' ? 'partitioned' : 'replicated';
const all = nodeNames(n + 1);
const names = all.slice(0, n);
const link = {
  latencyMs: Number(args.latency ?? 1),
  jitterMs: Number(args.jitter ?? 1),
  lossRate: Number(args.loss ?? 0),
  seed: Number(args.seed ?? 1),
};

// Thousands of nodes dial group members that have not started yet (UnresolvableNodeError, retried
// each second by the policy): stack traces for those errors would cost more than the simulation.
Error.stackTraceLimit = 0;

const result = await runPoint({
  variant,
  mode,
  names,
  groups: variant === 'sgroups' ? ringGroups(names) : null,
  extraName: all[n],
  link,
  registrations: Number(args.registrations ?? 16),
  seed: Number(args.seed ?? 1),
  wave: Number(args.wave ?? (variant === 'mesh' ? 16 : 256)),
  skipHeal: args.heal === '0',
});
const memory = process.memoryUsage();
process.stdout.write(`RESULT ${JSON.stringify({ ...result, rssMB: Math.round(memory.rss / 2 ** 20), heapMB: Math.round(memory.heapUsed / 2 ** 20) })}\n`);
process.exit(0);
