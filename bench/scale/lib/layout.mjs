// Cluster layouts of the scale benchmark: node names on their own loopback addresses (as the
// harness gives them), and the s_group variant's cluster file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The loopback address of the i-th node (0-based): 127.0.0.2, 127.0.0.3, ... (as @sdnode/harness's loopbackAddress). */
export function loopback(i) {
  const k = i + 1;
  return `127.0.${Math.floor(k / 254)}.${(k % 254) + 1}`;
}

export function nodeNames(n) {
  return Array.from({ length: n }, (_, i) => `n${i + 1}@${loopback(i)}`);
}

/**
 * s_groups of 8: group g holds nodes 8g..8g+7 and, as its gateway, the first node of the next
 * group (8((g+1) mod G)), so every group's first node is in two groups and the groups form a ring
 * (bench/scenarios/sgroups-ring.mjs uses the same shape). One group when n <= 8.
 */
export function ringGroups(names, size = 8) {
  const count = Math.max(1, Math.ceil(names.length / size));
  const groups = {};
  for (let g = 0; g < count; g++) {
    const members = names.slice(size * g, size * g + size);
    if (count > 1) {
      const gateway = names[(size * ((g + 1) % count)) % names.length];
      if (!members.includes(gateway)) members.push(gateway);
    }
    groups[`g${g}`] = members;
  }
  return groups;
}

/**
 * Write a cluster file with these nodes (ports from the OS), groups (or null) and, when given, the
 * global registry scope's settings (`registry`: e.g. `{ mode: 'partitioned', replicas: 2 }`, the
 * cluster file's `registry` section); returns its path.
 */
export function writeClusterFile(dir, names, groups, cookie, registry = null) {
  const lines = [`cookie: ${cookie}`, 'defaults: {basePort: 0}', `nodes: [${names.join(', ')}]`];
  if (groups !== null && Object.keys(groups).length > 0) {
    lines.push('sgroups:');
    for (const [g, members] of Object.entries(groups)) lines.push(`  ${g}: [${members.join(', ')}]`);
  }
  if (registry !== null) lines.push(`registry: {${Object.entries(registry).map(([k, v]) => `${k}: ${v}`).join(', ')}}`);
  const file = join(dir, 'cluster.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Each node's targets: every other node (free), or the other members of its own groups (s_groups). */
export function targetsOf(names, groups) {
  const out = new Map();
  for (const name of names) {
    if (groups === null) {
      out.set(name, { targets: names.filter((n) => n !== name), groups: [] });
      continue;
    }
    const own = Object.entries(groups).filter(([, members]) => members.includes(name));
    const targets = [...new Set(own.flatMap(([, members]) => members))].filter((n) => n !== name);
    out.set(name, { targets, groups: own.map(([g]) => g) });
  }
  return out;
}

/**
 * SD-Orbit's layout (RELEASE): worker groups of `size` nodes, the first node of each a sub-master,
 * and one more group `masters` of every sub-master, so that sub-masters are the gateways between
 * worker groups (each worker group a full mesh, and the sub-masters a full mesh). One group when
 * n <= size. Returns { groups, submasters: group name -> its sub-master node }.
 */
export function masterGroups(names, size = 8) {
  const count = Math.max(1, Math.ceil(names.length / size));
  const groups = {};
  const submasters = {};
  for (let g = 0; g < count; g++) {
    groups[`w${g}`] = names.slice(size * g, size * g + size);
    submasters[`w${g}`] = names[size * g];
  }
  if (count > 1) groups.masters = Object.values(submasters);
  return { groups, submasters };
}
