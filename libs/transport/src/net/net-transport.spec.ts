import { transportCompliance, type ComplianceCluster } from '../testing/compliance.js';
import { StaticResolver } from '../static-resolver.js';
import type { Transport } from '../transport.js';
import { NetTransport } from './net-transport.js';

function netCluster(): ComplianceCluster {
  const resolver = new StaticResolver();
  const started: Transport[] = [];
  return {
    async start(options) {
      const t = new NetTransport({ cookie: 'unset', ...options, resolver, listen: 'tcp://127.0.0.1:0' });
      started.push(t);
      resolver.learn(options.name, await t.listen());
      return t;
    },
    async dispose() {
      await Promise.all(started.map((t) => t.close()));
    },
  };
}

transportCompliance('NetTransport', netCluster);
