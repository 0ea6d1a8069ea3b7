// VJPs of the reductions beyond Sum/Mean/Max/Min: the norms L1, L2, SumSquare, and LogSum,
// LogSumExp (ReduceProd has no rule: its gradient is 0/0 at zeros). Each spreads the reduced adjoint back.
import { attr } from '../../graph.ts';
import type { NodeProto } from '../../onnx.ts';
import { unsqueeze, type Emitter } from '../emit.ts';
import type { RuleTable, VjpRule } from './rule.ts';
import { reduceAxes } from './pool.ts';

/** ∂y/∂x given x and y broadcast back to x's shape. */
type Factor = (e: Emitter, x: string, y: string) => string;

function reduceRule(factor: Factor): VjpRule {
  return {
    diff: [0],
    vjp(e, n: NodeProto, gy) {
      const x = n.input[0], y = n.output[0];
      // Every Reduce* takes its axes as an input from opset 18.
      const axes = reduceAxes(e, n, 18);
      const keep = axes === 'none' || attr<number>(n, 'keepdims', 1) === 1;
      const back = (t: string) => (keep ? t : unsqueeze(e, t, axes as number[]));
      return [e.op('Mul', [back(gy[0]!), factor(e, x, back(y))])];
    },
  };
}

export const reduceRules: RuleTable = {
  ReduceL1: reduceRule((e, x) => e.op('Sign', [x])),
  // ‖x‖₂ = 0 has no gradient; x/‖x‖ is 0/0 there, so the denominator gets a floor.
  ReduceL2: reduceRule((e, x, y) => e.op('Div', [x, e.op('Max', [y, e.scalar(1e-30)])])),
  ReduceSumSquare: reduceRule((e, x) => e.op('Mul', [x, e.scalar(2)])),
  ReduceLogSum: reduceRule((e, x, y) => e.op('Expand', [e.op('Exp', [e.op('Neg', [y])]), e.shapeOf(x)])),
  ReduceLogSumExp: reduceRule((e, x, y) => e.op('Exp', [e.op('Sub', [x, y])])),
};
