import type { Node } from '@sdnode/core';

/**
 * A node's connections by kind, as the node itself sees them:
 * - `visible`: in its visible node list (`node.nodes()`): with s_groups, the members of its
 *   groups (an s_group node) or the other free nodes (a free node);
 * - `pointToPoint`: connected visible nodes that are not in that list (`node.nodes({all: true})`
 *   minus `visible`): made because a process used a pid or a name there, or by a seed;
 * - `hidden`: connected hidden nodes (tools, test drivers, the CLI).
 */
export interface NodeConnections {
  readonly visible: string[];
  readonly pointToPoint: string[];
  readonly hidden: string[];
}

export function connectionsOf(node: Node): NodeConnections {
  const visible = node.nodes().sort();
  const shown = new Set(visible);
  const all = node.nodes({ all: true });
  const withHidden = node.nodes({ hidden: true, all: true });
  const notHidden = new Set(all);
  return {
    visible,
    pointToPoint: all.filter((n) => !shown.has(n)).sort(),
    hidden: withHidden.filter((n) => !notHidden.has(n)).sort(),
  };
}
