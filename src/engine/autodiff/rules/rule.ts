// What a VJP rule is: which inputs carry gradients, and how to emit the inputs' adjoints from
// the outputs' adjoints. Rules see static facts (shapes) through the Emitter, never run anything.
import type { NodeProto } from '../../onnx.ts';
import type { Emitter } from '../emit.ts';

export interface VjpRule {
  /** Input slots that carry gradients; the others (shapes, axes, indices, bounds) do not. */
  diff: number[] | 'all';
  /**
   * Emit the adjoints of the inputs flagged in `need`, given the adjoints of the outputs
   * (`undefined` = zero: that output does not reach the objective). Return one entry per input.
   */
  vjp(e: Emitter, n: NodeProto, gy: (string | undefined)[], need: boolean[]): (string | undefined)[];
}

export type RuleTable = Record<string, VjpRule>;
