import type { ProcessType } from '@sdnode/core';

/** The behaviours; each OTP process type says which one it runs. */
export type BehaviourName = 'gen_server' | 'supervisor' | 'gen_statem' | 'event_manager';

/**
 * A process type that runs a behaviour. It is a core ProcessType (pass it in a node's `types`
 * to make it spawnable by name from other nodes) that also speaks the start protocol: started
 * with GenServer.start / Supervisor.start..., its init is acknowledged to the starter.
 */
export interface OtpType<A extends unknown[] = any[]> extends ProcessType<A> {
  readonly behaviour: NonNullable<ProcessType<A>['behaviour']>;
  readonly otp: BehaviourName;
  /** The version of the implementation (given to codeChange as the old version). */
  readonly vsn: string | number | undefined;
}

export function isOtpType(value: unknown): value is OtpType {
  if (typeof value !== 'object' || value === null) return false;
  const otp = (value as { otp?: unknown }).otp;
  return otp === 'gen_server' || otp === 'supervisor' || otp === 'gen_statem' || otp === 'event_manager';
}
