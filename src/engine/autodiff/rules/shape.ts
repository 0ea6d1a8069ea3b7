// VJPs of the ops that move values without arithmetic: reshapes, Transpose, Concat/Split,
// Slice, Pad, Expand, Identity-likes. Their gradients move the adjoint back the same way.
import { attr } from '../../graph.ts';
import type { NodeProto } from '../../onnx.ts';
import {
  reshapeLike, unbroadcast, splitAlong, padOrCrop, flip, zerosLike, unsqueeze, slice, shapeConst, normAxis, unsupported,
  type Emitter,
} from '../emit.ts';
import type { RuleTable, VjpRule } from './rule.ts';

const reshapeBack: VjpRule = { diff: [0], vjp: (e, n, gy) => [reshapeLike(e, gy[0]!, n.input[0])] };
const passThrough: VjpRule = { diff: [0], vjp: (_e, _n, gy) => [gy[0]] };

const ONNX_FLOAT_TYPES: Record<string, number> = { float32: 1, float16: 10, float64: 11 };

/** Constant int values of an input (or of an attribute in older opsets); refuses data-dependent ones. */
function intsOf(e: Emitter, n: NodeProto, input: number, attrName: string, fromOpset: number, fallback?: number[]): number[] | undefined {
  if (e.opset < fromOpset) return attr<number[] | undefined>(n, attrName, fallback);
  const name = n.input[input];
  if (!name) return fallback;
  const v = e.constInts(name);
  if (!v) throw unsupported(e, `its ${attrName} ("${name}") are computed at run time`, 'export the model with constant slice/pad parameters');
  return v;
}

/**
 * Spread `g` along `axis` so consecutive entries land `step` apart (zeros between):
 * [.., c, ..] → unsqueeze → pad to [.., c, step, ..] → reshape [.., c·step, ..] → crop.
 */
function dilate(e: Emitter, g: string, dims: number[], batch: boolean[], axis: number, step: number): string {
  const c = dims[axis];
  const u = unsqueeze(e, g, [axis + 1]);
  const uDims = [...dims.slice(0, axis + 1), 1, ...dims.slice(axis + 1)];
  const p = padOrCrop(e, u, uDims, [axis + 1], [0], [step - 1]);
  const merged = [...dims];
  merged[axis] = c * step;
  const r = e.op('Reshape', [p, shapeConst(e, merged, batch)]);
  return slice(e, r, [0], [(c - 1) * step + 1], [axis]);
}

const sliceRule: VjpRule = {
  diff: [0],
  vjp(e, n, gy) {
    const x = n.input[0];
    const fx = e.fact(x);
    const starts = intsOf(e, n, 1, 'starts', 10)!;
    const ends = intsOf(e, n, 2, 'ends', 10)!;
    const axes = (intsOf(e, n, 3, 'axes', 10, starts.map((_, i) => i)) ?? starts.map((_, i) => i)).map((a) => normAxis(a, fx.dims.length));
    const steps = e.opset >= 10 ? intsOf(e, n, 4, 'steps', 10, starts.map(() => 1))! : starts.map(() => 1);
    let g = gy[0]!;
    const dims = [...e.fact(n.output[0]).dims];
    for (let i = 0; i < axes.length; i++) {
      const a = axes[i], D = fx.dims[a], step = steps[i], count = dims[a];
      let start = starts[i];
      if (start < 0) start += D;
      start = step > 0 ? Math.min(Math.max(start, 0), D) : Math.min(Math.max(start, 0), D - 1);
      if (fx.batch[a]) {
        if (count === D && step === 1) continue;
        throw unsupported(e, 'it slices the batch axis', 'slice after the batch axis only');
      }
      if (count === 0) return [zerosLike(e, x)];
      const lowest = step > 0 ? start : start + (count - 1) * step;
      if (step < 0) g = flip(e, g, [a]);
      const st = Math.abs(step);
      if (st > 1) g = dilate(e, g, dims, fx.batch, a, st);
      const length = (count - 1) * st + 1;
      const cur = [...dims];
      cur[a] = length;
      g = padOrCrop(e, g, cur, [a], [lowest], [D - lowest - length]);
      dims[a] = D;
    }
    return [g];
  },
};

export const shapeRules: RuleTable = {
  Reshape: reshapeBack,
  Flatten: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Identity: passThrough,
  Dropout: passThrough,
  Cast: {
    diff: [0],
    vjp(e, n, gy) {
      const from = e.fact(n.input[0]).dtype, to = e.fact(n.output[0]).dtype;
      if (!(from in ONNX_FLOAT_TYPES) || !(to in ONNX_FLOAT_TYPES)) return [undefined];
      return [from === to ? gy[0] : e.op('Cast', [gy[0]!], { to: { i: ONNX_FLOAT_TYPES[from] } })];
    },
  },
  Transpose: {
    diff: [0],
    vjp(e, n, gy) {
      const rank = e.fact(n.input[0]).dims.length;
      const perm = attr<number[]>(n, 'perm', Array.from({ length: rank }, (_, i) => rank - 1 - i));
      const inv = perm.map((_, i) => perm.indexOf(i));
      return [e.op('Transpose', [gy[0]!], { perm: { ints: inv } })];
    },
  },
  Expand: { diff: [0], vjp: (e, n, gy) => [unbroadcast(e, gy[0]!, e.fact(n.output[0]).dims, n.input[0])] },
  Concat: {
    diff: 'all',
    vjp(e, n, gy, need) {
      const rank = e.fact(n.output[0]).dims.length;
      const axis = normAxis(attr<number>(n, 'axis', 0), rank);
      if (e.fact(n.output[0]).batch[axis]) throw unsupported(e, 'it concatenates along the batch axis', 'concatenate along a feature axis');
      const sizes = n.input.map((x) => e.fact(x).dims[axis]);
      if (n.input.length === 1) return [gy[0]];
      const parts = splitAlong(e, gy[0]!, axis, sizes);
      return parts.map((p, i) => (need[i] ? p : undefined));
    },
  },
  Split: {
    diff: [0],
    vjp(e, n, gy) {
      const rank = e.fact(n.input[0]).dims.length;
      const axis = normAxis(attr<number>(n, 'axis', 0), rank);
      const parts = n.output.map((o, i) => gy[i] ?? zerosLike(e, o));
      return [parts.length === 1 ? parts[0] : e.op('Concat', parts, { axis: { i: axis } })];
    },
  },
  Slice: sliceRule,
  Pad: {
    diff: [0],
    vjp(e, n, gy) {
      const mode = attr<string>(n, 'mode', 'constant');
      if (mode !== 'constant') throw unsupported(e, `Pad mode "${mode}" has no gradient rule`, 'only constant padding is differentiable here');
      const fx = e.fact(n.input[0]);
      const rank = fx.dims.length;
      const pads = intsOf(e, n, 1, 'pads', 11)!;
      const axes = e.opset >= 18 && n.input[3] ? intsOf(e, n, 3, 'axes', 18)!.map((a) => normAxis(a, rank)) : Array.from({ length: rank }, (_, i) => i);
      const k = axes.length;
      const before = axes.map((_, i) => -pads[i]);
      const after = axes.map((_, i) => -pads[i + k]);
      axes.forEach((a, i) => {
        if (fx.batch[a] && (before[i] !== 0 || after[i] !== 0)) throw unsupported(e, 'it pads the batch axis', 'pad feature axes only');
      });
      return [padOrCrop(e, gy[0]!, e.fact(n.output[0]).dims, axes, before, after)];
    },
  },
};
