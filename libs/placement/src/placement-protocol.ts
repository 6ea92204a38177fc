import type { Attributes } from './attributes.js';
import { isAttributeValue } from './attributes.js';
import type { Location } from './distance.js';

/**
 * The messages of the placement protocol, on the CONTROL channel `sdnode.placement` (see
 * docs/protocols/placement.md). Compact arrays; every message from the wire is checked here and a
 * malformed one is dropped (and counted) without touching any state.
 *
 * - `['attrs', seq, attributes, location]`: the sender's attributes and location, a full snapshot
 *   (seq increases per sender incarnation, so a reordered older snapshot is ignored);
 * - `['ping', id, t]`: a round-trip probe, `t` the prober's own clock;
 * - `['pong', id, t]`: the answer, echoing `id` and `t`.
 */

export const PLACEMENT_CHANNEL = 'sdnode.placement';

export type PlacementMessage =
  | { readonly kind: 'attrs'; readonly seq: number; readonly attributes: Attributes; readonly location: Location }
  | { readonly kind: 'ping'; readonly id: number; readonly t: number }
  | { readonly kind: 'pong'; readonly id: number; readonly t: number };

export const MAX_ATTRIBUTES = 256;

export function attrsMessage(seq: number, attributes: Attributes, location: Location): unknown[] {
  return ['attrs', seq, attributes, location];
}

export function pingMessage(id: number, t: number): unknown[] {
  return ['ping', id, t];
}

export function pongMessage(id: number, t: number): unknown[] {
  return ['pong', id, t];
}

const isRecord = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

function attributesOf(v: unknown): Attributes | undefined {
  if (!isRecord(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length > MAX_ATTRIBUTES) return undefined;
  for (const k of keys) if (!isAttributeValue(v[k])) return undefined;
  return Object.freeze({ ...(v as Attributes) });
}

function locationOf(v: unknown): Location | undefined {
  if (!isRecord(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length > MAX_ATTRIBUTES) return undefined;
  for (const k of keys) if (typeof v[k] !== 'string') return undefined;
  return Object.freeze({ ...(v as Location) });
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The message in `body`, or a reason why it is not one. */
export function parsePlacementMessage(body: unknown): PlacementMessage | string {
  if (!Array.isArray(body) || body.length < 3) return 'not a placement message';
  const [kind, a, b, c] = body as unknown[];
  switch (kind) {
    case 'attrs': {
      if (body.length !== 4 || !isCount(a)) return 'attrs: bad seq';
      const attributes = attributesOf(b);
      if (attributes === undefined) return 'attrs: bad attributes';
      const location = locationOf(c);
      if (location === undefined) return 'attrs: bad location';
      return { kind, seq: a, attributes, location };
    }
    case 'ping':
    case 'pong':
      if (body.length !== 3 || !isCount(a) || !isTime(b)) return `${kind}: bad id or time`;
      return { kind, id: a, t: b };
    default:
      return `unknown kind ${String(kind).slice(0, 32)}`;
  }
}
