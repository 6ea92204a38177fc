// The shared libraries a dynamic ELF file needs, as `ldd` lists them.
//
// The image is FROM scratch, so every library the node binary and the native
// addons link against (and the dynamic loader itself) must be copied in at the
// path the loader will look for it.
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';

/** Thrown when `ldd` cannot be run at all (not when a file is not dynamic). */
export class LddUnavailableError extends Error {
  constructor(detail) {
    super(`cannot run ldd to list shared libraries: ${detail}`);
    this.name = 'LddUnavailableError';
  }
}

/**
 * Parse `ldd` output into absolute library paths.
 * Handles "name => /path (0x..)", "/lib64/ld-linux-x86-64.so.2 (0x..)",
 * and skips the vdso and "=> not found" entries.
 * @param {string} output
 * @returns {{ found: string[], missing: string[] }}
 */
export function parseLddOutput(output) {
  const found = [];
  const missing = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('linux-vdso') || line.startsWith('linux-gate')) continue;
    const arrow = line.match(/^(\S+)\s+=>\s+(.*)$/);
    if (arrow) {
      const target = arrow[2].trim();
      if (target.startsWith('not found')) {
        missing.push(arrow[1]);
        continue;
      }
      const path = target.match(/^(\/\S+)/);
      if (path) found.push(path[1]);
      continue;
    }
    const direct = line.match(/^(\/\S+)\s+\(0x[0-9a-f]+\)$/);
    if (direct) found.push(direct[1]);
  }
  return { found, missing };
}

/**
 * Libraries needed by one file. A file that is not a dynamic executable for
 * this machine (another OS's addon, a static binary) needs none.
 * @param {string} file
 * @returns {{ found: string[], missing: string[], dynamic: boolean }}
 */
export function librariesOf(file) {
  const result = spawnSync('ldd', [file], { encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw new LddUnavailableError(result.error.message);
  const output = `${result.stdout ?? ''}`;
  if (/not a dynamic executable/.test(`${output}${result.stderr ?? ''}`)) {
    return { found: [], missing: [], dynamic: false };
  }
  const parsed = parseLddOutput(output);
  return { ...parsed, dynamic: parsed.found.length > 0 };
}

/**
 * Union of the libraries needed by several files, as
 * { dest: path the loader uses, src: the real file behind it }.
 * @param {string[]} files
 * @returns {{ libs: { dest: string, src: string }[], missingByFile: Map<string, string[]> }}
 */
export function librariesOfAll(files) {
  const byDest = new Map();
  const missingByFile = new Map();
  for (const file of files) {
    const { found, missing } = librariesOf(file);
    if (missing.length > 0) missingByFile.set(file, missing);
    for (const dest of found) {
      if (!byDest.has(dest)) byDest.set(dest, realpathSync(dest));
    }
  }
  const libs = [...byDest.entries()]
    .map(([dest, src]) => ({ dest, src }))
    .sort((a, b) => a.dest.localeCompare(b.dest));
  return { libs, missingByFile };
}
