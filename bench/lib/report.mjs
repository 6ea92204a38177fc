// Turns the figures both sides reported into rows (with Erlang baseline, ratio, target, ceiling
// ratios) and prints them as a table or as JSON lines.
import { ERLANG, METRICS, meetsTarget, metricsOf } from './catalog.mjs';
import { human, ratioText, round } from './stats.mjs';

/**
 * outcomes: Map scenarioId -> { sdnode: {results}|{error}, erlang?: {results}|{error}|undefined }.
 * Returns one row per figure of every scenario that ran.
 */
export function buildRows(outcomes) {
  const measured = new Map();
  for (const o of outcomes.values()) for (const r of o.sdnode?.results ?? []) measured.set(r.name, r);
  const rows = [];
  for (const [id, o] of outcomes) {
    for (const name of metricsOf(id)) {
      const meta = METRICS[name];
      const sd = o.sdnode?.results?.find((r) => r.name === name);
      const erl = o.erlang?.results?.find((r) => r.name === name);
      const row = { name, value: sd ? round(sd.value) : null, unit: meta.unit };
      if (sd?.n !== undefined) row.n = sd.n;
      if (sd?.runs) Object.assign(row, { runs: sd.runs, spread: [round(sd.min), round(sd.max)] });
      if (o.sdnode?.error) row.error = o.sdnode.error;
      else if (o.sdnode?.results && !sd) row.error = 'scenario did not report this figure';
      if (erl) {
        row.baseline = round(erl.value);
        if (erl.runs) row.baselineSpread = [round(erl.min), round(erl.max)];
        if (sd) row.ratio = round(sd.value / erl.value, 3);
      } else if (o.erlang?.error) row.baselineError = o.erlang.error;
      if (meta.target !== undefined) {
        row.target = meta.target;
        const met = sd ? meetsTarget(name, sd.value, sd.n) : undefined;
        if (met !== undefined) row.met = met;
      }
      if (meta.relTargets) judgeRelative(row, meta, sd, erl, measured);
      if (sd && meta.ceilings) {
        const ceilings = {};
        for (const c of meta.ceilings) if (measured.has(c)) ceilings[c] = round(sd.value / measured.get(c).value, 3);
        if (Object.keys(ceilings).length > 0) row.ceilings = ceilings;
      }
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Relative targets (METRICS[name].relTargets): each `{ of, times }` whose reference was measured
 * in this run becomes a bound `times` x that value; `row.target` is the tightest bound,
 * `row.targetText` says what each one is, `row.met` whether the figure is within all of them.
 */
function judgeRelative(row, meta, sd, erl, measured) {
  const bounds = [];
  const parts = [];
  for (const { of, times } of meta.relTargets) {
    const ref = of === ERLANG ? erl?.value : measured.get(of)?.value;
    const who = of === ERLANG ? 'Erlang' : of;
    if (ref === undefined || !Number.isFinite(ref)) {
      parts.push(`${times}x ${who} (not measured)`);
      continue;
    }
    const bound = round(ref * times);
    bounds.push(bound);
    parts.push(`${times}x ${who} = ${human(bound)}`);
  }
  const lower = meta.better === 'lower';
  row.targetText = `${lower ? '<=' : '>='} ${parts.join(', ')}`;
  if (bounds.length === 0) return;
  row.target = lower ? Math.min(...bounds) : Math.max(...bounds);
  if (sd) row.met = bounds.every((b) => (lower ? sd.value <= b : sd.value >= b));
}

export function printJson(rows, out = process.stdout) {
  for (const row of rows) out.write(`${JSON.stringify(row)}\n`);
}

function targetText(row) {
  if (row.targetText !== undefined) return row.targetText;
  const name = row.name;
  const m = METRICS[name];
  if (m.target === undefined) return '';
  const n = m.targetN ? ` (n=${human(m.targetN)})` : '';
  return `${m.better === 'higher' ? '>=' : '<='} ${human(m.target)}${n}`;
}

/** The spread of repeated runs, (max - min) / median, e.g. "12%". */
function spreadText(spread, value) {
  if (!spread || !value) return '';
  return `${Math.round(((spread[1] - spread[0]) / value) * 100)}%`;
}

function metText(row) {
  if (row.met === true) return 'yes';
  if (row.met === false) return 'NOT MET';
  return (row.target !== undefined || row.targetText !== undefined) && row.value !== null ? 'n/a' : '';
}

export function printTable(rows, env, out = process.stdout) {
  const head = ['figure', 'sdnode', 'spread', 'unit', 'Erlang/OTP', 'sdnode/Erlang', 'target', 'met'];
  const body = rows.map((r) => [
    r.name,
    r.error ? 'error' : human(r.value),
    spreadText(r.spread, r.value),
    r.unit,
    r.baseline !== undefined ? human(r.baseline) : r.baselineError ? 'error' : '-',
    ratioText(r.ratio),
    targetText(r),
    metText(r),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 || i === 3 || i >= 6 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const runs = env.repeat > 1 ? `, median of ${env.repeat} runs` : '';
  out.write(`\nsdnode bench (${env.quick ? 'quick' : 'full'} run${runs}) - node ${process.version}, ${env.cpus} cpus, ${env.erlang}\n\n`);
  out.write(`${line(head)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const b of body) out.write(`${line(b)}\n`);

  const withCeilings = rows.filter((r) => r.ceilings);
  if (withCeilings.length > 0) {
    out.write('\nAgainst the ceilings measured in this run (rates: fraction reached; latencies: times the floor):\n');
    for (const r of withCeilings) {
      const parts = Object.entries(r.ceilings).map(([c, f]) => `${f.toFixed(METRICS[r.name].better === 'higher' ? 3 : 2)}${METRICS[r.name].better === 'higher' ? ' of' : 'x'} ${c}`);
      out.write(`  ${r.name}: ${parts.join(', ')}\n`);
    }
  }
  const unmet = rows.filter((r) => r.met === false);
  if (unmet.length > 0) {
    out.write('\nTargets NOT met (DESIGN.md section 4; issue 10):\n');
    for (const r of unmet) out.write(`  ${r.name}: ${human(r.value)} ${r.unit}, target ${targetText(r)}\n`);
  } else if (rows.some((r) => r.met === true)) out.write('\nAll judged targets met.\n');
  const failures = rows.filter((r) => r.error || r.baselineError);
  const seen = new Set();
  if (failures.length > 0) out.write('\nFailures:\n');
  for (const r of failures) {
    for (const [side, msg] of [['sdnode', r.error], ['erlang', r.baselineError]]) {
      const key = `${side}:${msg}`;
      if (!msg || seen.has(key)) continue;
      seen.add(key);
      out.write(`  ${r.name} (${side}): ${msg}\n`);
    }
  }
  out.write('\n');
}
