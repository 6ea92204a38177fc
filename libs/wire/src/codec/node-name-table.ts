import { Encoder } from 'cbor-x';
import { Op } from '../frames.js';
import { isNodeField } from './cbor-tags.js';

/**
 * The node-name tables of one connection epoch (docs/protocols/wire-format.md, "Node-name
 * tables"), sdnode's counterpart of the atom cache of Erlang's distribution.
 *
 * Each direction of a connection has its own table: an ordered list of node names that both ends
 * agree on. The sending codec adds a name the first time it encodes a pid or ref of that node: the
 * frame carrying it still spells the name out, and a NAMES frame `[29, first, [name, ...]]`
 * follows it in the same encoded chunk. From then on the sender's cbor-x encoder writes every text
 * string equal to a table entry as a packed reference (RFC draft cbor-packed: simple value n for
 * entries 0-15, tag 6 around an integer beyond), 1 to 4 bytes instead of the name. The receiving
 * codec appends the names of a NAMES frame to its table when it decodes that frame; cbor-x resolves
 * packed references against the receiving decoder's own `sharedValues` (per decoder instance, no
 * process-global state).
 *
 * Safety: a table lives and dies with its FrameCodec, which lives and dies with one connection
 * epoch; the carrier delivers the chunks of an epoch whole and in order, so the receiver has seen
 * every NAMES frame before any reference to its entries, and nothing crosses into another epoch.
 * A NAMES frame must start exactly at the receiver's table length (`first`): a definition that is
 * lost, repeated or reordered is refused, and a reference to an entry the receiver does not have
 * is refused by the scanner before cbor-x sees it (both typed errors, never a wrong name).
 */

/** Entries of one direction's table; past it, names travel as text. */
export const MAX_TABLE_NAMES = 1024;

/** The first CBOR bytes of every NAMES frame: a 3-array, then op 29 as a one-byte uint. */
const NAMES_HEAD_0 = 0x83;
const NAMES_HEAD_1 = 0x18;

/** The cbor-x options every sdnode codec uses (records off: see "Why no records"). */
const CBOR_OPTIONS = Object.freeze({ useRecords: false, mapsAsObjects: true, copyBuffers: true });

/** An Encoder that knows its connection's outbound table (read by the pid and ref tag encoders). */
export interface NamingEncoder extends Encoder {
  sdnodeNames?: OutboundNames;
  /** Scratch content of the pid and ref tags (cbor-tags.ts). */
  sdnodeIdentity?: [string, number, number];
}

/** The sending side's table, and the cbor-x encoder that packs its entries. */
export class OutboundNames {
  /** The agreed entries, in order. */
  private readonly names: string[] = [];
  /** Entry -> its position in `names`. */
  private readonly index = new Map<string, number>();
  /** Names seen by the encode in progress that are not in the table yet. */
  private readonly pending: string[] = [];
  private current: NamingEncoder;

  /** `enabled` false: nothing is ever added (the encoder writes names as text, as in version 1). */
  constructor(private readonly enabled: boolean) {
    this.current = this.newEncoder();
  }

  /**
   * For the fast encoder (fast-frame-encoder.ts): the table position of `node`; -1 when it travels
   * as text (tables off, or the table is full); -2 when the generic path must encode the frame,
   * so that the name is noted and its NAMES frame follows.
   */
  fastPosition(node: string): number {
    const at = this.index.get(node);
    if (at !== undefined) return at;
    return this.enabled && this.names.length < MAX_TABLE_NAMES ? -2 : -1;
  }

  /** The encoder to use for the next frame. */
  get encoder(): NamingEncoder {
    return this.current;
  }

  get size(): number {
    return this.names.length;
  }

  /** Called by the pid and ref tag encoders for every node name they write. */
  note(node: string): void {
    if (this.index.has(node) || this.names.length + this.pending.length >= MAX_TABLE_NAMES) return;
    if (this.pending.includes(node)) return;
    this.pending.push(node);
  }

