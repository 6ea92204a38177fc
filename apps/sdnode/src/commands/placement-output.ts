import { BUILTIN_ATTRIBUTES, type Explanation, type PlacementInfo } from '@sdnode/placement';

/** One node of a node's view as `sdnode.placement.nodes` answers it (rtt null until measured). */
export interface NodeView {
  readonly node: string;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  readonly location: Readonly<Record<string, string>>;
  readonly age: number;
  readonly rtt: number | null;
}

/** Left-aligned columns, two spaces apart. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A score or a measurement, short: at most 4 significant digits; infinity when a load is not reported. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return 'inf';
  return String(Number(x.toPrecision(4)));
}

const pairs = (o: Readonly<Record<string, unknown>>): string =>
  Object.entries(o)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');

/**
 * `sdnode placement explain`: the spec, every node the asked node knows with the constraint that
 * excluded it or its score (lower is better), `*` on the nodes it would choose now, and the choice.
 */
export function formatExplanation(ex: Explanation, policy: { name: string; source: string } | undefined): string {
  const chosen = new Set(ex.chosen);
  const head = policy !== undefined ? `policy ${policy.name} (${policy.source})` : 'spec';
  const lines = [`placement ${head} on ${ex.node}, strategy ${ex.strategy}`, `spec: ${ex.spec}`];
  const rows = ex.candidates.map((c) => [c.node, c.excludedBy !== undefined ? `excluded: ${c.excludedBy}` : c.score !== undefined ? `eligible, score ${num(c.score)}` : 'eligible']);
  const [header, ...body] = table(['node', 'verdict'], rows);
  lines.push(`  ${header!}`, ...body.map((line, i) => `${chosen.has(ex.candidates[i]!.node) ? '*' : ' '} ${line}`));
  const eligible = ex.candidates.filter((c) => c.excludedBy === undefined).length;
  lines.push(`${eligible} of ${ex.candidates.length} known node${ex.candidates.length === 1 ? '' : 's'} eligible`);
  lines.push(ex.chosen.length > 0 ? `chosen: ${ex.chosen.join(', ')}` : 'chosen: none (no known node fits the spec)');
  return `${lines.join('\n')}\n`;
}

const BUILTINS: ReadonlySet<string> = new Set(Object.keys(BUILTIN_ATTRIBUTES));

/**
 * `sdnode placement nodes`: the asked node's view, every node it knows with its location, load
 * (the default least_loaded attribute), process count, round trip, how long ago it reported, and
 * its static and user-defined attributes (`--json` has every attribute).
 */
export function formatNodes(info: PlacementInfo, nodes: readonly NodeView[]): string {
  const where = Object.keys(info.location).length === 0 ? 'no location' : `location ${pairs(info.location)}`;
  const lines = [
    `${info.node} knows ${nodes.length} node${nodes.length === 1 ? '' : 's'}; ${where}; levels ${info.levels.join(' > ')}`,
    `policies: ${info.policies.length === 0 ? '(none)' : info.policies.join(', ')}`,
  ];
  const rows = nodes.map((n) => {
    const self = n.node === info.node;
    const load = n.attributes['load'];
    const processes = n.attributes['processes'];
    const own = Object.fromEntries(
      Object.entries(n.attributes)
        .filter(([k]) => !BUILTINS.has(k))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    return [
      n.node + (self ? ' (self)' : ''),
      pairs(n.location) || '-',
      typeof load === 'number' ? num(load) : '-',
      typeof processes === 'number' ? String(processes) : '-',
      self ? '-' : n.rtt === null ? 'unmeasured' : `${num(n.rtt)} ms`,
      self ? '-' : `${n.age} ms`,
      pairs(own) || '-',
    ];
  });
  lines.push(...table(['node', 'location', 'load', 'processes', 'rtt', 'age', 'attributes'], rows));
  if (info.droppedMessages > 0) lines.push(`placement messages dropped: ${info.droppedMessages}`);
  return `${lines.join('\n')}\n`;
}
