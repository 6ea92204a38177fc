import type { ProcessContext, TimerRef } from '@sdnode/core';
import { TimerTick } from '../common/messages.js';
import type { StatemEvent } from './types.js';

interface Armed {
  readonly timer: TimerRef;
  readonly tick: TimerTick;
}

/**
 * The three kinds of gen_statem timeouts of one state machine. Each armed timeout is a message
 * the process sends itself (a TimerTick); a tick is only turned into an event while it is the
 * armed one, so a timeout cancelled after it fired is never seen.
 */
export class StatemTimers {
  private eventTimeout: Armed | null = null;
  private stateTimeout: Armed | null = null;
  private readonly generic = new Map<string, Armed>();

  constructor(private readonly ctx: ProcessContext) {}

  private arm(kind: string, ms: number, content: unknown, name?: string): Armed {
    const tick = new TimerTick(kind, name, content);
    return { timer: this.ctx.sendAfter(ms, this.ctx.self, tick), tick };
  }

  private cancel(armed: Armed | null): null {
    if (armed !== null) this.ctx.cancelTimer(armed.timer);
    return null;
  }

  /** Any event cancels the event timeout. */
  cancelEvent(): void {
    this.eventTimeout = this.cancel(this.eventTimeout);
  }

  /** Infinity: no timeout. */
  setEvent(ms: number, content: unknown): void {
    this.cancelEvent();
    if (ms !== Infinity) this.eventTimeout = this.arm('timeout', ms, content);
  }

  /** Replaces the state timeout; Infinity cancels it. */
  setState(ms: number, content: unknown): void {
    this.stateTimeout = this.cancel(this.stateTimeout);
    if (ms !== Infinity) this.stateTimeout = this.arm('state_timeout', ms, content);
  }

  cancelState(): void {
    this.stateTimeout = this.cancel(this.stateTimeout);
  }

  /** Replaces the generic timeout `name`; Infinity cancels it. */
  setGeneric(name: string, ms: number, content: unknown): void {
    this.cancel(this.generic.get(name) ?? null);
    this.generic.delete(name);
    if (ms !== Infinity) this.generic.set(name, this.arm('generic_timeout', ms, content, name));
  }

  /** The event a tick stands for, or null when it is stale (its timeout was cancelled or replaced). */
  eventOf(tick: TimerTick): StatemEvent | null {
    if (tick.kind === 'timeout' && this.eventTimeout?.tick === tick) {
      this.eventTimeout = null;
      return { type: 'timeout', content: tick.content };
    }
    if (tick.kind === 'state_timeout' && this.stateTimeout?.tick === tick) {
      this.stateTimeout = null;
      return { type: 'state_timeout', content: tick.content };
    }
    const name = tick.name as string;
    if (tick.kind === 'generic_timeout' && this.generic.get(name)?.tick === tick) {
      this.generic.delete(name);
      return { type: 'generic_timeout', name, content: tick.content };
    }
    return null;
  }

  cancelAll(): void {
    this.cancelEvent();
    this.cancelState();
    for (const armed of this.generic.values()) this.cancel(armed);
    this.generic.clear();
  }
}
