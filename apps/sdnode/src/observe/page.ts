import { PAGE_SCRIPT } from './page-script.js';

/** The page's style: a graph on the left, the selected node's details on the right. */
const PAGE_STYLE = `
  * { box-sizing: border-box; }
  body { margin: 0; font: 13px/1.4 system-ui, sans-serif; color: #222; background: #fafafa; display: flex; flex-direction: column; height: 100vh; }
  header { display: flex; gap: 16px; align-items: center; padding: 8px 14px; background: #263238; color: #eceff1; flex-wrap: wrap; }
  header h1 { font-size: 15px; margin: 0; font-weight: 600; }
  header label { font-size: 12px; }
  #live.live { color: #a5d6a7; } #live.stale { color: #ffab91; }
  main { flex: 1; display: flex; min-height: 0; }
  #canvas { flex: 1; overflow: auto; }
  aside { width: 420px; overflow: auto; border-left: 1px solid #ddd; background: #fff; padding: 10px 14px; }
  aside h2 { font-size: 14px; margin: 4px 0 8px; word-break: break-all; }
  aside h3 { font-size: 12px; margin: 12px 0 4px; color: #555; text-transform: uppercase; letter-spacing: .04em; }
  .hint { color: #777; } .err { color: #c62828; }
  table { border-collapse: collapse; width: 100%; }
  .kv th { text-align: left; color: #666; font-weight: normal; width: 110px; vertical-align: top; }
  .list td, .list th { padding: 2px 4px; border-bottom: 1px solid #eee; text-align: left; font-size: 12px; word-break: break-all; }
  h3 button { font-size: 11px; margin-left: 6px; }
  .list th { white-space: nowrap; } .list td:nth-child(3) { word-break: normal; }
  h3.process-title { text-transform: none; letter-spacing: 0; color: #222; }
  tr.process { cursor: pointer; } tr.process:hover { background: #e3f2fd; }
  pre.state { background: #f5f5f5; padding: 8px; overflow: auto; max-height: 320px; font-size: 12px; }
  .badge { display: inline-block; padding: 0 6px; border-radius: 8px; background: #eceff1; font-size: 11px; }
  .badge.status-up { background: #c8e6c9; } .badge.status-unreachable { background: #ffe0b2; } .badge.status-down { background: #ffcdd2; }
  .names span { display: inline-block; background: #e8eaf6; border-radius: 4px; padding: 0 4px; margin: 1px; font-size: 12px; }
  .legend span { margin-right: 10px; }
  .group-rect { fill-opacity: 0.07; stroke-width: 2; }
  .pool-rect { fill: #eceff1; fill-opacity: 0.5; stroke: #90a4ae; stroke-dasharray: 6 4; stroke-width: 1.5; }
  .region-label { font-size: 12px; font-weight: 600; fill: #546e7a; }
  .edge { stroke-width: 1.4; stroke-opacity: 0.7; fill: none; }
  .kind-visible { stroke: #37474f; }
  .kind-p2p { stroke: #1e88e5; stroke-dasharray: 6 3; }
  .kind-hidden { stroke: #9e9e9e; stroke-dasharray: 2 3; }
  .kind-missing { stroke: #e53935; stroke-dasharray: 3 4; stroke-opacity: 0.5; }
  .one-sided { stroke-opacity: 0.35; }
  .node { cursor: pointer; }
  .node circle:first-child { stroke: #263238; stroke-width: 1.5; }
  .node.status-unreachable circle:first-child { stroke: #ef6c00; stroke-width: 3; stroke-dasharray: 4 2; }
  .node.status-down circle:first-child { stroke: #c62828; stroke-width: 3; fill: #fff; }
  .node.selected circle:first-child { stroke: #1565c0; stroke-width: 4; }
  .node-label { font-size: 11px; fill: #263238; paint-order: stroke; stroke: #fafafa; stroke-width: 3px; }
  .mailbox-alert { fill: #d32f2f; }
`;

/**
 * The observer's page: one static HTML file with its style and script inline, no external
 * resource (it works offline and behind any proxy). Served as is by ObserveServer.
 */
export const OBSERVE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sdnode observe</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1>sdnode observe</h1>
  <span id="summary">waiting for the first snapshot...</span>
  <span id="updated"></span>
  <span id="live" class="stale">connecting...</span>
  <span id="dense"></span>
  <span class="legend">
    <label><input type="checkbox" data-edge-kind="visible"> visible</label>
    <label><input type="checkbox" data-edge-kind="p2p"> point to point</label>
    <label><input type="checkbox" data-edge-kind="hidden"> hidden</label>
    <label><input type="checkbox" data-edge-kind="missing"> missing</label>
  </span>
</header>
<main>
  <div id="canvas"><svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="the cluster's nodes, s_groups and connections"></svg></div>
  <aside id="node-details"><div id="node-info"><p class="hint">Click a node to see its state and processes.</p></div><div id="node-procs"></div></aside>
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
