import type { Frame, FrameKind, OpCode } from '../frames.js';
import type { FieldProblem } from './field-checks.js';

/**
 * The schema of one frame kind: its op, its array layout on the wire and its field checks.
 * On the wire a frame is `[op, ...fields]`, fields in the order of `fields`.
 */
export interface FrameSchema<F extends Frame = Frame> {
  readonly op: OpCode;
  readonly kind: F['kind'];
  /** Field names in wire order (after the op). */
  readonly fields: readonly string[];
  /**
   * HELLO and CHALLENGE keep their layout in every protocol version so that versions can be
   * negotiated: a later version may append fields, which this version ignores. All other frames
   * must have exactly `fields.length + 1` elements.
   */
  readonly extensible: boolean;
  /** The field holding an arbitrary term (checked for sendability on encode), if any. */
  readonly termField?: keyof F & string;
  /** Nesting level of the term field's container in the frame (the frame array is level 1). */
  readonly termLevel?: number;
  toArray(frame: F): unknown[];
  /** Build the frame from a wire array whose op and length were checked (fields are not). */
  fromArray(array: readonly unknown[]): F;
  /** Check every field; the first problem found, or undefined. */
  check(frame: F): FieldProblem;
}

/** Helper that keeps each schema's frame type precise while storing them in one table. */
export function defineSchema<K extends FrameKind>(schema: FrameSchema<Extract<Frame, { kind: K }>>): FrameSchema {
  return schema as unknown as FrameSchema;
}
