// VJPs of pooling and reductions. MaxPool avoids its Indices output (the WebGPU EP lacks it):
// every kernel tap of every window is gathered by one Conv with one-hot kernels (the strided
// slices of the padded input, stacked), compared with its window's max, and the matches are
// placed back by that Conv's adjoint, so overlapping windows accumulate. Ties (several inputs
// equal to the max): `split` shares the gradient equally (a valid subgradient that keeps Σ gradient
// and does not depend on scan order); `first` gives it all to the first maximum in the window's
// row-major order, as PyTorch's max_pool backward and onnxruntime's MaxPoolGrad (via Indices) do.
import { attr } from '../../graph.ts';
import type { NodeProto } from '../../onnx.ts';
import { reduceSum, reduceMax, unsqueeze, normAxis, unsupported, type Emitter } from '../emit.ts';
import { convInputGrad } from './conv.ts';
import type { RuleTable, VjpRule } from './rule.ts';
import { windowOf, range, type Window } from './window.ts';

const FLOAT = 1;

function product(v: number[]): number {
  return v.reduce((a, b) => a * b, 1);
}

/** Every kernel offset (row-major), as index vectors. */
function offsets(kernel: number[]): number[][] {
  let out: number[][] = [[]];
  for (const k of kernel) out = out.flatMap((o) => range(k).map((i) => [...o, i]));
  return out;
}

/** [C·KK, 1, K…] kernels, channel c·KK + k holding a one at offset k (for group = C). */
function oneHotKernels(e: Emitter, C: number, kernel: number[]): string {
  const KK = product(kernel);
  const eye = new Float32Array(KK * KK);
  for (let k = 0; k < KK; k++) eye[k * KK + k] = 1;
  const base = e.floats(eye, [KK, 1, ...kernel]);
  return C === 1 ? base : e.op('Tile', [base, e.ints([C, 1, ...kernel.map(() => 1)])]);
}

/**
 * Per tap [KK, out…]: 0 where kernel offset k of output o reads an input, −FLT_MAX where it
 * reads padding (so padding never wins a window); undefined if no tap reads padding.
 */
function paddingPenalty(w: Window): Float32Array | undefined {
  const taps = offsets(w.kernel);
  const outs = offsets(w.outSize);
  const penalty = new Float32Array(taps.length * outs.length);
  let any = false;
  taps.forEach((k, t) => outs.forEach((o, j) => {
    const inside = k.every((kk, a) => {
      const p = o[a] * w.strides[a] + kk * w.dilations[a] - w.begin[a];
      return p >= 0 && p < w.inSize[a];
    });
    if (!inside) penalty[t * outs.length + j] = -3.4028234663852886e38;
    any ||= !inside;
  }));
  return any ? penalty : undefined;
}

/**
 * MaxPool's backward structure, shared with DeepLIFT's max-pool rule: `share` gets the 0/1 winners
 * [N, C, KK, out…] and a function gathering any tensor shaped as x into the same taps, and returns
 * a value per tap; those are placed back on the input.
 */
export function maxPoolBackward(e: Emitter, n: NodeProto, share: (hit: string, taps: (t: string) => string) => string): string {
  const x = n.input[0];
  const xDims = e.fact(x).dims;
  const kernel = attr<number[]>(n, 'kernel_shape', []);
  const w = windowOf(e, n, kernel);
  const C = xDims[1];
  const KK = product(kernel);
  const kernels = oneHotKernels(e, C, kernel);
  // Every tap of every window in one op: a Conv with one-hot kernels copies x[o·s + k·d − pad]
  // to channel c·KK + k (1·x plus zeros). Taps in its zero padding are pushed to −FLT_MAX.
  const L = w.outSize.map((o, i) => (o - 1) * w.strides[i] + (kernel[i] - 1) * w.dilations[i] + 1);
  const end = L.map((l, i) => Math.max(w.end[i], l - w.inSize[i] - w.begin[i]));
  const taps = (t: string) => e.op('Reshape', [e.op('Conv', [t, kernels], {
    strides: { ints: w.strides }, dilations: { ints: w.dilations }, group: { i: C }, pads: { ints: [...w.begin, ...end] },
  }), e.ints([0, C, KK, ...w.outSize])]);
  let stack = taps(x);
  const penalty = paddingPenalty(w);
  if (penalty) stack = e.op('Add', [stack, e.floats(penalty, [1, 1, KK, ...w.outSize])]);
  // Winners are judged against the stack's own max, not the forward output: exact even on a
  // backend whose convolution were to round the one-hot copies.
  const hit = e.op('Cast', [e.op('Equal', [stack, reduceMax(e, stack, [2], true)])], { to: { i: FLOAT } });
  const perTap = e.op('Reshape', [share(hit, taps), e.ints([0, C * KK, ...w.outSize])]);
  // Placing each tap's share back is the adjoint of that same one-hot Conv.
  return convInputGrad(e, perTap, [xDims[0], C * KK, ...w.outSize], kernels, [C * KK, 1, ...kernel], C, w);
}

/** Who gets a window's gradient when several of its inputs equal the max. */
export type MaxPoolTies = 'split' | 'first';

/** The first winner of each window only: a tap is first when the running count of winners up to it (taps in row-major order) is 1. */
function firstHit(e: Emitter, hit: string): string {
  const upTo = e.op('CumSum', [hit, e.ints([2], [])]);
  return e.op('Mul', [hit, e.op('Cast', [e.op('Equal', [upTo, e.scalar(1)])], { to: { i: FLOAT } })]);
}

