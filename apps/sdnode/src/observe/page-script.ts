/**
 * The page's script (plain ES5-style JavaScript, no dependency, no build step): it keeps the
 * snapshot up to date from the server-sent events, lays the cluster out (s_groups as regions on a
 * grid: one cell per distinct set of groups, so a node in two groups sits in a cell both regions
 * cover; the nodes of a cell on a circle) and draws it as SVG, then shows a node's details and
 * processes, and a process's Sys status, on click. Every element the tests look at carries data
 * attributes: `data-node`/`data-status`/`data-kind`, `data-group`/`data-members`,
 * `data-edge`/`data-kind`.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#e15759', '#9c755f', '#ff9da7', '#bab0ac'];
  var view = { snap: null, selected: null, pid: null, kinds: { visible: true, p2p: true, hidden: false, missing: true }, live: false };
  var $ = function (id) { return document.getElementById(id); };

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; });
  }
  function short(name) { return String(name).split('@')[0]; }
  /** The local part of a pid <node.id.creation>: its id. */
  function pidId(pid) { var m = /\.(\d+)\.\d+>$/.exec(pid); return m ? m[1] : pid; }
  function groupColor(snap, g) {
    var i = snap.groups.findIndex(function (x) { return x.name === g; });
    return COLORS[(i < 0 ? 0 : i) % COLORS.length];
  }
  function loadColor(n) {
    if (n.status !== 'up' || !n.load) return '#d0d0d0';
    var l = Math.max(0, Math.min(1, n.load.elu));
    return 'hsl(' + Math.round(120 - 120 * l) + ', 65%, 50%)';
  }

  function applyDiff(snap, diff) {
    var nodes = {};
    snap.nodes.forEach(function (n) { nodes[n.name] = n; });
    diff.remove.forEach(function (name) { delete nodes[name]; });
    diff.upsert.forEach(function (n) { nodes[n.name] = n; });
    var list = Object.keys(nodes).sort().map(function (k) { return nodes[k]; });
    return { seq: diff.seq, at: diff.at, observer: snap.observer, nodes: list, groups: diff.groups || snap.groups, edges: diff.edges || snap.edges };
  }

  function cellOf(snap, n) {
    if (n.groups.length > 0) return n.groups.slice().sort().join('+');
    return n.hidden || n.kind === 'hidden' ? '~hidden' : '~free';
  }

  function layout(snap, width) {
    var order = {};
    snap.groups.forEach(function (g, i) { order[g.name] = i; });
    var cells = {};
    snap.nodes.forEach(function (n) {
      var key = cellOf(snap, n);
      (cells[key] = cells[key] || { key: key, groups: n.groups.slice().sort(), nodes: [] }).nodes.push(n);
    });
    var list = Object.keys(cells).map(function (k) { return cells[k]; });
    function rank(c) {
      if (c.key === '~free') return [1e6];
      if (c.key === '~hidden') return [1e6 + 1];
      return c.groups.map(function (g) { return order[g]; });
    }
    list.sort(function (a, b) {
      var ra = rank(a), rb = rank(b);
      for (var i = 0; i < Math.max(ra.length, rb.length); i++) {
        if (ra[i] === undefined) return -1;
        if (rb[i] === undefined) return 1;
        if (ra[i] !== rb[i]) return ra[i] - rb[i];
      }
      return 0;
    });
    var pos = {}, x = 20, y = 20, rowH = 0, maxX = 0;
    list.forEach(function (c) {
      var k = c.nodes.length;
      var r = k <= 1 ? 0 : Math.max(34, (k * 36) / (2 * Math.PI));
      var size = Math.max(150, 2 * r + 110);
      if (x + size > width - 20 && x > 20) { x = 20; y += rowH + 24; rowH = 0; }
      c.x = x; c.y = y; c.w = size; c.h = size;
      var cx = x + size / 2, cy = y + size / 2 + 6;
      c.nodes.forEach(function (n, i) {
        var a = (2 * Math.PI * i) / k - Math.PI / 2;
        pos[n.name] = { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a), a: k <= 1 ? null : a };
      });
      x += size + 24; rowH = Math.max(rowH, size); maxX = Math.max(maxX, x);
    });
    return { cells: list, pos: pos, width: Math.max(maxX, 300), height: y + rowH + 40 };
  }

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }

  function render() {
    var snap = view.snap;
    if (!snap) return;
    var svg = $('graph');
    var L = layout(snap, Math.max(600, $('canvas').clientWidth));
    svg.setAttribute('width', L.width);
    svg.setAttribute('height', L.height);
    svg.setAttribute('viewBox', '0 0 ' + L.width + ' ' + L.height);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var regions = el('g', { id: 'regions' }, svg);
    var byGroup = {};
    L.cells.forEach(function (c) {
      if (c.key === '~free' || c.key === '~hidden') {
        var g = el('g', { 'class': 'pool', 'data-pool': c.key.slice(1) }, regions);
        el('rect', { x: c.x, y: c.y, width: c.w, height: c.h, rx: 14, 'class': 'pool-rect' }, g);
        el('text', { x: c.x + 10, y: c.y + 18, 'class': 'region-label' }, g).textContent = c.key === '~free' ? 'free nodes' : 'hidden nodes';
        return;
      }
      c.groups.forEach(function (name, k) {
        var g = byGroup[name];
        if (!g) {
          var def = snap.groups.find(function (x) { return x.name === name; });
          g = byGroup[name] = el('g', { 'class': 'group', 'data-group': name, 'data-members': def ? def.members.join(',') : '', 'data-version': def ? def.version : '' }, regions);
        }
        var inset = k * 7;
        el('rect', { x: c.x + inset, y: c.y + inset, width: c.w - 2 * inset, height: c.h - 2 * inset, rx: 14, stroke: groupColor(snap, name), fill: groupColor(snap, name), 'class': 'group-rect' }, g);
        el('text', { x: c.x + 10 + inset, y: c.y + 18 + k * 15, 'class': 'region-label', fill: groupColor(snap, name) }, g).textContent = name;
      });
    });
    var edges = el('g', { id: 'edges' }, svg);
    // A large cluster: the visible connections inside a cell (its full mesh) are left out, the
    // region stands for them; what crosses cells, and what is missing, is still drawn.
    var dense = snap.edges.length > 2000, cellOfNode = {}, skipped = 0;
    if (dense) L.cells.forEach(function (c) { c.nodes.forEach(function (n) { cellOfNode[n.name] = c.key; }); });
    snap.edges.forEach(function (e) {
      var a = L.pos[e.a], b = L.pos[e.b];
      if (!a || !b || !view.kinds[e.kind]) return;
      if (dense && e.kind === 'visible' && cellOfNode[e.a] === cellOfNode[e.b]) { skipped++; return; }
      // Bent by a share of its length: edges along one row of cells do not hide each other.
      var mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2, dx = b.x - a.x, dy = b.y - a.y;
      var cx = mx - dy * 0.18, cy = my + dx * 0.18;
      el('path', { d: 'M' + a.x.toFixed(1) + ' ' + a.y.toFixed(1) + ' Q' + cx.toFixed(1) + ' ' + cy.toFixed(1) + ' ' + b.x.toFixed(1) + ' ' + b.y.toFixed(1), 'class': 'edge kind-' + e.kind + (e.oneSided ? ' one-sided' : ''), 'data-edge': e.a + '|' + e.b, 'data-kind': e.kind }, edges);
    });
    var nodes = el('g', { id: 'nodes' }, svg);
    snap.nodes.forEach(function (n) {
      var p = L.pos[n.name];
      var g = el('g', { 'class': 'node status-' + n.status + (view.selected === n.name ? ' selected' : ''), 'data-node': n.name, 'data-status': n.status, 'data-kind': n.kind || '', transform: 'translate(' + p.x.toFixed(1) + ',' + p.y.toFixed(1) + ')' }, nodes);
      el('circle', { r: 13, fill: loadColor(n) }, g);
      // The label outside the circle of its cell (below a node alone in its cell).
      var lx = p.a === null ? 0 : Math.cos(p.a) * 22, ly = p.a === null ? 27 : Math.sin(p.a) * 22 + 4;
      var anchor = p.a === null || Math.abs(Math.cos(p.a)) < 0.3 ? 'middle' : Math.cos(p.a) > 0 ? 'start' : 'end';
      el('text', { x: lx.toFixed(1), y: ly.toFixed(1), 'text-anchor': anchor, 'class': 'node-label' }, g).textContent = short(n.name);
      if (n.mailboxes.length > 0 && n.mailboxes[0].queue >= 100) el('circle', { r: 4, cx: 10, cy: -10, 'class': 'mailbox-alert' }, g);
      el('title', {}, g).textContent = n.name + ' (' + n.status + ')' + (n.load ? '\nload ' + Math.round(n.load.elu * 100) + '%, ' + n.processCount + ' processes' : '') + (n.error ? '\n' + n.error : '');
      g.addEventListener('click', function () { select(n.name); });
    });
    $('dense').textContent = skipped > 0 ? skipped + ' visible connections inside regions not drawn' : '';
    summary(snap);
    details();
  }

  function summary(snap) {
    var count = { up: 0, unreachable: 0, down: 0 };
    snap.nodes.forEach(function (n) { count[n.status]++; });
    $('summary').textContent = snap.nodes.length + ' nodes (' + count.up + ' up, ' + count.unreachable + ' unreachable, ' + count.down + ' down), ' +
      snap.groups.length + ' s_groups, ' + snap.edges.filter(function (e) { return e.kind !== 'missing'; }).length + ' connections';
    $('updated').textContent = 'updated ' + new Date(snap.at).toLocaleTimeString();
    $('live').textContent = view.live ? 'live' : 'reconnecting...';
    $('live').className = view.live ? 'live' : 'stale';
  }

  function row(label, value) { return '<tr><th>' + esc(label) + '</th><td>' + value + '</td></tr>'; }

  function details() {
    var box = $('node-info');
    var n = view.snap && view.snap.nodes.find(function (x) { return x.name === view.selected; });
    if (!n) { box.innerHTML = '<p class="hint">Click a node to see its state and processes.</p>'; $('node-procs').innerHTML = ''; return; }
    var h = '<h2 data-selected="' + esc(n.name) + '">' + esc(n.name) + '</h2><table class="kv">';
    h += row('status', '<span class="badge status-' + n.status + '">' + esc(n.status) + '</span>' + (n.error ? ' <span class="err">' + esc(n.error) + '</span>' : ''));
    h += row('kind', esc(n.kind || '?')) + row('address', esc(n.address || '?')) + row('creation', esc(n.creation == null ? '?' : n.creation));
    h += row('s_groups', n.groups.length ? n.groups.map(esc).join(', ') : '(none)');
    if (n.unreachable.length) h += row('not connected', n.unreachable.map(esc).join(', '));
    if (n.load) h += row('load', Math.round(n.load.elu * 100) + '% event loop, run queue ' + n.load.runQueue + ', ' + n.load.rssMiB + ' MiB');
    h += row('processes', esc(n.processCount == null ? '?' : n.processCount));
    h += '</table>';
    if (n.mailboxes.length) h += '<h3>Longest mailboxes</h3><table class="list">' + n.mailboxes.map(function (p) { return '<tr><td title="' + esc(p.pid) + '">' + esc(pidId(p.pid)) + '</td><td>' + esc(p.name || p.type) + '</td><td>' + p.queue + '</td></tr>'; }).join('') + '</table>';
    n.names.forEach(function (s) {
      if (s.count === 0) return;
      var names = Object.keys(s.names);
      h += '<h3>Names in ' + esc(s.scope) + ' (' + s.count + ')</h3><div class="names">' + names.map(function (k) { return '<span title="' + esc(s.names[k]) + '">' + esc(k) + '</span>'; }).join(' ') + (s.count > names.length ? ' ...' : '') + '</div>';
    });
    box.innerHTML = h;
  }

  /** The processes of the selected node: asked when it is selected, and on "refresh" (not at every update). */
  function processesPanel(node) {
    var box = $('node-procs');
    if (!node) { box.innerHTML = ''; return; }
    box.innerHTML = '<h3>Processes <button id="refresh" type="button">refresh</button></h3><div id="processes"><p class="hint">loading...</p></div><div id="process"></div>';
    $('refresh').addEventListener('click', function () { loadProcesses(node); });
    loadProcesses(node);
  }

  function loadProcesses(node) {
    fetch('api/nodes/' + encodeURIComponent(node) + '/processes?limit=500').then(function (r) { return r.json(); }).then(function (body) {
      var box = $('processes');
      if (!box || view.selected !== node) return;
      if (body.error) { box.innerHTML = '<p class="err">' + esc(body.error) + '</p>'; return; }
      box.innerHTML = '<p class="hint">' + body.total + ' processes' + (body.total > body.processes.length ? ', the ' + body.processes.length + ' with the longest mailboxes' : '') + '</p>' +
        '<table class="list processes"><tr><th>id</th><th>name / type</th><th>status</th><th>queue</th></tr>' + body.processes.map(function (p) {
          return '<tr class="process" data-pid="' + esc(p.pid) + '"><td title="' + esc(p.pid) + '">' + esc(pidId(p.pid)) + '</td><td>' + esc(p.name ? p.name + ' (' + p.type + ')' : p.type) + (p.behaviour ? ' <span class="badge">' + esc(p.behaviour) + '</span>' : '') + '</td><td>' + esc(p.status) + '</td><td>' + p.queue + '</td></tr>';
        }).join('') + '</table>';
      Array.prototype.forEach.call(box.querySelectorAll('tr.process'), function (tr) {
        tr.addEventListener('click', function () { loadProcess(node, tr.getAttribute('data-pid')); });
      });
      if (view.pid) loadProcess(node, view.pid);
    }).catch(function (e) { var box = $('processes'); if (box) box.innerHTML = '<p class="err">' + esc(e) + '</p>'; });
  }

  function loadProcess(node, pid) {
    view.pid = pid;
    fetch('api/nodes/' + encodeURIComponent(node) + '/processes/' + encodeURIComponent(pid)).then(function (r) { return r.json(); }).then(function (body) {
      var box = $('process');
      if (!box) return;
      if (body.error) { box.innerHTML = '<p class="err">' + esc(body.error) + '</p>'; return; }
      var h = '<h3 class="process-title" data-process="' + esc(pid) + '">' + esc(pid) + '</h3><table class="kv">' + row('type', esc(body.info.type)) + row('status', esc(body.info.status)) +
        row('mailbox', body.info.queue) + row('links', body.info.links.map(esc).join(', ') || '(none)') + row('monitors', body.info.monitors + ' / monitored by ' + body.info.monitoredBy) + '</table>';
      if (body.sys) h += '<p class="hint">Sys.getStatus (' + esc(body.sys.behaviour) + ', ' + esc(body.sys.status) + ')</p><pre class="state">' + esc(JSON.stringify(body.sys.state, null, 2)) + '</pre>';
      else if (body.sysError) h += '<p class="err">Sys.getStatus failed: ' + esc(body.sysError) + '</p>';
      else h += '<p class="hint">A plain process (no OTP behaviour): it answers no Sys requests, so its state cannot be shown.</p>';
      box.innerHTML = h;
    });
  }

  function select(name) {
    view.selected = view.selected === name ? null : name;
    view.pid = null;
    render();
    processesPanel(view.selected);
  }

  function reload() {
    return fetch('api/snapshot').then(function (r) { return r.json(); }).then(function (s) { view.snap = s; render(); });
  }

  function connect() {
    var es = new EventSource('api/events');
    es.addEventListener('open', function () { view.live = true; if (view.snap) summary(view.snap); });
    es.addEventListener('error', function () { view.live = false; if (view.snap) summary(view.snap); });
    es.addEventListener('snapshot', function (m) { view.snap = JSON.parse(m.data); view.live = true; render(); });
    es.addEventListener('diff', function (m) {
      var diff = JSON.parse(m.data);
      if (!view.snap || diff.base !== view.snap.seq) { reload(); return; }
      view.snap = applyDiff(view.snap, diff);
      render();
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('input[data-edge-kind]'), function (box) {
    var kind = box.getAttribute('data-edge-kind');
    box.checked = view.kinds[kind];
    box.addEventListener('change', function () { view.kinds[kind] = box.checked; render(); });
  });
  window.addEventListener('resize', function () { render(); });
  connect();
})();
`;
