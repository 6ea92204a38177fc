// The container e2e support: import from here in e2e/*.e2e.ts files.
import './env.js';

export { ContainerCluster, hostOf, nodeAddress, NODE_PORT, type NodeSpec, type ProcessSpec } from './cluster.js';
export { e2eContext, suiteTitle, type E2eContext } from './context.js';
export { NodeLog, type NodeEvent } from '@sdnode/harness';
export { DEFAULT_EVENT_TIMEOUT_MS, NodeContainer } from './node-container.js';
export { useContainerCluster } from './use-cluster.js';
export { useHarnessCluster } from './use-harness-cluster.js';

/** Paths inside the node image (see tools/image). */
export const IMAGE_NODE_BINARY = '/usr/local/bin/node';
export const IMAGE_FIXTURES_DIR = '/app/e2e/fixtures';
