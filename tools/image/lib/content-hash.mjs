// Content hash of an image plan: every entry's path, kind, mode and bytes, and
// the image configuration. Equal hash <=> equal image, so the hash is the tag.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** @param {string} path */
async function fileDigest(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * @param {{ kind: string, dest: string, src?: string, content?: string, target?: string, mode?: number }[]} entries
 *   sorted by dest
 * @param {unknown} config image configuration (entrypoint, env, ...)
 * @returns {Promise<string>} hex sha256
 */
export async function planHash(entries, config) {
  const hash = createHash('sha256');
  hash.update(`config ${JSON.stringify(config)}\n`);
  for (const e of entries) {
    let body;
    switch (e.kind) {
      case 'file':
        body = await fileDigest(e.src);
        break;
      case 'content':
        body = createHash('sha256').update(e.content).digest('hex');
        break;
      case 'symlink':
        body = e.target;
        break;
      case 'dir':
        body = '';
        break;
      default:
        throw new Error(`unknown plan entry kind ${e.kind} for ${e.dest}`);
    }
    hash.update(`${e.kind} ${e.dest} ${(e.mode ?? 0).toString(8)} ${body}\n`);
  }
  return hash.digest('hex');
}
