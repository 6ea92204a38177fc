import { HARNESS_LABEL, OWNER_LABEL, loadTestcontainers } from './testcontainers.js';
import { sweepPartitionRules } from './iptables-partition.js';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove harness containers whose owner pid matches `owned`, the networks they were on (when
 * nothing else uses them), and the owner's partition rules. Returns how many containers went.
 */
async function sweep(owned: (ownerPid: number) => boolean): Promise<number> {
  const { getContainerRuntimeClient } = await loadTestcontainers();
  const { dockerode } = (await getContainerRuntimeClient()).container;
  const containers = await dockerode.listContainers({ all: true, filters: { label: [HARNESS_LABEL] } });
  const networks = new Set<string>();
  let removed = 0;
  for (const info of containers) {
    const owner = Number(info.Labels[OWNER_LABEL]);
    if (!Number.isInteger(owner) || !owned(owner)) continue;
    for (const [name, net] of Object.entries(info.NetworkSettings?.Networks ?? {})) {
      if (!['bridge', 'host', 'none'].includes(name) && net.NetworkID) networks.add(net.NetworkID);
    }
    try {
      await dockerode.getContainer(info.Id).remove({ force: true, v: true });
      removed++;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
  for (const id of networks) {
    try {
      await dockerode.getNetwork(id).remove();
    } catch {
      // still in use by a container of a live run, or already gone
    }
  }
  await sweepPartitionRules(owned);
  return removed;
}

/** Leftovers (containers, networks, partition rules) of runs whose process no longer exists. */
export function sweepDeadRuns(): Promise<number> {
  return sweep((owner) => !processAlive(owner));
}

/** Everything that belongs to the run `ownerPid` (its final clean-up). */
export function sweepRun(ownerPid: number): Promise<number> {
  return sweep((owner) => owner === ownerPid);
}