  /** Forget the names noted by an encode that failed. */
  discard(): void {
    this.pending.length = 0;
  }

  /** True when the encode that just ran noted names the table does not have. */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /**
   * The NAMES frame for the pending names, encoded with the encoder that does not pack them yet.
   * The caller appends it to the frame that noted them, then calls commit().
   */
  encodePending(): Uint8Array {
    return this.current.encode([Op.NAMES, this.names.length, this.pending]);
  }

  /** The NAMES frame is on its way: add the pending names and pack them from now on. */
  commit(): void {
    for (const name of this.pending) {
      this.index.set(name, this.names.length);
      this.names.push(name);
    }
    this.pending.length = 0;
    this.current = this.newEncoder();
  }

  private newEncoder(): NamingEncoder {
    // cbor-x builds its packing map from sharedValues once, in the constructor: a grown table
    // needs a new encoder (rare: once per new node name per connection). Frames encoded earlier
    // are views into the old encoder's slab, which they keep alive.
    const options = { ...CBOR_OPTIONS, sharedValues: this.names.slice() }; // sharedValues: not in cbor-x's typings
    const encoder = new Encoder(options) as NamingEncoder;
    if (this.enabled) encoder.sdnodeNames = this;
    encoder.sdnodeIdentity = ['', 0, 0];
    return encoder;
  }
}

/** Why a NAMES frame was refused (undefined: it is valid). */
export function namesProblem(value: readonly unknown[], expectedFirst: number): string | undefined {
  if (value.length !== 3) return `expected [29, first, names], got ${value.length} elements`;
  const [, first, names] = value;
  if (first !== expectedFirst) return `first entry ${String(first)} where the table has ${expectedFirst}`;
  if (!Array.isArray(names) || names.length === 0) return 'names must be a non-empty array';
  if (expectedFirst + names.length > MAX_TABLE_NAMES) return `the table would exceed ${MAX_TABLE_NAMES} names`;
  for (let i = 0; i < names.length; i++) {
    if (!isNodeField(names[i])) return `entry ${expectedFirst + i} is not a node name`;
  }
  if (new Set(names).size !== names.length) return 'duplicate names';
  return undefined;
}

/** The receiving side's table (the array cbor-x resolves packed references with). */
export class InboundNames {
  readonly names: string[] = [];
  private readonly index = new Set<string>();

  get size(): number {
    return this.names.length;
  }

  /** Apply a decoded NAMES frame; returns the problem when it is refused (the table is unchanged). */
  apply(value: readonly unknown[]): string | undefined {
    const problem = namesProblem(value, this.names.length);
    if (problem !== undefined) return problem;
    const names = value[2] as string[];
    for (const name of names) if (this.index.has(name)) return `${name} is already in the table`;
    for (const name of names) {
      this.names.push(name);
      this.index.add(name);
    }
    return undefined;
  }
}

/** A decoded value that is a NAMES frame (handled by the codec, never handed on as a frame). */
export function isNamesValue(value: unknown): value is unknown[] {
  return Array.isArray(value) && value[0] === Op.NAMES;
}

/** Whether the scanned item at `offset` is a NAMES frame (so later items may use its entries). */
export function startsNamesFrame(bytes: Uint8Array, offset: number): boolean {
  return bytes[offset] === NAMES_HEAD_0 && bytes[offset + 1] === NAMES_HEAD_1 && bytes[offset + 2] === Op.NAMES;
}

/**
 * A decoder for `inbound`: cbor-x reads `sharedValues` at the start of every decode. An Encoder,
 * as version 1 decoded with (a bare cbor-x Decoder gives an empty Buffer back as a Uint8Array).
 */
export function newNamingDecoder(inbound: InboundNames): Encoder {
  const decoder = new Encoder(CBOR_OPTIONS);
  (decoder as unknown as { sharedValues: string[] }).sharedValues = inbound.names;
  return decoder;
}
