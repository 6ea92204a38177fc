import { randomBytes } from 'node:crypto';
import { Dealer, Router, curveKeyPair } from 'zeromq';
import { AbortedError, BadFrameError, HandshakeError, InvalidArgumentError, TimeoutError } from '@sdnode/wire';
import type { Carrier, CarrierSink, DialOptions, OutboundStream } from '../engine/carrier.js';
import type { TransportLogger } from '../transport.js';
import { ZmqStream } from './zmq-stream.js';

/** A cluster-wide CurveZMQ keypair (Z85 strings, as made by zeromq's curveKeyPair()). */
export interface CurveKeys {
  readonly publicKey: string;
  readonly secretKey: string;
}

export interface ZmqCarrierOptions {
  /** Endpoint the Router binds, e.g. `tcp://127.0.0.1:0`. */
  readonly listen: string;
  /** Address peers dial; defaults to the bound endpoint. */
  readonly advertise?: string;
  readonly curve?: CurveKeys;
  /** Messages above this size are dropped by libzmq itself (it disconnects the sender). */
  readonly hardMessageLimit: number;
  /** Dealer send high-water mark, in messages (bounds what libzmq holds per peer). */
  readonly sendHighWaterMark: number;
  readonly logger: TransportLogger;
}

const FIRST_RETRY_MS = 20;
const MAX_RETRY_MS = 500;
const WILDCARD_HOST = /^tcp:\/\/(0\.0\.0\.0|\*|\[::\]|\[\*\]):/;

type DialOutcome = { readonly ok: true } | { readonly ok: false; readonly auth: boolean; readonly reason: string };

/**
 * The Carrier of ZmqTransport: one Router bound for all inbound streams, one Dealer per outbound
 * stream (docs/protocols/handshake.md, "Sockets"). Dealers never reconnect by themselves
 * (reconnectInterval -1): a lost stream is reported once and a new connection is a new dial.
 */
export class ZmqCarrier implements Carrier {
  private router: Router | undefined;
  private readonly streams = new Set<ZmqStream>();
  private readonly clientKeys: CurveKeys | undefined;
  private closed = false;

  constructor(
    private readonly options: ZmqCarrierOptions,
    private readonly sink: CarrierSink,
  ) {
    this.clientKeys = options.curve === undefined ? undefined : curveKeyPair();
  }

  async listen(): Promise<string> {
    // libzmq takes a tcp port modulo 65536 (tcp://h:99999 binds 34463): refuse it here.
    const port = /^tcp:\/\/.*:(\d+)$/.exec(this.options.listen)?.[1];
    if (port !== undefined && Number(port) > 65535) {
      throw new InvalidArgumentError('listen', `"${this.options.listen}": port ${port} is out of range (0-65535)`);
    }
    const curve = this.options.curve;
    const router = new Router({
      linger: 0,
      maxMessageSize: this.options.hardMessageLimit,
      ...(curve === undefined ? {} : { curveServer: true, curvePublicKey: curve.publicKey, curveSecretKey: curve.secretKey }),
    });
    try {
      await router.bind(this.options.listen);
    } catch (error) {
      router.close();
      throw new InvalidArgumentError('listen', `cannot bind ${this.options.listen}: ${(error as Error).message}`);
    }
    const bound = router.lastEndpoint ?? this.options.listen;
    if (this.options.advertise === undefined && WILDCARD_HOST.test(bound)) {
      router.close();
      throw new InvalidArgumentError('advertise', `bound to the wildcard ${bound}: give an address peers can dial`);
    }
    this.router = router;
    void this.receiveLoop(router);
    return this.options.advertise ?? bound;
  }

  private async receiveLoop(router: Router): Promise<void> {
    const sink = this.sink;
    while (!router.closed) {
      let message: Buffer[];
      try {
        message = await router.receive();
      } catch (error) {
        if (router.closed || this.closed) return;
        this.options.logger.error({ err: error }, 'router receive failed');
        continue;
      }
      const streamId = message[0]!.toString('latin1');
      try {
        if (message.length === 2) sink.inbound(streamId, message[1]!, message[1]!.byteLength);
        else sink.malformed(streamId, new BadFrameError(`multipart message of ${message.length - 1} parts`));
      } catch (error) {
        this.options.logger.error({ err: error, streamId }, 'inbound handler threw');
      }
    }
  }

  async dial(address: string, options: DialOptions): Promise<OutboundStream> {
    const started = Date.now();
    let retry = FIRST_RETRY_MS;
    for (;;) {
      if (options.signal.aborted || this.closed) throw new AbortedError(`connect to ${options.node}`);
      const id = randomBytes(16).toString('hex');
      const dealer = this.newDealer(id);
      const outcome = await this.tryConnect(dealer, address, options);
      if (outcome.ok) {
        const stream = new ZmqStream(id, dealer, (s) => this.streams.delete(s));
        this.streams.add(stream);
        dealer.events.on('disconnect', () => {
          if (stream.isClosed) return;
          stream.close();
          options.onClosed(stream);
        });
        return stream;
      }
      dealer.linger = 0;
      dealer.close();
      if (outcome.auth) throw new HandshakeError(options.node, `security handshake with ${address} failed: ${outcome.reason}`);
      if (options.signal.aborted || this.closed) throw new AbortedError(`connect to ${options.node}`);
      const remaining = options.deadline - Date.now();
      if (remaining <= 0) {
        throw new TimeoutError(`connect to ${options.node} at ${address}`, options.deadline - started, { reason: outcome.reason });
      }
      await pause(Math.min(retry, remaining), options.signal);
      retry = Math.min(retry * 2, MAX_RETRY_MS);
    }
  }

  private newDealer(routingId: string): Dealer {
    const curve = this.options.curve;
    return new Dealer({
      routingId,
      linger: 0,
      reconnectInterval: -1,
      sendHighWaterMark: this.options.sendHighWaterMark,
      ...(curve === undefined || this.clientKeys === undefined
        ? {}
        : { curveServerKey: curve.publicKey, curvePublicKey: this.clientKeys.publicKey, curveSecretKey: this.clientKeys.secretKey }),
    });
  }

  /** Connect once and wait for the ZMTP handshake to finish or fail. */
  private tryConnect(dealer: Dealer, address: string, options: DialOptions): Promise<DialOutcome> {
    return new Promise<DialOutcome>((resolve) => {
      let done = false;
      const finish = (outcome: DialOutcome): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const onAbort = (): void => finish({ ok: false, auth: false, reason: 'aborted' });
      const timer = setTimeout(() => finish({ ok: false, auth: false, reason: 'no answer before the deadline' }), Math.max(0, options.deadline - Date.now()));
      options.signal.addEventListener('abort', onAbort, { once: true });
      const events = dealer.events;
      events.on('handshake', () => finish({ ok: true }));
      events.on('close', () => finish({ ok: false, auth: false, reason: 'connection refused' }));
      events.on('disconnect', () => finish({ ok: false, auth: false, reason: 'disconnected during the ZMTP handshake' }));
      events.on('handshake:error:protocol', (e) => finish({ ok: false, auth: true, reason: e.error.message }));
      events.on('handshake:error:auth', (e) => finish({ ok: false, auth: true, reason: e.error.message }));
      events.on('handshake:error:other', (e) => finish({ ok: false, auth: true, reason: e.error.message }));
      try {
        dealer.connect(address);
      } catch (error) {
        finish({ ok: false, auth: false, reason: `cannot dial ${address}: ${(error as Error).message}` });
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const stream of [...this.streams]) stream.close();
    this.streams.clear();
    this.router?.close();
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
