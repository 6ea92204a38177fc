export {
  transportCompliance,
  seqFrame,
  COMPLIANCE_COOKIE,
  type ComplianceCluster,
  type ComplianceFactory,
  type ComplianceNodeOptions,
} from './compliance.js';
export { EventRecorder, type RecordedEvent } from './event-recorder.js';
export { waitUntil, type WaitOptions } from './wait-until.js';
