export { NodeProcess, type NodeEvent } from './node-process.js';
export { LocalCluster } from './local-cluster.js';
