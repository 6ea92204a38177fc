// Content hash of an image plan: every entry's path, kind, mode and bytes, and the image
// configuration. Equal hash <=> equal image, so the hash is the tag.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ImageConfig, PlanEntry } from './plan-entry.js';

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Hex sha256 of `entries` (sorted by dest) and `config`. */
export async function planHash(entries: readonly PlanEntry[], config: ImageConfig): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`config ${JSON.stringify(config)}\n`);
  for (const e of entries) {
    let body: string;
    let mode = 0;
    switch (e.kind) {
      case 'file':
        body = await fileDigest(e.src);
        mode = e.mode;
        break;
      case 'content':
        body = createHash('sha256').update(e.content).digest('hex');
        mode = e.mode;
        break;
      case 'symlink':
        body = e.target;
        break;
      case 'dir':
        body = '';
        mode = e.mode;
        break;
    }
    hash.update(`${e.kind} ${e.dest} ${mode.toString(8)} ${body}\n`);
  }
  return hash.digest('hex');
}
