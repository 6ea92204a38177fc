// `npm run bench:sim`: beyond one machine, by simulation. Runs the real connection policy,
// s_group membership protocol and registry (libs/sim: core's Node over a simulated transport, in
// virtual time) for full mesh vs s_groups and replicated vs partitioned registry scopes, growing
// the cluster, one point per process (bench/sim/point.mjs). Writes JSON lines, a table, the
// machine and SVG plots into a results folder. See docs/scale.md, "Beyond one machine: simulation".
//
//   node bench/sim/run.mjs [--quick] [--sizes-mesh 8,16,32,64] [--sizes-sgroups 16,...,4096,10000]
//        [--modes replicated,partitioned] [--latency 1] [--jitter 1] [--loss 0] [--seed 1]
//        [--out DIR] [--json] [--timeout-min 40]
import { mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProgram } from '../lib/children.mjs';
import { plots, summarise, table } from './lib/report.mjs';
import { describeMachine, timestampedResults } from '../lib/machine.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));

function parseArgs(argv) {
  const args = {
    quick: false,
    json: false,
    out: null,
    meshSizes: [8, 16, 32, 64],
    sgroupSizes: [16, 64, 256, 1024, 4096, 10000],
    modes: ['replicated', 'partitioned'],
    latency: 1,
    jitter: 1,
    loss: 0,
    seed: 1,
    timeoutMin: 40,
  };
  const list = (v) => v.split(',').map((x) => Number(x.trim())).filter((x) => x > 0);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--quick') args.quick = true;
    else if (a === '--json') args.json = true;
    else if (a === '--out') args.out = next();
    else if (a === '--sizes-mesh') args.meshSizes = list(next());
    else if (a === '--sizes-sgroups') args.sgroupSizes = list(next());
    else if (a === '--modes') args.modes = next().split(',');
    else if (a === '--latency') args.latency = Number(next());
    else if (a === '--jitter') args.jitter = Number(next());
    else if (a === '--loss') args.loss = Number(next());
    else if (a === '--seed') args.seed = Number(next());
    else if (a === '--timeout-min') args.timeoutMin = Number(next());
    else throw new Error(`unknown option ${a}`);
  }
  if (args.quick) {
    args.meshSizes = args.meshSizes.filter((n) => n <= 16);
    args.sgroupSizes = args.sgroupSizes.filter((n) => n <= 256);
  }
  return args;
}

const log = (msg) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);

async function runPointProcess(args, variant, mode, n) {
  // Heap for the largest points: a simulated node costs about 50-100 KB (s_groups protocol version 4; version 3 grew to ~500 KB at 10,000 nodes).
  const heapMB = Math.min(Math.floor((totalmem() / 2 ** 20) * 0.75), Math.max(2048, n * 2));
  const argv = [
    '--expose-gc',
    `--max-old-space-size=${heapMB}`,
    join(HERE, 'point.mjs'),
    `variant=${variant}`,
    `mode=${mode}`,
    `n=${n}`,
    `latency=${args.latency}`,
    `jitter=${args.jitter}`,
    `loss=${args.loss}`,
    `seed=${args.seed}`,
  ];
  const [result] = await runProgram(process.execPath, argv, { timeoutMs: args.timeoutMin * 60_000, label: `${variant} ${mode} n=${n}` });
  return result;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const machine = describeMachine();
  const out = args.out ?? timestampedResults(HERE);
  mkdirSync(out, { recursive: true });
  const jsonl = join(out, 'results.jsonl');
  writeFileSync(jsonl, '');
  const started = performance.now();
  log(`bench:sim on ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGB} GB, node ${machine.node}; results in ${out}`);
  const points = [];
  for (const mode of args.modes) {
    for (const n of args.meshSizes) points.push(['mesh', mode, n]);
    for (const n of args.sgroupSizes) points.push(['sgroups', mode, n]);
  }
  const rows = [];
  const failures = [];
  for (const [variant, mode, n] of points) {
    try {
      const result = await runPointProcess(args, variant, mode, n);
      const row = { ...summarise(result), load1: Number(loadavg()[0].toFixed(1)) };
      rows.push(row);
      appendFileSync(jsonl, `${JSON.stringify({ ...row, link: result.link, detail: result })}\n`);
      log(`${variant} ${mode} n=${n}: ${row.connMean.toFixed(1)} conn/node, ${row.regMsgs?.toFixed(1)} msgs/reg, ${row.changeMsgs} msgs/change, heal ${row.healMs?.toFixed(0)} ms, ${row.wallS.toFixed(0)} s`);
    } catch (error) {
      failures.push({ variant, mode, n, error: error.message });
      appendFileSync(jsonl, `${JSON.stringify({ variant, mode, nodes: n, error: error.message })}\n`);
      log(`${variant} ${mode} n=${n}: FAILED ${error.message}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const header = `sdnode bench:sim (${seconds.toFixed(0)} s) - ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGB} GB, Linux ${machine.kernel}, node ${machine.node}, ${machine.date} UTC; link latency ${args.latency} ms + jitter ${args.jitter} ms, loss ${args.loss}, seed ${args.seed}`;
  const text = `${header}\n\n${table(rows)}\n${failures.map((f) => `\nfailed: ${f.variant} ${f.mode} n=${f.n}: ${f.error}`).join('')}\n`;
  writeFileSync(join(out, 'table.txt'), text);
  writeFileSync(join(out, 'machine.json'), `${JSON.stringify({ ...machine, loadAverageAfter: loadavg().map((x) => Number(x.toFixed(2))), seconds: Math.round(seconds), settings: { ...args, out: undefined } }, null, 2)}\n`);
  const note = `simulated (virtual time, latency ${args.latency}+${args.jitter} ms); ${machine.date}`;
  for (const [file, svg] of Object.entries(plots(rows, note))) writeFileSync(join(out, file), svg);
  if (args.json) for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
  else process.stdout.write(`${text}\nwritten: ${out}/{results.jsonl,table.txt,machine.json,*.svg}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