/** MaxPool's VJP with the given tie rule. */
export function maxPoolRule(ties: MaxPoolTies): VjpRule {
  return {
    diff: [0],
    vjp: (e, n, gy) => [maxPoolBackward(e, n, (hit) => {
      const g = unsqueeze(e, gy[0]!, [2]);
      return ties === 'first' ? e.op('Mul', [firstHit(e, hit), g]) : e.op('Mul', [hit, e.op('Div', [g, reduceSum(e, hit, [2], true)])]);
    })],
  };
}

const maxPool = maxPoolRule('split');

/** onnxruntime's divisor per output position along one axis (checked against its forward pass). */
function windowCounts(w: Window, axis: number, includePad: boolean): number[] {
  const s = w.strides[axis], k = w.kernel[axis], H = w.inSize[axis];
  return range(w.outSize[axis]).map((o) => {
    const start = o * s - w.begin[axis];
    if (includePad) return Math.max(1, Math.min(start + k, H + w.end[axis]) - start);
    return Math.max(1, Math.min(start + k, H) - Math.max(start, 0));
  });
}

const averagePool: VjpRule = {
  diff: [0],
  vjp(e, n, gy) {
    const x = n.input[0];
    const xDims = e.fact(x).dims;
    const kernel = attr<number[]>(n, 'kernel_shape', []);
    const w = windowOf(e, n, kernel);
    if (w.dilations.some((d) => d !== 1)) throw unsupported(e, 'dilated average pooling', 'use dilations of 1');
    const C = xDims[1];
    const includePad = attr<number>(n, 'count_include_pad', 0) === 1;
    const counts = kernel.map((_, i) => windowCounts(w, i, includePad));
    const inv = new Float32Array(product(w.outSize));
    const strides = w.outSize.map((_, i) => product(w.outSize.slice(i + 1)));
    for (let j = 0; j < inv.length; j++) {
      let c = 1;
      for (let i = 0; i < kernel.length; i++) c *= counts[i][Math.floor(j / strides[i]) % w.outSize[i]];
      inv[j] = 1 / c;
    }
    const scaled = e.op('Mul', [gy[0]!, e.floats(inv, [1, 1, ...w.outSize])]);
    // Spreading each window's share over it is the adjoint of a depthwise Conv with a ones kernel.
    const ones = e.floats(new Float32Array(product(kernel)).fill(1), [1, 1, ...kernel]);
    const kernels = C === 1 ? ones : e.op('Tile', [ones, e.ints([C, 1, ...kernel.map(() => 1)])]);
    return [convInputGrad(e, scaled, [xDims[0], C, ...w.outSize], kernels, [C, 1, ...kernel], C, w)];
  },
};

/** Reduced axes of a Reduce* node (attribute before `inputFrom`, input after); [] means all. */
export function reduceAxes(e: Emitter, n: NodeProto, inputFrom: number): number[] | 'none' {
  const rank = e.fact(n.input[0]).dims.length;
  let axes: number[] | undefined;
  if (e.opset < inputFrom) axes = attr<number[] | undefined>(n, 'axes', undefined);
  else if (n.input[1]) {
    axes = e.constInts(n.input[1]);
    if (!axes) throw unsupported(e, 'its axes are computed at run time', 'export the model with constant reduction axes');
  }
  if (!axes || axes.length === 0) {
    if (e.opset >= inputFrom && attr<number>(n, 'noop_with_empty_axes', 0) === 1) return 'none';
    return range(rank);
  }
  return axes.map((a) => normAxis(a, rank)).sort((a, b) => a - b);
}

function reduceRule(kind: 'sum' | 'mean' | 'extreme', inputFrom: number): VjpRule {
  return {
    diff: [0],
    vjp(e, n, gy) {
      const x = n.input[0], y = n.output[0];
      const axes = reduceAxes(e, n, inputFrom);
      if (axes === 'none') return [gy[0]];
      const keep = attr<number>(n, 'keepdims', 1) === 1;
      const gk = keep ? gy[0]! : unsqueeze(e, gy[0]!, axes);
      if (kind === 'extreme') {
        // Max and Min alike: the inputs equal to the result share its gradient.
        const hit = e.op('Cast', [e.op('Equal', [x, keep ? y : unsqueeze(e, y, axes)])], { to: { i: FLOAT } });
        return [e.op('Mul', [hit, e.op('Div', [gk, reduceSum(e, hit, axes, true)])])];
      }
      const fx = e.fact(x);
      if (kind === 'mean' && axes.some((a) => fx.batch[a])) throw unsupported(e, 'it averages over the batch axis', 'average over feature axes only');
      const scaled = kind === 'mean' ? e.op('Mul', [gk, e.scalar(1 / product(axes.map((a) => fx.dims[a])))]) : gk;
      return [e.op('Expand', [scaled, e.shapeOf(x)])];
    },
  };
}

export const poolRules: RuleTable = {
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: {
    diff: [0],
    vjp(e, n, gy) {
      const x = n.input[0];
      const count = product(e.fact(x).dims.slice(2));
      return [e.op('Expand', [e.op('Mul', [gy[0]!, e.scalar(1 / count)]), e.shapeOf(x)])];
    },
  },
  GlobalMaxPool: {
    diff: [0],
    vjp(e, n, gy) {
      const x = n.input[0];
      const sp = range(e.fact(x).dims.length - 2, 2);
      const hit = e.op('Cast', [e.op('Equal', [x, n.output[0]])], { to: { i: FLOAT } });
      return [e.op('Mul', [hit, e.op('Div', [gy[0]!, reduceSum(e, hit, sp, true)])])];
    },
  },
  ReduceSum: reduceRule('sum', 13),
  ReduceMean: reduceRule('mean', 18),
  ReduceMax: reduceRule('extreme', 18),
  ReduceMin: reduceRule('extreme', 18),
};
