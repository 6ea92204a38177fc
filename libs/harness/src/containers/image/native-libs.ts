// The shared libraries a dynamic ELF file needs, as `ldd` lists them.
//
// The image is FROM scratch, so every library the node binary and the native addons link against
// (and the dynamic loader itself) must be copied in at the path the loader will look for it.
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { LddUnavailableError } from './image-errors.js';

/**
 * Parse `ldd` output into absolute library paths. Handles "name => /path (0x..)",
 * "/lib64/ld-linux-x86-64.so.2 (0x..)", and skips the vdso and "=> not found" entries.
 */
export function parseLddOutput(output: string): { found: string[]; missing: string[] } {
  const found: string[] = [];
  const missing: string[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('linux-vdso') || line.startsWith('linux-gate')) continue;
    const arrow = line.match(/^(\S+)\s+=>\s+(.*)$/);
    if (arrow) {
      const target = (arrow[2] ?? '').trim();
      if (target.startsWith('not found')) {
        missing.push(arrow[1] ?? '');
        continue;
      }
      const path = target.match(/^(\/\S+)/);
      if (path?.[1] !== undefined) found.push(path[1]);
      continue;
    }
    const direct = line.match(/^(\/\S+)\s+\(0x[0-9a-f]+\)$/);
    if (direct?.[1] !== undefined) found.push(direct[1]);
  }
  return { found, missing };
}

/**
 * Libraries needed by one file. A file that is not a dynamic executable for this machine
 * (another OS's addon, a static binary) needs none.
 */
export function librariesOf(file: string): { found: string[]; missing: string[]; dynamic: boolean } {
  const result = spawnSync('ldd', [file], { encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw new LddUnavailableError(result.error.message);
  const output = `${result.stdout ?? ''}`;
  if (/not a dynamic executable/.test(`${output}${result.stderr ?? ''}`)) return { found: [], missing: [], dynamic: false };
  const parsed = parseLddOutput(output);
  return { ...parsed, dynamic: parsed.found.length > 0 };
}

export interface SharedLibrary {
  /** The path the loader uses. */
  readonly dest: string;
  /** The real file behind it. */
  readonly src: string;
}

/** Union of the libraries needed by several files. */
export function librariesOfAll(files: readonly string[]): { libs: SharedLibrary[]; missingByFile: Map<string, string[]> } {
  const byDest = new Map<string, string>();
  const missingByFile = new Map<string, string[]>();
  for (const file of files) {
    const { found, missing } = librariesOf(file);
    if (missing.length > 0) missingByFile.set(file, missing);
    for (const dest of found) if (!byDest.has(dest)) byDest.set(dest, realpathSync(dest));
  }
  const libs = [...byDest.entries()].map(([dest, src]) => ({ dest, src })).sort((a, b) => a.dest.localeCompare(b.dest));
  return { libs, missingByFile };
}
