// VJPs of Conv and ConvTranspose (any spatial rank, strides, pads, dilations, groups). Input
// gradient of a stride-1 Conv: a Conv with flipped, in/out-transposed kernels (measured faster
// than ConvTranspose on CPU: DESIGN.md); strided: ConvTranspose (measured 2–6× faster here
// than dilating the gradient and running the flipped Conv). Weight gradient: a Conv that
// swaps the roles of batch and channels.
import { attr } from '../../graph.ts';
import { reduceSum, padOrCrop, flip, slice, unsupported, type Emitter } from '../emit.ts';
import type { RuleTable } from './rule.ts';
import { windowOf, range, type Window } from './window.ts';

const pos = (v: number) => Math.max(0, v);
const neg = (v: number) => Math.min(0, v);

/** W [M, C/g, K…] → [C, M/g, K…] with every spatial axis reversed. */
function flippedTransposed(e: Emitter, W: string, wDims: number[], group: number): string {
  const [M, Cg, ...K] = wDims;
  const Mg = M / group;
  const sp = range(K.length, 2);
  let t: string;
  if (Mg === 1 && Cg === 1) t = W; // depthwise, multiplier 1: already [C, 1, K…]
  else if (group === 1) t = e.op('Transpose', [W], { perm: { ints: [1, 0, ...sp] } });
  else {
    const w1 = e.op('Reshape', [W, e.ints([group, Mg, Cg, ...K])]);
    const w2 = e.op('Transpose', [w1], { perm: { ints: [0, 2, 1, ...range(K.length, 3)] } });
    t = e.op('Reshape', [w2, e.ints([Cg * group, Mg, ...K])]);
  }
  return K.every((k) => k === 1) ? t : flip(e, t, sp);
}

/** Adjoint of Conv(x, W) w.r.t. x, given the output adjoint g. */
export function convInputGrad(e: Emitter, g: string, gDims: number[], W: string, wDims: number[], group: number, w: Window): string {
  const r = w.kernel.length;
  const sp = range(r, 2);
  if (w.strides.every((s) => s === 1)) {
    const extent = w.kernel.map((k, i) => (k - 1) * w.dilations[i]);
    const pb = extent.map((x, i) => x - w.begin[i]);
    const pe = extent.map((x, i) => x - w.end[i]);
    const conv = e.op('Conv', [g, flippedTransposed(e, W, wDims, group)], {
      pads: { ints: [...pb.map(pos), ...pe.map(pos)] }, dilations: { ints: w.dilations }, group: { i: group },
    });
    if (pb.every((p) => p >= 0) && pe.every((p) => p >= 0)) return conv;
    // Padding beyond the kernel's reach in the forward pass: the flipped conv would need negative pads; crop instead.
    const convDims = [gDims[0], wDims[1] * group, ...gDims.slice(2).map((o, i) => o + pos(pb[i]) + pos(pe[i]) - extent[i])];
    return padOrCrop(e, conv, convDims, sp, pb.map(neg), pe.map(neg));
  }
  // Windows that overshoot the end padding (pools in ceil mode) need a larger end crop instead.
  const short = w.inSize.map((n, i) => n - ((w.outSize[i] - 1) * w.strides[i] + (w.kernel[i] - 1) * w.dilations[i] + 1 - w.begin[i] - w.end[i]));
  return e.op('ConvTranspose', [g, W], {
    strides: { ints: w.strides }, dilations: { ints: w.dilations }, group: { i: group },
    pads: { ints: [...w.begin, ...w.end.map((p, i) => p - neg(short[i]))] }, output_padding: { ints: short.map(pos) },
  });
}

/**
 * Adjoint of Conv(x, W) w.r.t. W: dW[m,c,k] = Σ_n,o g[n,m,o]·x[n,c,o·s + k·d − pad]. As a Conv
 * whose batch is x's channels (per group) and whose kernel is g: strides and dilations swap.
 */
