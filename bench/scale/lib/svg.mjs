// Line plots as hand-written SVG text (no dependency): y against cluster size (log2 x axis), one
// line per series, markers at measured points, a legend. Missing points (a failed size) are gaps.

const W = 640;
const H = 400;
const M = { left: 72, right: 150, top: 44, bottom: 56 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#7f7f7f'];
const DASHES = ['', '6 4', '2 3', '8 3 2 3', '1 4'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round `max` up to a 1/2/5 x 10^k step grid; returns the ticks from 0. */
function niceTicks(max) {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw);
  const ticks = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

function label(v) {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(v % 1e6 === 0 ? 0 : 1)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (Math.abs(v) >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 1 ? 2 : 1);
}

/**
 * series: [{ name, points: [[x, y|null], ...], dashed? }]; x > 0 (cluster sizes). Returns SVG text.
 */
export function linePlot({ title, xLabel, yLabel, series, note }) {
  const xs = [...new Set(series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const ys = series.flatMap((s) => s.points.map(([, y]) => y)).filter((y) => y !== null && Number.isFinite(y));
  const ticks = niceTicks(Math.max(...ys, 0));
  const yMax = ticks[ticks.length - 1];
  const lx0 = Math.log2(xs[0] ?? 1);
  const lx1 = Math.log2(xs[xs.length - 1] ?? 2);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const px = (x) => M.left + (lx1 === lx0 ? pw / 2 : ((Math.log2(x) - lx0) / (lx1 - lx0)) * pw);
  const py = (y) => M.top + ph - (y / yMax) * ph;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${M.left}" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`);
  for (const t of ticks) {
    out.push(`<line x1="${M.left}" y1="${py(t).toFixed(1)}" x2="${M.left + pw}" y2="${py(t).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" fill="#444">${label(t)}</text>`);
  }
  for (const x of xs) {
    out.push(`<line x1="${px(x).toFixed(1)}" y1="${M.top}" x2="${px(x).toFixed(1)}" y2="${M.top + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${px(x).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle" fill="#444">${x}</text>`);
  }
  out.push(`<line x1="${M.left}" y1="${M.top + ph}" x2="${M.left + pw}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 16}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const dash = s.dashed ? ' stroke-dasharray="5 4"' : DASHES[i % DASHES.length] ? ` stroke-dasharray="${DASHES[i % DASHES.length]}"` : '';
    let path = '';
    let pen = 'M';
    for (const [x, y] of [...s.points].sort((a, b) => a[0] - b[0])) {
      if (y === null || !Number.isFinite(y)) {
        pen = 'M';
        continue;
      }
      path += `${pen}${px(x).toFixed(1)},${py(y).toFixed(1)} `;
      pen = 'L';
    }
    if (path !== '') out.push(`<path d="${path.trim()}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
    for (const [x, y] of s.points) {
      if (y === null || !Number.isFinite(y)) continue;
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${colour}"><title>${esc(s.name)}: ${x} nodes, ${label(y)}</title></circle>`);
    }
    const ly = M.top + 14 + i * 20;
    out.push(`<line x1="${M.left + pw + 14}" y1="${ly - 4}" x2="${M.left + pw + 40}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${M.left + pw + 46}" y="${ly}">${esc(s.name)}</text>`);
  });
  if (note) out.push(`<text x="${M.left}" y="${H - 2}" font-size="10" fill="#666">${esc(note)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Several plots of linePlot, side by side in one SVG (each keeps its own axes). */
export function sideBySide(plots) {
  const inner = plots.map((svg, i) => svg.trim().replace(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" /, `<svg x="${i * W}" y="0" `));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W * plots.length}" height="${H}" viewBox="0 0 ${W * plots.length} ${H}">\n${inner.join('\n')}\n</svg>\n`;
}
