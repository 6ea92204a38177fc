import { describe, expect, it } from 'vitest';
import { librariesOf, parseLddOutput } from './native-libs.js';

describe('parseLddOutput', () => {
  it('takes the resolved path of every library and the loader, and skips the vdso', () => {
    const out = [
      '\tlinux-vdso.so.1 (0x00007ffd5b1f2000)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f3d90c00000)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f3d90a1e000)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f3d90ff0000)',
    ].join('\n');
    expect(parseLddOutput(out)).toEqual({
      found: ['/lib/x86_64-linux-gnu/libstdc++.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2'],
      missing: [],
    });
  });

  it('reports libraries ldd cannot find instead of dropping them silently', () => {
    const out = '\tlibc.musl-x86_64.so.1 => not found\n\tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x1)\n';
    expect(parseLddOutput(out)).toEqual({ found: ['/lib/x86_64-linux-gnu/libm.so.6'], missing: ['libc.musl-x86_64.so.1'] });
  });
});

describe('librariesOf', () => {
  it('lists the dynamic loader and libc for the running node binary', () => {
    const { found, dynamic } = librariesOf(process.execPath);
    expect(dynamic).toBe(true);
    expect(found.some((p: string) => /\/ld-linux[^/]*\.so/.test(p))).toBe(true);
    expect(found.some((p: string) => /\/libc\.so/.test(p))).toBe(true);
  });

  it('says a file that is not a dynamic executable needs nothing', () => {
    const { found, dynamic } = librariesOf(new URL(import.meta.url).pathname);
    expect(dynamic).toBe(false);
    expect(found).toEqual([]);
  });
});
