// VJPs of the normalizations that use statistics of the item itself: LayerNormalization (ViTs),
// InstanceNormalization (style transfer, GANs) and GroupNormalization (UNets, diffusion). All
// share one backward: with x̂ = (x − μ)·r, r = 1/√(σ² + ε) over the normalized axes and
// ĝ = g·γ, ∂/∂x = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)).
import { attr } from '../../graph.ts';
import { reduceSum, unbroadcast, normAxis, unsupported, shapeConst, reshapeLike, type Emitter } from '../emit.ts';
import type { RuleTable } from './rule.ts';
import { range } from './window.ts';

function product(v: number[]): number {
  return v.reduce((a, b) => a * b, 1);
}

function mean(e: Emitter, t: string, axes: number[], count: number): string {
  return e.op('Mul', [reduceSum(e, t, axes, true), e.scalar(1 / count)]);
}

/** x̂ and r of `x` normalized over `axes` (none of them the batch's), recomputed in the backward graph. */
function standardize(e: Emitter, x: string, axes: number[], count: number, eps: number): { xhat: string; r: string } {
  const centred = e.op('Sub', [x, mean(e, x, axes, count)]);
  const variance = mean(e, e.op('Mul', [centred, centred]), axes, count);
  const r = e.op('Reciprocal', [e.op('Sqrt', [e.op('Add', [variance, e.scalar(eps)])])]);
  return { xhat: e.op('Mul', [centred, r]), r };
}

function inputGrad(e: Emitter, gHat: string, xhat: string, r: string, axes: number[], count: number): string {
  const a = mean(e, gHat, axes, count);
  const b = mean(e, e.op('Mul', [gHat, xhat]), axes, count);
  return e.op('Mul', [r, e.op('Sub', [e.op('Sub', [gHat, a]), e.op('Mul', [xhat, b])])]);
}

function refuseBatch(e: Emitter, x: string, axes: number[]): void {
  if (axes.some((a) => e.fact(x).batch[a])) throw unsupported(e, 'it normalizes over the batch axis', 'normalize over feature axes only');
}

export const layerNormRules: RuleTable = {
  LayerNormalization: {
    diff: [0, 1, 2],
    vjp(e, n, gy, need) {
      if (n.output.slice(1).some(Boolean) && gy.slice(1).some(Boolean)) {
        throw unsupported(e, 'its Mean/InvStdDev outputs reach the objective', 'use only the normalized output');
      }
      const [x, scale, bias] = n.input;
      const fx = e.fact(x);
      const rank = fx.dims.length;
      const axes = range(rank - normAxis(attr<number>(n, 'axis', -1), rank), normAxis(attr<number>(n, 'axis', -1), rank));
      refuseBatch(e, x, axes);
      const count = product(axes.map((a) => fx.dims[a]));
      const g = gy[0]!;
      const { xhat, r } = standardize(e, x, axes, count, attr<number>(n, 'epsilon', 1e-5));
      const d = fx.dims;
      return [
        need[0] ? inputGrad(e, e.op('Mul', [g, scale]), xhat, r, axes, count) : undefined,
        need[1] ? unbroadcast(e, e.op('Mul', [g, xhat]), d, scale) : undefined,
        need[2] && bias ? unbroadcast(e, g, d, bias) : undefined,
      ];
    },
  },
  InstanceNormalization: {
    diff: [0, 1, 2],
    vjp(e, n, gy, need) {
      const [x, scale, bias] = n.input;
      const fx = e.fact(x);
      const rank = fx.dims.length;
      const C = fx.dims[1];
      const axes = range(rank - 2, 2);
      const count = product(axes.map((a) => fx.dims[a]));
      const perChannel = (t: string) => e.op('Reshape', [t, e.ints([C, ...axes.map(() => 1)])]);
      const g = gy[0]!;
      const { xhat, r } = standardize(e, x, axes, count, attr<number>(n, 'epsilon', 1e-5));
      const outer = [0, ...axes];
      return [
        need[0] ? inputGrad(e, e.op('Mul', [g, perChannel(scale)]), xhat, r, axes, count) : undefined,
        need[1] ? reduceSum(e, e.op('Mul', [g, xhat]), outer, false) : undefined,
        need[2] ? reduceSum(e, g, outer, false) : undefined,
      ];
    },
  },
  // Opset 18 takes scale and bias per group, opset 21 per channel; both normalize each group
  // of C/G channels (with all spatial positions) together.
  GroupNormalization: {
    diff: [0, 1, 2],
    vjp(e, n, gy, need) {
      const [x, scale, bias] = n.input;
      const fx = e.fact(x);
      const [, C, ...spatial] = fx.dims;
      const G = attr<number>(n, 'num_groups', 1);
      if (!G || C % G !== 0) throw unsupported(e, `${C} channels do not split into ${G} groups`, 'use a group count that divides the channels');
      const perGroup = e.fact(scale).dims[0] === G && G !== C;
      const M = (C / G) * product(spatial);
      const grouped = (t: string) => e.op('Reshape', [t, shapeConst(e, [fx.dims[0], G, M], [fx.batch[0], false, false])]);
      // Channel c's scale: scale[c] per channel, scale[c / (C/G)] per group.
      const channelScale = (t: string) => (perGroup
        ? e.op('Reshape', [e.op('Expand', [e.op('Reshape', [t, e.ints([G, 1])]), e.ints([G, C / G])]), e.ints([C, ...spatial.map(() => 1)])])
        : e.op('Reshape', [t, e.ints([C, ...spatial.map(() => 1)])]));
      const g = gy[0]!;
      const { xhat, r } = standardize(e, grouped(x), [2], M, attr<number>(n, 'epsilon', 1e-5));
      const outer = [0, ...range(spatial.length, 2)];
      const perChannelSum = (t: string) => {
        const s = reduceSum(e, t, outer, false);
        return perGroup ? reduceSum(e, e.op('Reshape', [s, e.ints([G, C / G])]), [1], false) : s;
      };
      const xhatFull = need[1] ? reshapeLike(e, xhat, x) : undefined;
      return [
        need[0] ? reshapeLike(e, inputGrad(e, grouped(e.op('Mul', [g, channelScale(scale)])), xhat, r, [2], M), x) : undefined,
        need[1] ? perChannelSum(e.op('Mul', [g, xhatFull!])) : undefined,
        need[2] && bias ? perChannelSum(g) : undefined,
      ];
    },
  },
};
