import type { Node } from '@sdnode/core';
import type { ApplicationConfig } from '@sdnode/config';
import { Application, DistributedApplications, type ApplicationDefinition } from '@sdnode/otp';
import { InvalidArgumentError, errorInfo } from '@sdnode/wire';
import type { EventLog } from '../event-log.js';

/** Whether `node` is one of the candidate nodes of a distributed application. */
function isCandidate(app: ApplicationConfig, node: string): boolean {
  return app.nodes.some((level) => level.includes(node));
}

/**
 * Before the node starts: every distributed application of the cluster file this node is a
 * candidate for must be defined by the user module (the other candidates count on it).
 */
export function checkDistributedApplications(node: string, distributed: readonly ApplicationConfig[], defined: readonly ApplicationDefinition[]): void {
  const names = new Set(defined.map((d) => d.name));
  const missing = distributed.filter((a) => isCandidate(a, node) && !names.has(a.name)).map((a) => a.name);
  if (missing.length > 0) {
    throw new InvalidArgumentError('--module', `the cluster file makes ${node} a candidate of ${missing.join(', ')}, which the module does not define (export them in "applications")`);
  }
}

/**
 * Start the node's application controller with the user's applications; the distributed
 * application controller when this node is a candidate of a distributed application; then every
 * other application here (a distributed application runs where its controller decides, never
 * started by hand). A local application that fails to start takes the node down.
 */
export async function startApplications(node: Node, defined: readonly ApplicationDefinition[], distributed: readonly ApplicationConfig[], log: EventLog): Promise<void> {
  await Application.startController(node, { applications: defined });
  if (distributed.some((a) => isCandidate(a, node.name))) await DistributedApplications.startController(node, { applications: distributed });
  const elsewhere = new Set(distributed.map((a) => a.name));
  for (const app of defined) {
    if (elsewhere.has(app.name)) continue;
    try {
      await Application.start(node, app.name);
      log.event('application_started', { application: app.name });
    } catch (error) {
      void node.stop({ reason: `application ${app.name} failed to start: ${errorInfo(error).message}` });
      return;
    }
  }
}
