import { definitionFromWire, type GroupDefinition, type GroupVersion } from './group-definition.js';

export const SGROUPS_CHANNEL = 'sdnode.sgroups';

/** A checked op of the membership protocol. */
export type ParsedSGroupOp =
  | { readonly op: 'info'; readonly defs: readonly GroupDefinition[]; readonly addresses: Readonly<Record<string, string>>; readonly full: boolean }
  | { readonly op: 'propose'; readonly tx: string; readonly def: GroupDefinition; readonly base: GroupVersion | null }
  | { readonly op: 'vote'; readonly tx: string; readonly yes: boolean; readonly current: GroupDefinition | null }
  /** `missed`: the members the proposer did not commit to; undefined from a version 2 proposer (it does not say). */
  | { readonly op: 'commit'; readonly tx: string; readonly def: GroupDefinition; readonly missed: readonly string[] | undefined }
  | { readonly op: 'abort'; readonly tx: string };

const isTx = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 700;

/** The op, checked field by field; or a string saying what is wrong. Never throws. */
export function parseSGroupOp(raw: unknown): ParsedSGroupOp | string {
  if (!Array.isArray(raw) || typeof raw[0] !== 'string') return 'an op must be an array starting with its name';
  const a = raw as unknown[];
  switch (a[0]) {
    case 'info': {
      const addresses = a[2];
      if (a.length !== 4 || !Array.isArray(a[1]) || a[1].length > 10_000 || typeof a[3] !== 'boolean') return 'bad info';
      if (typeof addresses !== 'object' || addresses === null || Array.isArray(addresses) || !Object.values(addresses).every((x) => typeof x === 'string')) return 'bad info addresses';
      const defs: GroupDefinition[] = [];
      for (const w of a[1] as unknown[]) {
        const d = definitionFromWire(w);
        if (d === undefined) return 'bad info definition';
        defs.push(d);
      }
      return { op: 'info', defs, addresses: addresses as Record<string, string>, full: a[3] };
    }
    case 'propose': {
      const def = definitionFromWire(a[2]);
      const base = a[3];
      const okBase = base === null || (Array.isArray(base) && base.length === 2 && typeof base[0] === 'number' && typeof base[1] === 'string');
      if (a.length !== 4 || !isTx(a[1]) || def === undefined || !okBase) return 'bad propose';
      return { op: 'propose', tx: a[1], def, base: base === null ? null : { n: (base as [number, string])[0], by: (base as [number, string])[1] } };
    }
    case 'vote': {
      const current = a[3] === null ? null : definitionFromWire(a[3]);
      if (a.length !== 4 || !isTx(a[1]) || typeof a[2] !== 'boolean' || current === undefined) return 'bad vote';
      return { op: 'vote', tx: a[1], yes: a[2], current };
    }
    case 'commit': {
      const def = definitionFromWire(a[2]);
      const missed = a[3];
      const okMissed = missed === undefined || (Array.isArray(missed) && missed.length <= 100_000 && missed.every((m) => typeof m === 'string'));
      if ((a.length !== 3 && a.length !== 4) || !isTx(a[1]) || def === undefined || !okMissed) return 'bad commit';
      return { op: 'commit', tx: a[1], def, missed: missed as readonly string[] | undefined };
    }
    case 'abort':
      if (a.length !== 2 || !isTx(a[1])) return 'bad abort';
      return { op: 'abort', tx: a[1] };
    default:
      return `unknown op ${String(a[0]).slice(0, 40)}`;
  }
}
