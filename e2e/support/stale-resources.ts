// Without Ryuk, a run that is killed (Ctrl-C, a CI timeout) leaves its
// containers behind. Every e2e container is labelled with the pid of the test
// run that owns it; this module removes the containers of a given run, or of
// runs whose process is gone, and the networks they were on.
import './env.js';
import { getContainerRuntimeClient } from 'testcontainers';
import { E2E_LABEL, OWNER_LABEL } from './env.js';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove e2e containers whose owner matches `owned` (and their networks, when
 * nothing else uses them). Returns how many containers were removed.
 */
async function sweep(owned: (ownerPid: number) => boolean): Promise<number> {
  const { dockerode } = (await getContainerRuntimeClient()).container;
  const containers = await dockerode.listContainers({ all: true, filters: { label: [E2E_LABEL] } });
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
  return removed;
}

/** Leftovers of e2e runs whose process no longer exists. */
export function sweepDeadRuns(): Promise<number> {
  return sweep((owner) => !processAlive(owner));
}

/** Everything that belongs to the run `ownerPid` (its final clean-up). */
export function sweepRun(ownerPid: number): Promise<number> {
  return sweep((owner) => owner === ownerPid);
}
