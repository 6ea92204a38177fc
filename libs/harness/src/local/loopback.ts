/**
 * The loopback address of the `index`-th node (0-based): 127.0.0.2, 127.0.0.3, ... 127.0.0.254,
 * then 127.0.1.1 and on. Linux routes all of 127.0.0.0/8 to the loopback interface, so each node
 * gets its own address without any set-up; 127.0.0.1 is left to the test driver.
 */
export function loopbackAddress(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= 254 * 255) throw new RangeError(`no loopback address for node index ${index}`);
  const k = index + 1;
  return `127.0.${Math.floor(k / 254)}.${(k % 254) + 1}`;
}

/** Whether this platform routes every 127.x.y.z address to loopback (Linux does; macOS only has 127.0.0.1). */
export function hasLoopbackRange(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'linux';
}
