/** Node names are `name@host`, as in Erlang. */
export type NodeName = string;

const NODE_NAME = /^[A-Za-z0-9_.-]{1,128}@[A-Za-z0-9_.:-]{1,255}$/;

export function isValidNodeName(name: unknown): name is NodeName {
  return typeof name === 'string' && NODE_NAME.test(name);
}

/** The host part of `name@host`. */
export function nodeHost(name: NodeName): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(at + 1);
}
