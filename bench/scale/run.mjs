#!/usr/bin/env node
// `npm run bench:scale`: how sdnode's costs grow with the cluster, on one machine, with the
// harness's multi mode (many nodes per OS process, real ZeroMQ on loopback). Two parts, each
// point a fresh program (bench/scale/*-point.mjs) so that nothing leaks from one into the next:
//
// 1. footprint: memory per node and start-up time per node, one node per process (local mode)
//    against many nodes per process (multi mode), idle and connected;
// 2. DE-Bench-style: a fixed mix of operations on every node (spawn, rpc, send; registry
//    register/whereis/unregister at 1 %), total throughput, connections per node and control
//    frames per operation as the cluster grows, free nodes (full mesh, global scope) against
//    s_groups (groups of 8 with gateways, group scopes);
// 3. Orbit (RELEASE): the orbit of a vertex under generator functions, its table spread over
//    worker processes on every node; full mesh against SD-Orbit (worker groups with sub-masters
//    as gateways): time, messages and connections as the cluster grows;
// 4. registry: a registration-only workload on every free node, the global scope replicated
//    against partitioned (owner + replicas): registry frames, bytes and CPU per registration and
//    registrations per second as the cluster grows.
//
// Prints a table (or JSON lines with --json) on stdout, progress on stderr, and writes the JSON
// lines, the table, the machine and SVG plots into a results folder. See docs/scale.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProgram } from '../lib/children.mjs';
import { linePlot } from './lib/svg.mjs';
import { orbitPlots, orbitTable } from './lib/orbit-report.mjs';
import { registryNotes, registryPlots, registryTable } from './lib/registry-report.mjs';
import { describeMachine, timestampedResults } from '../lib/machine.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const OPEN_FILES = 65536;

const HELP = `usage: node bench/scale/run.mjs [options]   (npm run bench:scale -- [options])
  --quick               sizes 8,16,32 (registry 8,16), 1.5 s windows, a small footprint part (1-2 minutes)
  --json                JSON lines on stdout instead of the table
  --sizes 8,16,32,...   cluster sizes of the DE-Bench part (default 8,16,32,64,128)
  --variants free,sgroups
  --duration MS         measured window per point (default 8000; --quick 1500, registry 1000)
  --warmup MS           before the window (default 2000; --quick 500, registry 300)
  --concurrency N       worker processes per node running the mix (default 8)
  --processes N         worker processes per cluster (default 2, one per CPU here; more when the
                        open-file limit asks: npm run bench:scale raises it with ulimit -n where allowed)
  --no-placement        nodes without placement (sdnode start runs it; its reports are control traffic)
  --no-footprint        skip the footprint part
  --only-footprint      only the footprint part
  --only-registry       only the registry part
  --no-debench          skip the DE-Bench part
  --no-orbit            skip the Orbit part
  --orbit-sizes 8,16,.. cluster sizes of the Orbit part (default: --sizes)
  --space N             Orbit: vertices in the space (default 200000; --quick 50000)
  --orbit-workers N     Orbit: worker processes per node (default 2)
  --no-registry         skip the registry part
  --registry-sizes 8,.. cluster sizes of the registry part (default: --sizes; --quick 8,16)
  --registry-modes replicated,partitioned
  --replicas N          registry, partitioned mode: holders of a name besides its owner (default 2)
  --registry-concurrency N  registry: registration loops per node (default 4)
  --registry-connect    registry: before measuring, the driver asks nodes to connect the pairs of
                        the mesh still missing (default: a cluster that did not form is reported as stopped)
  --out DIR             results folder (default bench/scale/results/<date-time>)`;

