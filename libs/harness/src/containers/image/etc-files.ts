// The few /etc files a FROM-scratch image needs.
//
// glibc >= 2.34 has the `files` and `dns` NSS modules built into libc.so.6, so name resolution
// only needs nsswitch.conf to say where to look. Docker mounts /etc/resolv.conf (pointing at its
// embedded DNS on user-defined networks, which resolves container names and network aliases),
// /etc/hosts and /etc/hostname at run time; the image ships a minimal /etc/hosts for `docker run`
// without a network.
import type { ContentEntry, DirEntry } from './plan-entry.js';

/** The user the node runs as inside the container (no root needed). */
export const RUN_AS = { uid: 65534, gid: 65534, name: 'nobody' } as const;

export function etcFiles(): ContentEntry[] {
  const file = (dest: string, lines: string[]): ContentEntry => ({ kind: 'content', dest, content: `${lines.join('\n')}\n`, mode: 0o644 });
  return [
    file('/etc/passwd', ['root:x:0:0:root:/root:/sbin/nologin', `${RUN_AS.name}:x:${RUN_AS.uid}:${RUN_AS.gid}:${RUN_AS.name}:/nonexistent:/sbin/nologin`]),
    file('/etc/group', ['root:x:0:', `nogroup:x:${RUN_AS.gid}:`]),
    file('/etc/nsswitch.conf', ['passwd: files', 'group: files', 'shadow: files', 'hosts: files dns', 'networks: files', 'protocols: files', 'services: files']),
    file('/etc/hosts', ['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback']),
    file('/etc/host.conf', ['multi on']),
  ];
}

/** Directories the runtime expects to exist. */
export function baseDirectories(): DirEntry[] {
  return [
    { kind: 'dir', dest: '/tmp', mode: 0o1777 },
    { kind: 'dir', dest: '/root', mode: 0o700 },
    { kind: 'dir', dest: '/etc', mode: 0o755 },
  ];
}
