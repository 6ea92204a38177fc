import type { HelloFrame, RefuseFrame } from '@sdnode/wire';
import type { TransportLogger } from '../transport.js';
import type { Carrier } from './carrier.js';
import type { FrameFormat } from './frame-format.js';

/** How long a stream that carries a final REFUSE stays open to let it leave (ms). */
export const REFUSE_FLUSH_MS = 1_000;
/** At most this many dial-backs that only carry a REFUSE at once (each costs an outbound connect). */
export const MAX_REFUSALS_IN_FLIGHT = 8;

/**
 * Tells a refused initiator why (REFUSE{version | not_allowed}) before any connection exists:
 * it dials the address given in the HELLO, writes one REFUSE and closes. Bounded, because
 * anyone who can reach the Router can make this node dial out.
 */
export class RefusalDialer {
  private inFlight = 0;

  constructor(
    private readonly format: FrameFormat,
    private readonly logger: TransportLogger,
    private readonly carrier: () => Carrier,
    private readonly timeoutMs: number,
    /** The outbound delay in force (ms): a REFUSE is held that long before it is written, like every frame. */
    private readonly delay: () => number = () => 0,
  ) {}

  refuse(hello: HelloFrame, reason: RefuseFrame['reason']): void {
    if (this.inFlight >= MAX_REFUSALS_IN_FLIGHT) {
      this.logger.debug({ peer: hello.name, reason }, 'too many refusals in flight; not telling this one');
      return;
    }
    this.inFlight++;
    const payload = this.format.batch([this.format.newEncoder(Number.MAX_SAFE_INTEGER).encode({ kind: 'refuse', session: hello.session, reason })]);
    this.carrier()
      .dial(hello.address, {
        node: hello.name,
        deadline: Date.now() + this.timeoutMs,
        signal: new AbortController().signal,
        onClosed: () => {},
      })
      .then(async (stream) => {
        try {
          const held = this.delay();
          if (held > 0) await new Promise((resolve) => setTimeout(resolve, held).unref());
          await stream.write(payload);
        } finally {
          stream.close(REFUSE_FLUSH_MS);
        }
      })
      .catch((error: unknown) => this.logger.debug({ peer: hello.name, err: error }, 'could not deliver a refusal'))
      .finally(() => this.inFlight--);
  }
}