function parseArgs(argv) {
  const a = { quick: false, json: false, footprint: true, debench: true, orbit: true, registry: true, placement: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      return v;
    };
    if (k === '--help' || k === '-h') {
      process.stdout.write(`${HELP}\n`);
      process.exit(0);
    } else if (k === '--quick') a.quick = true;
    else if (k === '--json') a.json = true;
    else if (k === '--sizes') a.sizes = next().split(',').map(Number);
    else if (k === '--variants') a.variants = next().split(',');
    else if (k === '--duration') a.duration = Number(next());
    else if (k === '--warmup') a.warmup = Number(next());
    else if (k === '--concurrency') a.concurrency = Number(next());
    else if (k === '--processes') a.processes = Number(next());
    else if (k === '--no-placement') a.placement = false;
    else if (k === '--no-footprint') a.footprint = false;
    else if (k === '--only-footprint') {
      a.debench = false;
      a.orbit = false;
      a.registry = false;
    } else if (k === '--only-registry') {
      a.footprint = false;
      a.debench = false;
      a.orbit = false;
    } else if (k === '--no-debench') a.debench = false;
    else if (k === '--no-orbit') a.orbit = false;
    else if (k === '--orbit-sizes') a.orbitSizes = next().split(',').map(Number);
    else if (k === '--space') a.space = Number(next());
    else if (k === '--orbit-workers') a.orbitWorkers = Number(next());
    else if (k === '--no-registry') a.registry = false;
    else if (k === '--registry-sizes') a.registrySizes = next().split(',').map(Number);
    else if (k === '--registry-modes') a.registryModes = next().split(',');
    else if (k === '--replicas') a.replicas = Number(next());
    else if (k === '--registry-concurrency') a.registryConcurrency = Number(next());
    else if (k === '--registry-connect') a.registryConnect = true;
    else if (k === '--out') a.out = next();
    else throw new Error(`unknown option ${k} (--help lists them)`);
  }
  a.sizes ??= a.quick ? [8, 16, 32] : [8, 16, 32, 64, 128];
  a.variants ??= ['free', 'sgroups'];
  // The registry part's points are short even so (a quick run stays about a minute).
  a.registryDuration = a.duration ?? (a.quick ? 1000 : 8000);
  a.registryWarmup = a.warmup ?? (a.quick ? 300 : 2000);
  a.duration ??= a.quick ? 1500 : 8000;
  a.warmup ??= a.quick ? 500 : 2000;
  a.concurrency ??= 8;
  a.processes ??= 2;
  a.orbitSizes ??= a.sizes;
  a.space ??= a.quick ? 50_000 : 200_000;
  a.orbitWorkers ??= 2;
  a.registrySizes ??= a.quick ? a.sizes.filter((n) => n <= 16) : a.sizes;
  a.registryModes ??= ['replicated', 'partitioned'];
  a.replicas ??= 2;
  a.registryConcurrency ??= 4;
  for (const n of a.registrySizes) if (!Number.isInteger(n) || n < 2) throw new Error(`--registry-sizes: ${n} is not a size`);
  for (const m of a.registryModes) if (!['replicated', 'partitioned'].includes(m)) throw new Error(`--registry-modes: ${m} (replicated, partitioned)`);
  if (!Number.isInteger(a.replicas) || a.replicas < 0 || a.replicas > 16) throw new Error(`--replicas: ${a.replicas} (0 to 16)`);
  for (const n of a.orbitSizes) if (!Number.isInteger(n) || n < 2) throw new Error(`--orbit-sizes: ${n} is not a size`);
  if (!Number.isInteger(a.space) || a.space < 2) throw new Error(`--space: ${a.space} is not a number of vertices`);
  for (const n of a.sizes) if (!Number.isInteger(n) || n < 2) throw new Error(`--sizes: ${n} is not a size`);
  for (const v of a.variants) if (!['free', 'sgroups'].includes(v)) throw new Error(`--variants: ${v} (free, sgroups)`);
  return a;
}

/** The footprint points: [mode, n, shape]. */
function footprintPlan(quick) {
  if (quick) return [['local', 8, 'idle'], ['multi', 64, 'idle']];
  return [
    ['local', 32, 'idle'],
    ['multi', 32, 'idle'],
    ['multi', 256, 'idle'],
    ['local', 16, 'mesh'],
    ['multi', 16, 'mesh'],
    ['multi', 256, 'sgroups'],
  ];
}

const log = (line) => process.stderr.write(`${line}\n`);
const fixed = (v, d = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));
const big = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v >= 1e4 ? `${(v / 1e3).toFixed(1)} k` : v.toFixed(0));

async function point(script, args, timeoutMs) {
  const started = performance.now();
  try {
    // Through sh, to raise the open-file limit first where that is allowed (a full mesh of 128
    // nodes in two processes holds about 40 k descriptors in each); elsewhere the point uses
    // more processes (lib/limits.mjs).
    const raise = `ulimit -n ${OPEN_FILES} 2>/dev/null; exec "$0" "$@"`;
    const results = await runProgram('sh', ['-c', raise, process.execPath, join(HERE, script), ...args], { timeoutMs, label: `${script} ${args.join(' ')}` });
    if (results.length === 0) throw new Error('no RESULT line');
    // load1: the machine's 1-minute load average when the point ended (others' work included)
    return { ...results[0], wallSeconds: (performance.now() - started) / 1000, load1: Number(loadavg()[0].toFixed(1)) }; // may carry `error`: the point could not be measured
  } catch (error) {
    return { error: error.message, wallSeconds: (performance.now() - started) / 1000, load1: Number(loadavg()[0].toFixed(1)) };
  }
}