export function convWeightGrad(e: Emitter, x: string, xDims: number[], g: string, gDims: number[], wDims: number[], group: number, w: Window): string {
  const r = w.kernel.length;
  const sp = range(r, 2);
  if ([...w.begin, ...w.end].some((p) => p < 0)) throw unsupported(e, 'negative padding', 'export the model with non-negative pads');
  const C = xDims[1], M = gDims[1];
  const Cg = C / group, Mg = M / group;
  const H = xDims.slice(2), O = gDims.slice(2);
  let X2: string, W2: string;
  if (group === 1) {
    X2 = e.op('Transpose', [x], { perm: { ints: [1, 0, ...sp] } });
    W2 = e.op('Transpose', [g], { perm: { ints: [1, 0, ...sp] } });
  } else {
    // Reshape's 0 copies the (batch) dim in place, so the batch size stays free.
    const x1 = e.op('Transpose', [e.op('Reshape', [x, e.ints([0, group, Cg, ...H])])], { perm: { ints: [2, 1, 0, ...range(r, 3)] } });
    X2 = e.op('Reshape', [x1, e.ints([Cg, -1, ...H])]);
    const g1 = e.op('Transpose', [e.op('Reshape', [g, e.ints([0, group, Mg, ...O])])], { perm: { ints: [1, 2, 0, ...range(r, 3)] } });
    W2 = e.op('Reshape', [g1, e.ints([M, -1, ...O])]);
  }
  let R = e.op('Conv', [X2, W2], {
    strides: { ints: w.dilations }, dilations: { ints: w.strides }, pads: { ints: [...w.begin, ...w.end] }, group: { i: group },
  });
  const reach = H.map((h, i) => Math.floor((h + w.begin[i] + w.end[i] - (O[i] - 1) * w.strides[i] - 1) / w.dilations[i]) + 1);
  if (reach.some((k, i) => k !== w.kernel[i])) R = slice(e, R, sp.map(() => 0), w.kernel, sp);
  return e.op('Transpose', [R], { perm: { ints: [1, 0, ...sp] } });
}

export const convRules: RuleTable = {
  Conv: {
    diff: [0, 1, 2],
    vjp(e, n, gy, need) {
      const [X, W, B] = n.input;
      const g = gy[0]!;
      const wDims = e.fact(W).dims;
      const kernel = attr<number[]>(n, 'kernel_shape', wDims.slice(2));
      const group = attr<number>(n, 'group', 1);
      const w = windowOf(e, n, kernel);
      const gDims = e.fact(n.output[0]).dims;
      return [
        need[0] ? convInputGrad(e, g, gDims, W, wDims, group, w) : undefined,
        need[1] ? convWeightGrad(e, X, e.fact(X).dims, g, gDims, wDims, group, w) : undefined,
        need[2] && B ? reduceSum(e, g, [0, ...range(kernel.length, 2)], false) : undefined,
      ];
    },
  },
  ConvTranspose: {
    diff: [0, 1, 2],
    vjp(e, n, gy, need) {
      const [X, W, B] = n.input;
      const g = gy[0]!;
      const wDims = e.fact(W).dims;
      const xDims = e.fact(X).dims, gDims = e.fact(n.output[0]).dims;
      const kernel = attr<number[]>(n, 'kernel_shape', wDims.slice(2));
      const r = kernel.length;
      const sp = range(r, 2);
      const group = attr<number>(n, 'group', 1);
      const strides = attr<number[]>(n, 'strides', new Array(r).fill(1));
      const dilations = attr<number[]>(n, 'dilations', new Array(r).fill(1));
      const op = attr<number[]>(n, 'output_padding', new Array(r).fill(0));
      const autoPad = attr<string>(n, 'auto_pad', 'NOTSET');
      const inSize = xDims.slice(2), outSize = gDims.slice(2);
      let begin: number[], end: number[];
      if (autoPad === 'NOTSET' && !attr(n, 'output_shape', undefined)) {
        const pads = attr<number[]>(n, 'pads', new Array(2 * r).fill(0));
        begin = pads.slice(0, r);
        end = pads.slice(r);
      } else {
        // As the ONNX spec (and onnxruntime, checked): SAME_UPPER puts the odd pad at the end, otherwise at the start.
        const total = inSize.map((m, i) => strides[i] * (m - 1) + op[i] + (kernel[i] - 1) * dilations[i] + 1 - outSize[i]);
        begin = total.map((t) => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : t - Math.floor(t / 2)));
        end = total.map((t, i) => t - begin[i]);
      }
      let gx: string | undefined;
      if (need[0]) {
        // ConvTranspose is the adjoint of Conv with the same W and geometry.
        const gc = begin.some((p) => p < 0) || end.some((p) => p < 0) ? padOrCrop(e, g, gDims, sp, begin.map(neg), end.map(neg)) : g;
        gx = e.op('Conv', [gc, W], {
          strides: { ints: strides }, dilations: { ints: dilations }, group: { i: group }, pads: { ints: [...begin.map(pos), ...end.map(pos)] },
        });
      }
      const w: Window = { kernel, strides, dilations, begin, end, inSize: outSize, outSize: inSize };
      return [
        gx,
        need[1] ? convWeightGrad(e, g, gDims, X, xDims, wDims, group, w) : undefined,
        need[2] && B ? reduceSum(e, g, [0, ...sp], false) : undefined,
      ];
    },
  },
};
