export { Pid, isPid, parsePid } from './pid.js';
export { Ref, isRef } from './ref.js';
export { type NodeName, isValidNodeName, nodeHost } from './node-name.js';
export type { Term } from './term.js';
export {
  type ExitReason,
  type ErrorInfo,
  ExitReasons,
  errorInfo,
  isExitReason,
  isNormalExit,
  formatExitReason,
} from './exit-reason.js';
export * from './errors/index.js';
export * from './frames.js';
export { FrameCodec, type DecodedBatch, type FrameCodecOptions } from './codec/frame-codec.js';
