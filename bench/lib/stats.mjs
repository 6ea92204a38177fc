// Small statistics and number formatting: percentiles for latencies, the median of repeated runs
// (reported with its lowest and highest value, so a noisy machine shows as a wide spread rather
// than as a lucky or unlucky single number), and how numbers are printed.

/** Nearest-rank percentile (p in 0..100) of an ascending-sorted array. Same rule as the Erlang peers. */
export function percentile(sorted, p) {
  if (sorted.length === 0) throw new Error('percentile of an empty sample');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * runs: the RESULT lists of each successful run, in order. Returns one result per figure name:
 * { name, value: median, unit, n, runs, min, max } (min/max only when there was more than one run).
 */
export function mergeRuns(runs) {
  const byName = new Map();
  for (const results of runs) {
    for (const r of results) {
      if (!byName.has(r.name)) byName.set(r.name, []);
      byName.get(r.name).push(r);
    }
  }
  return [...byName.values()].map((list) => {
    const values = list.map((r) => r.value);
    const merged = { ...list[0], value: median(values) };
    if (list.length > 1) Object.assign(merged, { runs: list.length, min: Math.min(...values), max: Math.max(...values) });
    return merged;
  });
}

/** A number with a metric suffix: 4850000 -> "4.85 M", 78.4 -> "78.4". */
export function human(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)} G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)} k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A ratio such as 0.66 or 12.3, printed with an "x". */
export function ratioText(ratio) {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '-';
  return ratio >= 10 ? `${ratio.toFixed(1)}x` : `${ratio.toFixed(2)}x`;
}

/** Round to a sensible number of significant digits for JSON output. */
export function round(value, digits = 4) {
  if (!Number.isFinite(value) || value === 0) return value;
  const scale = 10 ** Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}