function table(head, rows, align) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (align[i] === 'l' ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function footprintTable(rows) {
  const head = ['mode', 'shape', 'nodes', 'processes', 'start s', 'start ms/node', 'PSS MB', 'PSS MB/node', 'RSS MB/node', 'conn/node', 'load'];
  return table(
    head,
    rows.map((r) =>
      r.error
        ? [r.mode, r.shape, r.n, 'error', '', '', '', '', '', r.error.slice(0, 60)]
        : [r.mode, r.shape, r.n, r.processes, fixed(r.startSeconds), fixed(r.startMsPerNode, 0), fixed(r.pssMB, 0), fixed(r.pssMBPerNode, 2), fixed(r.rssMBPerNode, 2), fixed(r.connectionsPerNode, 1), fixed(r.load1, 1)],
    ),
    ['l', 'l'],
  );
}

function perOp(r, channel) {
  return r.controlByChannel?.[channel] !== undefined ? r.controlByChannel[channel] / r.ops : 0;
}

function debenchTable(rows) {
  const head = ['variant', 'nodes', 'procs', 'start s', 'idle CPU', 'ops/s', 'conn/node', 'max conn', 'ctrl fr/op', 'ctrl fr/s/node', 'registry', 'placement', 'sgroups', 'gossip', 'reg fr/reg op', 'frames/op', 'errors', 'load'];
  return table(
    head,
    rows.map((r) =>
      r.error || r.stopped
        ? [r.variant, r.size, r.processes ?? '', '', '', r.error ? 'error' : 'stopped', '', '', '', '', '', '', '', '', '', '', (r.error ?? r.stopped).slice(0, 110)]
        : [
            r.variant,
            r.size,
            r.processes,
            fixed(r.startSeconds),
            `${fixed(r.idleCpuPercent, 0)}%`,
            big(r.throughput),
            fixed(r.connectionsPerNode, 1),
            r.maxConnections,
            fixed(r.controlFramesPerOp, 3),
            fixed(r.controlFramesPerSecond / r.size, 1),
            fixed(perOp(r, 'sdnode.registry'), 3),
            fixed(perOp(r, 'sdnode.placement'), 3),
            fixed(perOp(r, 'sdnode.sgroups'), 3),
            fixed(r.gossipFrames / r.ops, 3),
            fixed(r.registryFramesPerRegistryOp, 1),
            fixed(r.framesPerOp, 2),
            Object.values(r.errors ?? {}).reduce((a, b) => a + b, 0),
            fixed(r.load1, 1),
          ],
    ),
    ['l'],
  );
}

function plots(rows, variants, machine) {
  const note = `${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGB} GB; multi mode; ${machine.date}`;
  const series = (pick, names = { free: 'free nodes (full mesh)', sgroups: 's_groups of 8' }) =>
    variants.map((v) => ({ name: names[v], points: rows.filter((r) => r.variant === v).map((r) => [r.size, r.error || r.stopped ? null : pick(r)]) }));
  const sizes = [...new Set(rows.map((r) => r.size))];
  return {
    'throughput.svg': linePlot({ title: 'DE-Bench mix: total throughput', xLabel: 'cluster size (nodes)', yLabel: 'operations per second', series: series((r) => r.throughput), note }),
    'connections.svg': linePlot({
      title: 'Connections per node',
      xLabel: 'cluster size (nodes)',
      yLabel: 'connections per node (mean)',
      series: [...series((r) => r.connectionsPerNode), { name: 'full mesh (n - 1)', dashed: true, points: sizes.map((n) => [n, n - 1]) }],
      note,
    }),
    'control.svg': linePlot({ title: 'Control traffic per operation', xLabel: 'cluster size (nodes)', yLabel: 'control frames received per operation', series: series((r) => r.controlFramesPerOp), note }),
    'control-per-node.svg': linePlot({
      title: 'Control traffic per node',
      xLabel: 'cluster size (nodes)',
      yLabel: 'control frames received per node per second',
      series: series((r) => r.controlFramesPerSecond / r.size),
      note,
    }),
    'idle-cpu.svg': linePlot({
      title: 'CPU of the idle cluster (ticks, placement, registry upkeep)',
      xLabel: 'cluster size (nodes)',
      yLabel: '% of one core, all worker processes',
      series: series((r) => r.idleCpuPercent),
      note,
    }),
    'registry.svg': linePlot({
      title: 'Registry frames per registry operation',
      xLabel: 'cluster size (nodes)',
      yLabel: 'registry frames per register/whereis/unregister',
      series: series((r) => r.registryFramesPerRegistryOp),
      note,
    }),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const machine = describeMachine();
  const out = args.out ?? timestampedResults(HERE);
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  log(`bench:scale (${args.quick ? 'quick' : 'full'}) on ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGB} GB, node ${machine.node}; results in ${out}`);

  const footprint = [];
  if (args.footprint) {
    for (const [mode, n, shape] of footprintPlan(args.quick)) {
      log(`footprint: ${mode} ${shape} ${n} nodes ...`);
      const r = await point('footprint-point.mjs', [`mode=${mode}`, `n=${n}`, `shape=${shape}`, `settle=${args.quick ? 500 : 3000}`], 300_000);
      footprint.push({ kind: 'footprint', mode, shape, n, ...r });
      log(r.error ? `  failed: ${r.error}` : `  ${r.processes} processes, start ${r.startMsPerNode.toFixed(0)} ms/node, ${r.pssMBPerNode.toFixed(2)} MB/node (PSS) (${r.wallSeconds.toFixed(0)} s)`);
    }
  }

  const debench = [];
  if (args.debench) {
    for (const variant of args.variants) {
      for (const size of args.sizes) {
        log(`debench: ${variant} ${size} nodes ...`);
        const r = await point(
          'debench-point.mjs',
          [`variant=${variant}`, `size=${size}`, `duration=${args.duration}`, `warmup=${args.warmup}`, `concurrency=${args.concurrency}`, `processes=${args.processes}`, `placement=${args.placement ? 'on' : 'off'}`, `idle=${args.quick ? 500 : 3000}`],
          360_000,
        );
        debench.push({ kind: 'debench', variant, size, ...r });
        log(
          r.error || r.stopped
            ? `  ${r.error ? `failed: ${r.error}` : `stopped: ${r.stopped}`}`
            : `  ${big(r.throughput)} ops/s, ${r.connectionsPerNode.toFixed(1)} connections/node, ${r.controlFramesPerOp.toFixed(3)} control frames/op (${r.wallSeconds.toFixed(0)} s)`,
        );
      }
    }
  }

  const orbit = [];
  if (args.orbit) {
    for (const variant of args.variants) {
      for (const size of args.orbitSizes) {
        log(`orbit: ${variant} ${size} nodes ...`);
        const r = await point('orbit-point.mjs', [`variant=${variant}`, `size=${size}`, `space=${args.space}`, `workers=${args.orbitWorkers}`, `processes=${args.processes}`], 600_000);
        orbit.push({ kind: 'orbit', variant, size, ...r });
        log(
          r.error || r.stopped
            ? `  ${r.error ? `failed: ${r.error}` : `stopped: ${r.stopped}`}`
            : `  ${r.seconds.toFixed(2)} s, ${big(r.verticesPerSecond)} vertices/s, ${(r.batches / r.orbitSize).toFixed(2)} messages/vertex, ${r.connectionsPerNode.toFixed(1)} connections/node, ${r.correct ? 'correct' : 'WRONG SIZE'} (${r.wallSeconds.toFixed(0)} s)`,
        );
      }
    }
  }

  const registry = [];
  if (args.registry) {
    for (const mode of args.registryModes) {
      for (const size of args.registrySizes) {
        log(`registry: ${mode} ${size} nodes ...`);
        const r = await point(
          'registry-point.mjs',
          [`mode=${mode}`, `size=${size}`, `duration=${args.registryDuration}`, `warmup=${args.registryWarmup}`, `concurrency=${args.registryConcurrency}`, `replicas=${args.replicas}`, `processes=${args.processes}`, `idle=${args.quick ? 300 : 2000}`, `connect=${args.registryConnect ? 'on' : 'off'}`],
          360_000,
        );
        registry.push({ kind: 'registry', mode, size, ...r });
        log(
          r.error || r.stopped
            ? `  ${r.error ? `failed: ${r.error}` : `stopped: ${r.stopped}`}`
            : `  ${big(r.registrationsPerSecond)} registrations/s, ${fixed(r.registryFramesPerRegistration, 2)} registry frames/registration, ${fixed(r.cpuMsPerRegistration, 2)} CPU ms/registration, ${fixed(r.connectionsPerNode, 1)} connections/node, ${r.errorCount} errors (${r.wallSeconds.toFixed(0)} s)`,
        );
      }
    }
  }

  const rows = [...footprint, ...debench, ...orbit, ...registry].map((r) => ({ ...r, machine: undefined }));
  const jsonl = rows.map((r) => JSON.stringify(r)).join('\n');
  const seconds = (performance.now() - started) / 1000;
  const header = `sdnode bench:scale (${args.quick ? 'quick' : 'full'} run, ${seconds.toFixed(0)} s) - ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGB} GB, Linux ${machine.kernel}, node ${machine.node}, ${machine.date} UTC, load average before ${machine.loadAverageBefore[0]}`;
  const loadNote = 'load: the 1-minute load average as the point ended (2 CPUs; above ~3, other work shared them)';
  const settings = `DE-Bench: ${args.duration / 1000} s window after ${args.warmup / 1000} s warm-up, ${args.concurrency} workers per node, tick time 60 s, idle CPU over ${args.quick ? 0.5 : 3} s before, ${args.processes} worker processes (more if the open-file limit asks), placement ${args.placement ? 'on' : 'off'}; frames are those received by every node in the window`;
  let text = `\n${header}\n`;
  if (footprint.length > 0) text += `\nFootprint (memory after ${args.quick ? 0.5 : 3} s idle; start: Cluster.start until meshed, per node; ${loadNote})\n\n${footprintTable(footprint)}\n`;
  if (debench.length > 0) text += `\nDE-Bench mix (${settings})\n\n${debenchTable(debench)}\n`;
  if (orbit.length > 0) text += `\nOrbit (vertex 1 in ${args.space} vertices, 3 generators, ${args.orbitWorkers} workers per node; orbit s: seed to completion by four-counter termination; batches: distribution messages, routed hops included)\n\n${orbitTable(orbit, table)}\n`;
  if (registry.length > 0) {
    const notes = registryNotes(registry);
    text += `\nRegistry (registration only, global scope of free nodes: every node ${args.registryConcurrency} loops, each registering a fresh name for one of its 4 live processes and unregistering that process's previous name; ${args.registryDuration / 1000} s window after ${args.registryWarmup / 1000} s warm-up; partitioned: owner + ${args.replicas} replicas; placement off;${args.registryConnect ? ' missing mesh connections asked for by the driver before measuring;' : ''} per registration: a register and its unregister; reg fr: registry frames received by all nodes; bytes: every byte received; CPU: all worker processes over the window, net: less the idle cluster's; view: members of the global view per node; settle s: until every view was stable and complete, ! when it was not)\n\n${registryTable(registry, table)}\n${notes.length > 0 ? `\nWhat the measured registry points lacked:\n${notes.join('\n')}\n` : ''}`;
  }
  const failed = rows.filter((r) => r.error || (r.kind === 'orbit' && r.correct === false));
  const stopped = rows.filter((r) => r.stopped);
  if (stopped.length > 0) text += `\nWhere a cluster stopped growing (a result, not a failure of the benchmark):\n${stopped.map((r) => `  ${r.kind} ${r.variant ?? r.mode} ${r.size}: ${r.stopped}${r.meshMissing ? ` (${r.meshMissing} mesh connections missing when it began)` : ''}`).join('\n')}\n`;
  if (failed.length > 0) text += `\nFailures:\n${failed.map((r) => `  ${r.kind} ${r.mode ?? r.variant} ${r.n ?? r.size}: ${r.error ?? `orbit of ${r.orbitSize} vertices, expected ${r.expectedOrbitSize}`}`).join('\n')}\n`;

  writeFileSync(join(out, 'results.jsonl'), `${jsonl}\n`);
  writeFileSync(join(out, 'table.txt'), `${text.trim()}\n`);
  writeFileSync(join(out, 'machine.json'), `${JSON.stringify({ ...machine, loadAverageAfter: loadavg().map((x) => Number(x.toFixed(2))), seconds: Math.round(seconds), settings: { ...args, out: undefined } }, null, 2)}\n`);
  if (debench.length > 0) for (const [file, svg] of Object.entries(plots(debench, args.variants, machine))) writeFileSync(join(out, file), svg);
  const note = `${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGB} GB; multi mode; ${machine.date}`;
  if (orbit.length > 0) for (const [file, svg] of Object.entries(orbitPlots(orbit, args.variants, note))) writeFileSync(join(out, file), svg);
  if (registry.length > 0) for (const [file, svg] of Object.entries(registryPlots(registry, args.registryModes, note))) writeFileSync(join(out, file), svg);

  if (args.json) process.stdout.write(`${jsonl}\n`);
  else process.stdout.write(`${text}\nwritten: ${out}/{results.jsonl,table.txt,machine.json${debench.length > 0 ? ',throughput.svg,connections.svg,control.svg,control-per-node.svg,idle-cpu.svg,registry.svg' : ''}${orbit.length > 0 ? ',orbit-time.svg,orbit-messages.svg,orbit-connections.svg' : ''}${registry.length > 0 ? ',registry-cost.svg' : ''}}\n\n`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(2);
});
