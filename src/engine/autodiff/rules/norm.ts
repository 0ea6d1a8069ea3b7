// VJPs of normalizations: BatchNormalization in inference form (a per-channel affine map; its
// statistics and affine parameters get gradients too) and LRN (cross-channel windows, summed
// with a ones-kernel Conv over the channel axis).
import { attr } from '../../graph.ts';
import { reduceSum, reshapeLike, unsupported, type Emitter } from '../emit.ts';
import type { RuleTable } from './rule.ts';
import { range } from './window.ts';

/** Σ over the channel window [c − before, c + after] of t [N, C, …]. */
function channelWindowSum(e: Emitter, t: string, like: string, C: number, before: number, after: number): string {
  const size = before + after + 1;
  const r = e.op('Reshape', [t, e.ints([0, 1, C, -1])]);
  const s = e.op('Conv', [r, e.floats(new Float32Array(size).fill(1), [1, 1, size, 1])], { pads: { ints: [before, 0, after, 0] } });
  return reshapeLike(e, s, like);
}

export const normRules: RuleTable = {
  BatchNormalization: {
    diff: [0, 1, 2, 3, 4],
    vjp(e, n, gy, need) {
      if (attr<number>(n, 'training_mode', 0) === 1 || (n.output.length > 1 && n.output.slice(1).some(Boolean))) {
        throw unsupported(e, 'training-mode batch normalization (batch statistics)', 'export the model in eval mode (model.eval())');
      }
      const [X, scale, , mean, variance] = n.input;
      const g = gy[0]!;
      const xDims = e.fact(X).dims;
      const C = xDims[1];
      const axes = [0, ...range(xDims.length - 2, 2)];
      const perChannel = (t: string) => e.op('Reshape', [t, e.ints([C, ...xDims.slice(2).map(() => 1)])]);
      const invStd = e.op('Reciprocal', [e.op('Sqrt', [e.op('Add', [variance, e.scalar(attr<number>(n, 'epsilon', 1e-5))])])]);
      const k = e.op('Mul', [scale, invStd]);
      const centred = need[1] || need[4] ? e.op('Sub', [X, perChannel(mean)]) : undefined;
      const gB = need[2] || need[3] ? reduceSum(e, g, axes, false) : undefined;
      return [
        need[0] ? e.op('Mul', [g, perChannel(k)]) : undefined,
        need[1] ? reduceSum(e, e.op('Mul', [g, e.op('Mul', [centred!, perChannel(invStd)])]), axes, false) : undefined,
        need[2] ? gB : undefined,
        need[3] ? e.op('Neg', [e.op('Mul', [gB!, k])]) : undefined,
        need[4]
          ? e.op('Mul', [reduceSum(e, e.op('Mul', [g, centred!]), axes, false),
            e.op('Mul', [e.op('Mul', [scale, e.scalar(-0.5)]), e.op('Mul', [invStd, e.op('Mul', [invStd, invStd])])])])
          : undefined,
      ];
    },
  },
  LRN: {
    diff: [0],
    vjp(e, n, gy) {
      const x = n.input[0];
      const C = e.fact(x).dims[1];
      const size = attr<number>(n, 'size', 1);
      const alpha = attr<number>(n, 'alpha', 1e-4), beta = attr<number>(n, 'beta', 0.75), bias = attr<number>(n, 'bias', 1);
      const lo = Math.floor((size - 1) / 2), hi = Math.ceil((size - 1) / 2);
      // y = x·d^−β with d = bias + α/size·Σ_window x².
      const d = e.op('Add', [e.scalar(bias), e.op('Mul', [e.scalar(alpha / size), channelWindowSum(e, e.op('Mul', [x, x]), x, C, lo, hi)])]);
      const dPow = e.op('Pow', [d, e.scalar(-beta)]);
      const g = gy[0]!;
      const inner = e.op('Div', [e.op('Mul', [e.op('Mul', [g, x]), dPow]), d]);
      // Each x_c appears in the windows of the channels whose window holds c: the mirrored window.
      const back = channelWindowSum(e, inner, x, C, hi, lo);
      return [e.op('Sub', [e.op('Mul', [g, dPow]), e.op('Mul', [e.scalar((2 * alpha * beta) / size), e.op('Mul', [x, back])])])];
    },
  },
};
