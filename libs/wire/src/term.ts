import type { Pid } from './pid.js';
import type { Ref } from './ref.js';

/**
 * A value that can be sent between processes and nodes: JSON-like data plus binaries, bigints,
 * Maps, Sets, Dates, Pids, Refs and sdnode's typed errors. Functions, symbols, class instances
 * (other than those listed) and cyclic structures are refused at send time.
 */
export type Term =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Date
  | Pid
  | Ref
  | Error
  | readonly Term[]
  | ReadonlyMap<Term, Term>
  | ReadonlySet<Term>
  | { readonly [key: string]: Term };
