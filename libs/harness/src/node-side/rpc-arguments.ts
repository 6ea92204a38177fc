import { InvalidArgumentError, isPid, type Pid } from '@sdnode/wire';

/**
 * Checks of the arguments the node-side rpc functions receive from the network: a bad
 * argument is an InvalidArgumentError for the caller, never a crash of the function.
 */

/** A non-empty string, or InvalidArgumentError naming `what`. */
export function textArgument(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidArgumentError(what, 'expected a non-empty string');
  return value;
}

/** A pid, or InvalidArgumentError. */
export function pidArgument(value: unknown): Pid {
  if (!isPid(value)) throw new InvalidArgumentError('pid', 'expected a Pid');
  return value;
}
