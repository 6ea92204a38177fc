import { describe, expect, it } from 'vitest';
import * as processErrors from './process-errors.js';
import * as wireErrors from './wire-errors.js';
import * as connectionErrors from './connection-errors.js';
import * as harnessErrors from './harness-errors.js';
import * as otpErrors from './otp-errors.js';
import * as registryErrors from './registry-errors.js';
import * as sgroupErrors from './sgroup-errors.js';
import * as placementErrors from './placement-errors.js';
import { RemoteError, SdnodeError } from './sdnode-error.js';
import { errorFromWire, isWireError, knownErrorCodes } from './error-registry.js';
import { TermCodec } from '../codec/term-codec.js';

type AnyErrorClass = new (...args: unknown[]) => SdnodeError;

/** One instance of every typed error class, built with realistic arguments. */
const SAMPLES: readonly SdnodeError[] = [
  new processErrors.NoProcError('<a@h.1.1>', { node: 'a@h' }),
  new processErrors.NoConnectionError('b@h'),
  new processErrors.TimeoutError('call', 5000, { target: 'srv' }),
  new processErrors.AbortedError('receive'),
  new processErrors.CalleeExitError('<a@h.1.1>', { kind: 'killed' }),
  new processErrors.UnknownProcessTypeError('worker', 'a@h'),
  new processErrors.UnknownFunctionError('sum', 'a@h'),
  new processErrors.NameTakenError('db', '<a@h.2.1>'),
  new processErrors.AlreadyRegisteredError('<a@h.2.1>', 'db'),
  new processErrors.InvalidArgumentError('timeout', 'must be positive'),
  new processErrors.NodeStoppedError('a@h'),
  new processErrors.RemoteCallError('a@h', 'sum', { name: 'TypeError', message: 'x is not a number' }),
  new wireErrors.NotSendableError('msg.fn', 'a function'),
  new wireErrors.BadFrameError('truncated', { index: 3 }),
  new wireErrors.FrameTooLargeError(100, 10),
  new wireErrors.UnknownFrameTypeError(99),
  new wireErrors.ProtocolVersionError(9, [1]),
  new connectionErrors.BadCookieError('b@h'),
  new connectionErrors.HandshakeError('b@h', 'timeout'),
  new connectionErrors.UnresolvableNodeError('b@h'),
  new connectionErrors.PeerOverloadError('b@h', 2000, 1000),
  new connectionErrors.ConnectionRefusedError('b@h', 'duplicate'),
  new harnessErrors.NodeExitedError('b@h', 'killed by SIGKILL'),
  new harnessErrors.FaultInjectionError('partition', 'iptables is missing'),
  new harnessErrors.ContainerRuntimeError('building the node image', 'no Docker engine'),
  new otpErrors.StartError('counter', { kind: 'error', error: { name: 'Error', message: 'boom' } }),
  new otpErrors.BadReturnError('handleCall(get)', '42'),
  new otpErrors.UnknownRequestError('counter', 'call frobnicate'),
  new otpErrors.ChildNotFoundError('<a@h.3.1>', 'cache'),
  new otpErrors.ChildExistsError('<a@h.3.1>', 'cache', true),
  new otpErrors.ChildRunningError('<a@h.3.1>', 'cache'),
  new otpErrors.HandlerNotFoundError('alarms', 'logger'),
  new otpErrors.HandlerExistsError('alarms', 'logger'),
  new otpErrors.HandlerCrashError('alarms', 'logger', { kind: 'error', error: { name: 'TypeError', message: 'x' } }),
  new otpErrors.CodeChangeError('<a@h.3.1>', 'incompatible'),
  new otpErrors.UnknownApplicationError('billing', 'a@h'),
  new otpErrors.ApplicationDependencyError('billing', 'dependency cycle', ['billing', 'ledger', 'billing']),
  new otpErrors.ApplicationNotRunningError('billing', 'a@h'),
  new otpErrors.DistributedApplicationError('billing', 'started by the distributed application controller only'),
  new otpErrors.UpgradeError('shop.cart', 'a@h', 'codeChange of <a@h.7.1> failed: incompatible'),
  new placementErrors.NoEligibleNodeError('a@h', '{"where":{"tier":"web"}}', 2, [{ node: 'b@h', excludedBy: 'where tier eq "web"' }, { node: 'c@h', score: 0.5 }]),
  new placementErrors.UnknownPlacementPolicyError('replicas', 'a@h'),
  new placementErrors.InvalidPlacementSpecError('count', 'an integer >= 1'),
];

describe('error registry', () => {
  const codec = new TermCodec();

  const exported = [...Object.values(processErrors), ...Object.values(wireErrors), ...Object.values(connectionErrors), ...Object.values(harnessErrors), ...Object.values(otpErrors), ...Object.values(registryErrors), ...Object.values(sgroupErrors), ...Object.values(placementErrors)] as AnyErrorClass[];
  /** The hand-made sample of each class, or one built with placeholder arguments for a class added later. */
  const everyClass: readonly SdnodeError[] = exported.map(
    (cls) => SAMPLES.find((s) => s.constructor === cls) ?? new cls('x@h', { name: 'Error', message: 'm' }, 'z'),
  );

  it('knows the code of every exported error class', () => {
    expect(new Set(knownErrorCodes())).toEqual(new Set(everyClass.map((e) => e.code)));
    expect(everyClass.length).toBeGreaterThanOrEqual(SAMPLES.length);
  });

  it('rebuilds every typed error received over the wire as its own class, with code, message and details', () => {
    for (const error of everyClass) {
      const decoded = codec.decode(codec.encode(error));
      expect(decoded.ok).toBe(true);
      const back = (decoded as unknown as { value: SdnodeError }).value;
      expect(back.constructor, error.name).toBe(error.constructor);
      expect(back).toBeInstanceOf(SdnodeError);
      expect(back).toBeInstanceOf(Error);
      expect(back.name).toBe(error.name);
      expect(back.code).toBe(error.code);
      expect(back.message).toBe(error.message);
      expect(back.details).toEqual(error.details);
      expect(back.toWire()).toEqual(error.toWire());
      expect(back.stack).toContain('received from a remote node');
    }
  });

  it('exposes the details as fields when the class does not define them otherwise', () => {
    const back = errorFromWire(new connectionErrors.PeerOverloadError('b@h', 2000, 1000).toWire()) as connectionErrors.PeerOverloadError;
    expect(back).toBeInstanceOf(connectionErrors.PeerOverloadError);
    expect([back.node, back.queuedBytes, back.limit]).toEqual(['b@h', 2000, 1000]);
  });

  it('rebuilds an unknown code as a RemoteError keeping code, message and details', () => {
    const back = errorFromWire({ code: 'ENEWTHING', message: 'from a newer node', details: { a: 1 } });
    expect(back).toBeInstanceOf(RemoteError);
    expect(back.toWire()).toEqual({ code: 'ENEWTHING', message: 'from a newer node', details: { a: 1 } });
  });

  it('recognises the wire shape of an error and nothing else', () => {
    expect(isWireError({ code: 'E', message: 'm', details: {} })).toBe(true);
    expect(isWireError({ code: 'E', message: 'm' })).toBe(false);
    expect(isWireError('E')).toBe(false);
  });
});
