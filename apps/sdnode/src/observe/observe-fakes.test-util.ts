import type { ObserveSummary } from '@sdnode/harness';
import type { AskOptions, ClusterSource, ProcessDetails } from './cluster-source.js';

/** How a fake node answers: a summary, an error, or never (until the request's timeout/signal). */
export type FakeAnswer = ObserveSummary | Error | 'hang';

/** A summary with defaults: a free node connected to `visible`. */
export function summary(name: string, parts: Partial<ObserveSummary> = {}): ObserveSummary {
  return {
    name,
    creation: 1,
    address: `tcp://${name.split('@')[1] ?? '127.0.0.1'}:4370`,
    hidden: false,
    kind: 'free',
    connections: { visible: [], pointToPoint: [], hidden: [] },
    addresses: {},
    groups: [],
    unreachable: [],
    processCount: 3,
    load: { elu: 0.1, runQueue: 0, rssMiB: 50, heapUsedMiB: 10 },
    mailboxes: [],
    names: [],
    ...parts,
  };
}

/** A ClusterSource over a table of answers, which the test changes as it goes; it counts the requests. */
export class FakeSource implements ClusterSource {
  readonly self = 'observer@127.0.0.1';
  readonly answers = new Map<string, FakeAnswer>();
  readonly asked: string[] = [];
  readonly inFlight = new Map<string, number>();
  maxInFlightPerNode = 0;
  observerConnections: string[] = [];

  connected(): string[] {
    return this.observerConnections;
  }

  async summary(node: string, _address: string | null, options: AskOptions): Promise<ObserveSummary> {
    this.asked.push(node);
    const now = (this.inFlight.get(node) ?? 0) + 1;
    this.inFlight.set(node, now);
    this.maxInFlightPerNode = Math.max(this.maxInFlightPerNode, now);
    try {
      const answer = this.answers.get(node) ?? new Error(`no connection to ${node}`);
      if (answer === 'hang') {
        await new Promise<never>((_, reject) => {
          const timer = setTimeout(() => reject(new Error(`timeout after ${options.timeout} ms`)), options.timeout);
          options.signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('aborted'));
          });
        });
      }
      if (answer instanceof Error) throw answer;
      return answer as ObserveSummary;
    } finally {
      this.inFlight.set(node, (this.inFlight.get(node) ?? 1) - 1);
    }
  }

  async processes(): Promise<{ total: number; processes: [] }> {
    return { total: 0, processes: [] };
  }

  async process(): Promise<ProcessDetails | null> {
    return null;
  }
}
