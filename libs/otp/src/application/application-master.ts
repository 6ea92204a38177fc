import { defineProcess, isExitMessage, type ProcessContext } from '@sdnode/core';
import { ExitReasons, InvalidArgumentError, NoProcError, Pid } from '@sdnode/wire';
import { isOtpType } from '../common/otp-type.js';
import { Sys } from '../common/sys.js';
import type { ApplicationDefinition, StartType } from './application-spec.js';

/**
 * The application master (Erlang's application_master): one process per running application,
 * linked to the application controller and to the application's top supervisor. It runs the
 * start callback, reports `{ $appStarted }` to the controller, and then either
 * - gets `{ $appStop }`: prepStop, stops the tree (the top supervisor stops its children in
 *   reverse start order, each within its shutdown time), stop, and exits `normal`; or
 * - sees the top supervisor exit by itself: exits with the same reason, which is how the
 *   controller learns why the application ended.
 * A start callback that throws makes the master exit with that error: the start failed.
 */

/** The master's report that the start callback returned. */
export interface AppStartedMessage {
  readonly $appStarted: string;
  readonly master: Pid;
}

/** The controller's request to stop the application. */
export interface AppStopMessage {
  readonly $appStop: string;
}

export function isAppStarted(msg: unknown): msg is AppStartedMessage {
  return typeof msg === 'object' && msg !== null && typeof (msg as { $appStarted?: unknown }).$appStarted === 'string';
}

function isAppStop(msg: unknown): msg is AppStopMessage {
  return typeof msg === 'object' && msg !== null && typeof (msg as { $appStop?: unknown }).$appStop === 'string';
}

/** The master's start arguments (a local spawn: they may hold functions). */
export interface MasterArgs {
  readonly definition: ApplicationDefinition;
  readonly env: Readonly<Record<string, unknown>>;
  readonly startType: StartType;
  readonly controller: Pid;
  /** How long the tree may take to stop before it is killed. */
  readonly stopTimeout: number;
}

function topOf(result: unknown, name: string): { pid: Pid; state: unknown } {
  if (result instanceof Pid) return { pid: result, state: undefined };
  if (typeof result === 'object' && result !== null && (result as { pid?: unknown }).pid instanceof Pid) {
    return { pid: (result as { pid: Pid }).pid, state: (result as { state?: unknown }).state };
  }
  throw new InvalidArgumentError('application start', `${name}: start must return the top supervisor's pid (or { pid, state })`);
}

export const ApplicationMaster = defineProcess('sdnode.otp.application_master', async (ctx: ProcessContext, args: MasterArgs) => {
  const { definition: def, controller } = args;
  ctx.trapExit(true);
  const top = topOf(await def.callbacks.start({ ctx, name: def.name, env: args.env, startType: args.startType }), def.name);
  if (top.pid.node !== ctx.node.name) throw new InvalidArgumentError('application start', `${def.name}: the top supervisor must run on this node`);
  ctx.link(top.pid); // already linked when started with startLink; links are idempotent
  ctx.send(controller, { $appStarted: def.name, master: ctx.self } satisfies AppStartedMessage);
  for (;;) {
    const msg = await ctx.receive();
    if (isAppStop(msg)) {
      await stopTree(ctx, args, top.pid, top.state);
      return; // exits normal
    }
    if (!isExitMessage(msg)) continue;
    if (msg.from.equals(top.pid)) ctx.exit(msg.reason); // the application ended by itself
    if (msg.from.equals(controller)) {
      await stopTree(ctx, args, top.pid, top.state);
      ctx.exit(msg.reason);
    }
    // Another linked process (the start callback may have linked some): not the application's end.
  }
});

/** prepStop, stop the tree (awaiting its terminates), stop. Callback failures are logged. */
async function stopTree(ctx: ProcessContext, args: MasterArgs, top: Pid, state: unknown): Promise<void> {
  const cb = args.definition.callbacks;
  const name = args.definition.name;
  let s = state;
  if (cb.prepStop !== undefined) {
    try {
      s = await cb.prepStop(s);
    } catch (e) {
      ctx.log.error({ err: e, application: name }, 'application prepStop failed');
    }
  }
  await terminateTop(ctx, top, args.stopTimeout);
  if (cb.stop !== undefined) {
    try {
      await cb.stop(s);
    } catch (e) {
      ctx.log.error({ err: e, application: name }, 'application stop failed');
    }
  }
}

/**
 * Stop the top process: an OTP behaviour through Sys.terminate (it runs terminate, which for a
 * supervisor stops the children first), anything else with an exit signal; killed when it takes
 * longer than `timeout`. Then its EXIT is taken out of the mailbox.
 */
async function terminateTop(ctx: ProcessContext, top: Pid, timeout: number): Promise<void> {
  const info = ctx.node.processInfo(top);
  if (info === undefined) return;
  const type = ctx.node.processType(info.type);
  try {
    if (type !== undefined && isOtpType(type)) {
      await Sys.terminate(ctx, top, ExitReasons.shutdown(), { timeout });
    } else {
      ctx.exit(top, ExitReasons.shutdown());
    }
  } catch (e) {
    if (!(e instanceof NoProcError)) {
      ctx.log.warn({ err: e, pid: top.toString() }, 'application top process did not stop in time; killing it');
      ctx.exit(top, ExitReasons.kill);
    }
  }
  const exited = await ctx.receive((m) => (isExitMessage(m) && m.from.equals(top) ? m : undefined), { timeout, onTimeout: () => null });
  if (exited === null) {
    ctx.exit(top, ExitReasons.kill);
    await ctx.receive((m) => (isExitMessage(m) && m.from.equals(top) ? m : undefined), { timeout, onTimeout: () => null });
  }
}
