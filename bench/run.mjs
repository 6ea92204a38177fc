#!/usr/bin/env node
// sdnode benchmark runner: runs every selected scenario as its own program (a fresh process, so
// heaps and sockets never leak from one scenario into the next), the sdnode side and, when `erl`
// is installed, the same scenario on Erlang/OTP; then prints a table or JSON lines.
// `npm run bench`, `npm run bench -- --json`, `node bench/run.mjs --quick --only remote`.
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs, USAGE } from './lib/args.mjs';
import { SCENARIOS, erlangPeers, metricsOf } from './lib/catalog.mjs';
import { detectErlang, runErlangScenario } from './lib/erlang.mjs';
import { runProgram } from './lib/children.mjs';
import { buildRows, printJson, printTable } from './lib/report.mjs';
import { mergeRuns } from './lib/stats.mjs';

const SCENARIO_TIMEOUT_MS = 120_000;

function log(text) {
  process.stderr.write(`${text}\n`);
}

function selected(opts) {
  if (!opts.only) return SCENARIOS;
  return SCENARIOS.filter((s) => opts.only.test(s.id) || metricsOf(s.id).some((m) => opts.only.test(m)));
}

async function timed(label, fn) {
  const t0 = performance.now();
  try {
    const results = await fn();
    log(`  ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return { results };
  } catch (err) {
    log(`  ${label}: FAILED after ${((performance.now() - t0) / 1000).toFixed(1)} s: ${err.message}`);
    return { error: err.message };
  }
}

/**
 * Run each side `times` times (at most `caps[side]` times), alternating sdnode and Erlang so both
 * see the same machine load; a side that fails once is not run again and reports the error.
 */
async function repeated(sides, times, caps = {}) {
  const runs = Object.fromEntries(Object.keys(sides).map((side) => [side, []]));
  const outcome = {};
  for (let i = 0; i < times; i++) {
    for (const [side, run] of Object.entries(sides)) {
      if (outcome[side]?.error || i >= (caps[side] ?? times)) continue;
      const result = await timed(`${side}${times > 1 ? ` #${i + 1}` : ''}`, run);
      if (result.error) outcome[side] = result;
      else runs[side].push(result.results);
    }
  }
  for (const side of Object.keys(sides)) if (!outcome[side]) outcome[side] = { results: mergeRuns(runs[side]) };
  return outcome;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    log(err.message);
    process.exit(2);
  }
  if (opts.help) {
    log(USAGE);
    return;
  }
  const scenarios = selected(opts);
  if (scenarios.length === 0) {
    log(`no scenario matches ${opts.only}`);
    process.exit(2);
  }
  const erlang = opts.erlang && scenarios.some((s) => s.erlang) ? detectErlang() : { available: false, reason: 'not requested' };
  const erlangText = erlang.available ? `Erlang/OTP ${erlang.release}` : `no Erlang column (${erlang.reason})`;
  log(`sdnode bench: ${scenarios.map((s) => s.id).join(', ')}; ${erlangText}`);

  process.once('SIGINT', () => {
    if (erlang.available) erlang.cleanup();
    process.exit(130);
  });
  const outcomes = new Map();
  const started = performance.now();
  try {
    for (const s of scenarios) {
      const n = opts.quick ? s.n.quick : s.n.full;
      log(`${s.id} (n=${n}, ${opts.repeat} run${opts.repeat > 1 ? 's' : ''})`);
      const script = fileURLToPath(new URL(`./scenarios/${s.script}`, import.meta.url));
      const sides = {};
      const timeoutMs = s.timeoutMs ?? SCENARIO_TIMEOUT_MS;
      if (opts.sdnode) {
        const args = [...(s.nodeArgs ?? []), script, String(n), ...(s.args ?? [])];
        sides.sdnode = () => runProgram(process.execPath, args, { timeoutMs, label: s.id });
      }
      if (s.erlang && erlang.available) {
        const erlangN = (opts.quick ? s.erlangN?.quick : s.erlangN?.full) ?? n;
        if (erlangN !== n) log(`  (Erlang side: n=${erlangN})`);
        sides.erlang = () => runErlangScenario(erlang, { scenario: s.erlang, n: erlangN, peers: erlangPeers(s), timeoutMs });
      }
      outcomes.set(s.id, await repeated(sides, opts.repeat, { erlang: s.erlangRuns }));
    }
  } finally {
    if (erlang.available) erlang.cleanup();
  }
  log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const rows = buildRows(outcomes);
  if (opts.json) printJson(rows);
  else printTable(rows, { quick: opts.quick, repeat: opts.repeat, cpus: cpus().length, erlang: erlangText });
  const failed = [...outcomes.values()].some((o) => o.sdnode?.error || o.erlang?.error);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  log(err?.stack ?? String(err));
  process.exit(1);
});
