import { describe, expect, it } from 'vitest';
import { transportCompliance, type ComplianceCluster } from '../testing/compliance.js';
import type { Transport } from '../transport.js';
import { MemoryNetwork } from './memory-network.js';
import { MemoryTransport } from './memory-transport.js';

function memoryCluster(encode: boolean): ComplianceCluster {
  const network = new MemoryNetwork();
  const started: Transport[] = [];
  return {
    async start(options) {
      const t = new MemoryTransport({ cookie: 'unset', ...options, network, encode });
      started.push(t);
      await t.listen();
      return t;
    },
    async dispose() {
      await Promise.all(started.map((t) => t.close()));
    },
  };
}

transportCompliance('MemoryTransport', () => memoryCluster(false));
transportCompliance('MemoryTransport with encode: true', () => memoryCluster(true));
