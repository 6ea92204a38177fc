import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { FaultInjectionError } from '@sdnode/wire';

const CHAIN = 'DOCKER-USER';
const COMMENT_PREFIX = 'sdnode-harness';
const TIMEOUT_MS = 10_000;

function iptables(binary: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['-w', '5', ...args], { timeout: TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${binary} ${args.join(' ')}: ${`${stderr}`.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/** The comment on every rule of one partitioner: `sdnode-harness:<owner pid>:<id>`. */
const commentOf = (owner: number, id: string): string => `${COMMENT_PREFIX}:${owner}:${id}`;

/**
 * Which iptables (nft or legacy) holds Docker's DOCKER-USER chain, and is bridged traffic
 * filtered at all (br_netfilter)? Containers on one user-defined network talk over a bridge:
 * without `net.bridge.bridge-nf-call-iptables = 1` no iptables rule sees their packets.
 */
async function findIptables(): Promise<string> {
  const bridged = await readFile('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').catch(() => '');
  if (bridged.trim() !== '1') {
    throw new FaultInjectionError(
      'partition containers',
      'bridged traffic bypasses iptables (br_netfilter is not loaded or net.bridge.bridge-nf-call-iptables is 0); as root: modprobe br_netfilter',
    );
  }
  const reasons: string[] = [];
  for (const binary of ['iptables', 'iptables-legacy']) {
    try {
      await iptables(binary, ['-S', CHAIN]);
      return binary;
    } catch (error) {
      reasons.push((error as Error).message);
    }
  }
  throw new FaultInjectionError('partition containers', `no ${CHAIN} chain reachable (needs root and Docker's iptables rules): ${reasons.join('; ')}`);
}

/**
 * Container-mode partitions: DROP rules in the host's DOCKER-USER chain between the container
 * IPs of different sides, both directions. Established connections are cut too (the chain comes
 * before Docker's conntrack accept), so the nodes see a real partition: silence, then nodedown
 * `tick_timeout`. Every rule carries a comment naming the owning process, so `heal`, `close` and
 * `sweepPartitionRules` (for runs that died) remove exactly the harness's rules.
 */
export class IptablesPartition {
  private binary: string | undefined;
  private readonly rules: string[][] = [];

  constructor(
    private readonly owner: number,
    private readonly id: string,
  ) {}

  /** Drop traffic between every pair of IPs in different sides (replaces any earlier partition). */
  async apply(sides: readonly (readonly string[])[]): Promise<void> {
    this.binary ??= await findIptables();
    await this.clear();
    const comment = commentOf(this.owner, this.id);
    for (const [i, side] of sides.entries()) {
      for (const [j, other] of sides.entries()) {
        if (i === j) continue;
        for (const from of side) {
          for (const to of other) {
            const rule = ['-s', from, '-d', to, '-m', 'comment', '--comment', comment, '-j', 'DROP'];
            try {
              await iptables(this.binary, ['-I', CHAIN, ...rule]);
            } catch (error) {
              throw new FaultInjectionError('partition containers', (error as Error).message);
            }
            this.rules.push(rule);
          }
        }
      }
    }
  }

  /** Remove every rule this partition added. */
  async clear(): Promise<void> {
    const binary = this.binary;
    if (binary === undefined) return;
    const failures: string[] = [];
    while (this.rules.length > 0) {
      const rule = this.rules.pop()!;
      try {
        await iptables(binary, ['-D', CHAIN, ...rule]);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    if (failures.length > 0) throw new FaultInjectionError('heal the container partition', failures.join('; '));
  }
}

/**
 * Remove the harness's DOCKER-USER rules whose owner pid matches `owned` (e.g. runs that no
 * longer exist). Returns how many were removed; 0 when there is no such chain or no permission.
 */
export async function sweepPartitionRules(owned: (ownerPid: number) => boolean): Promise<number> {
  let removed = 0;
  for (const binary of ['iptables', 'iptables-legacy']) {
    let listing: string;
    try {
      listing = await iptables(binary, ['-S', CHAIN]);
    } catch {
      continue;
    }
    for (const line of listing.split('\n')) {
      const m = new RegExp(`^-A ${CHAIN} (.*--comment "?(${COMMENT_PREFIX}:(\\d+):[^" ]+)"? .*)$`).exec(line);
      if (m === null || !owned(Number(m[3]))) continue;
      const spec = m[1]!.replace(/"/g, '').split(/\s+/);
      try {
        await iptables(binary, ['-D', CHAIN, ...spec]);
        removed++;
      } catch {
        // gone meanwhile, or not ours to remove
      }
    }
  }
  return removed;
}
