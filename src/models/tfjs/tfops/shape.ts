// Shape and reduction ops (Squeeze, Reshape, Mean, ConcatV2, Pad, Softmax, Identity). Axes given
// in TF's NHWC meaning are remapped for rank-4 NCHW values; Reshape goes through TF's layout.
import { attrBool, attrFloat, attrInts } from './attrs.ts';
import { emit, fresh, int64Init, floatInit, inputAt, constAt, nodeError, finish, tfLayout, irLayout, shapeOf, normAxis, restoreOrder,
  NCHW_AXIS, TO_NCHW, type OpContext, type Converter, type DynValue } from './context.ts';

/** Integer values of a Const input (axes, shapes, paddings). */
function ints(c: OpContext, i: number, what: string): number[] {
  return Array.from(constAt(c, i, what).tensor.data, (v) => Math.round(v));
}

/**
 * Emit an op that removes `removed` (NHWC) axes from a value: rank-4 inputs are removed in NCHW
 * and the remaining axes transposed back to TF's order when NCHW had them in another.
 */
function dropAxes(c: OpContext, xRank: number, removed: Set<number>, outShape: number[], emitOp: (target: string) => void): DynValue {
  const perm = xRank === 4 ? restoreOrder(removed) : null;
  return finish(c.b, c.out, outShape, 'ir', (target) => {
    if (!perm) return emitOp(target);
    const tmp = fresh(c.b, `${c.out}#nchw_order`);
    emitOp(tmp);
    emit(c.b, 'Transpose', [tmp], [target], { perm: { ints: perm } });
  });
}

/** NHWC axes → the IR's axes for a value of this rank. */
const irAxes = (rank: number, axes: number[]) => (rank === 4 ? axes.map((a) => NCHW_AXIS[a]) : axes);

const squeeze: Converter = (c) => {
  const x = inputAt(c, 0, 'x');
  const xs = shapeOf(x);
  const given = attrInts(c.node, 'squeeze_dims', attrInts(c.node, 'axis', []));
  // No axes: every dimension known to be 1 (an unknown batch is kept, as a batch > 1 would be).
  const axes = given.length ? given.map((a) => normAxis(c, a, xs.length)) : xs.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of axes) {
    if (xs[a] !== 1 && xs[a] !== -1) throw nodeError(c, 'E_TFJS_SHAPE', `cannot squeeze axis ${a} of size ${xs[a]} (shape [${xs}])`);
  }
  const removed = new Set(axes);
  const outShape = xs.filter((_, i) => !removed.has(i));
  if (removed.size === 0) return { value: finish(c.b, c.out, outShape, 'ir', (t) => emit(c.b, 'Identity', [irLayout(c.b, x)], [t])) };
  const axesName = int64Init(c.b, `${c.out}#axes`, irAxes(xs.length, [...removed]));
  return { value: dropAxes(c, xs.length, removed, outShape, (t) => emit(c.b, 'Squeeze', [irLayout(c.b, x), axesName], [t])) };
};

const mean: Converter = (c) => {
  const x = inputAt(c, 0, 'x');
  const xs = shapeOf(x);
  const axes = [...new Set(ints(c, 1, 'axes').map((a) => normAxis(c, a, xs.length)))];
  const keep = attrBool(c.node, 'keep_dims', false);
  if (axes.length === 0) return { value: finish(c.b, c.out, xs, 'ir', (t) => emit(c.b, 'Identity', [irLayout(c.b, x)], [t])) };
  const removed = new Set(axes);
  const attrs = { axes: { ints: irAxes(xs.length, axes) }, keepdims: { i: keep ? 1 : 0 } };
  const reduce = (t: string) => emit(c.b, 'ReduceMean', [irLayout(c.b, x)], [t], attrs);
  if (keep) return { value: finish(c.b, c.out, xs.map((d, i) => (removed.has(i) ? 1 : d)), 'ir', reduce) };
  return { value: dropAxes(c, xs.length, removed, xs.filter((_, i) => !removed.has(i)), reduce) };
};

const reshape: Converter = (c) => {
  const x = inputAt(c, 0, 'x');
  const xs = shapeOf(x);
  const target = ints(c, 1, 'shape');
  if (target.some((d) => d === 0 || d < -1) || target.filter((d) => d === -1).length > 1) {
    throw nodeError(c, 'E_TFJS_SHAPE', `target shape [${target}] is not supported`, 'use positive sizes and at most one -1');
  }
  const out = [...target];
  const free = out.indexOf(-1);
  if (free >= 0 && xs.every((d) => d >= 0)) {
    const total = xs.reduce((p, d) => p * d, 1);
    const known = out.reduce((p, d) => (d === -1 ? p : p * d), 1);
    if (total % known !== 0) throw nodeError(c, 'E_TFJS_SHAPE', `cannot reshape [${xs}] to [${target}]`);
    out[free] = total / known;
  } else if (free < 0 && xs.every((d) => d >= 0) && xs.reduce((p, d) => p * d, 1) !== out.reduce((p, d) => p * d, 1)) {
    throw nodeError(c, 'E_TFJS_SHAPE', `cannot reshape [${xs}] to [${target}]`);
  }
  const shapeName = int64Init(c.b, `${c.out}#shape`, target);
  // Reshape follows row-major order in TF's layout, so it runs there.
  return { value: finish(c.b, c.out, out, 'tf', (t) => emit(c.b, 'Reshape', [tfLayout(c.b, x), shapeName], [t])) };
};

const concat: Converter = (c) => {
  if (c.inputs.length < 2) throw nodeError(c, 'E_TFJS_ARITY', 'needs at least one value and an axis');
  const values = c.inputs.slice(0, -1);
  const shapes = values.map(shapeOf);
  const rank = shapes[0].length;
  if (shapes.some((s) => s.length !== rank)) throw nodeError(c, 'E_TFJS_SHAPE', `inputs have different ranks: ${shapes.map((s) => `[${s}]`).join(', ')}`);
  const [rawAxis] = ints(c, c.inputs.length - 1, 'axis');
  const axis = normAxis(c, rawAxis, rank);
  const outShape = shapes[0].map((_, i) => {
    if (i === axis) return shapes.some((s) => s[i] < 0) ? -1 : shapes.reduce((p, s) => p + s[i], 0);
    return shapes.find((s) => s[i] >= 0)?.[i] ?? -1;
  });
  const names = values.map((v) => irLayout(c.b, v));
  return { value: finish(c.b, c.out, outShape, 'ir', (t) => emit(c.b, 'Concat', names, [t], { axis: { i: irAxes(rank, [axis])[0] } })) };
};

const pad: Converter = (c) => {
  const x = inputAt(c, 0, 'x');
  const xs = shapeOf(x);
  const p = ints(c, 1, 'paddings');
  if (p.length !== 2 * xs.length || p.some((v) => v < 0)) throw nodeError(c, 'E_TFJS_SHAPE', `paddings [${p}] do not fit rank ${xs.length} (need ${xs.length}×2 non-negative values)`);
  const value = c.node.op === 'PadV2' ? constAt(c, 2, 'constant_values').tensor.data[0] : attrFloat(c.node, 'constant_value', 0);
  const order = xs.length === 4 ? TO_NCHW : xs.map((_, i) => i);
  const pads = [...order.map((a) => p[2 * a]), ...order.map((a) => p[2 * a + 1])];
  const outShape = xs.map((d, i) => (d < 0 ? -1 : d + p[2 * i] + p[2 * i + 1]));
  const inputs = [irLayout(c.b, x), int64Init(c.b, `${c.out}#pads`, pads), floatInit(c.b, `${c.out}#value`, { dims: [], data: new Float32Array([value]) })];
  return { value: finish(c.b, c.out, outShape, 'ir', (t) => emit(c.b, 'Pad', inputs, [t], { mode: { s: 'constant' } })) };
};

/** TF's softmax runs over the last axis: channels, which NCHW keeps at axis 1. */
const softmax: Converter = (c) => {
  const x = inputAt(c, 0, 'logits');
  const xs = shapeOf(x);
  return { value: finish(c.b, c.out, xs, 'ir', (t) => emit(c.b, 'Softmax', [irLayout(c.b, x)], [t], { axis: { i: xs.length === 4 ? 1 : -1 } })) };
};

const identity: Converter = (c) => {
  const x = inputAt(c, 0, 'input');
  return { value: finish(c.b, c.out, shapeOf(x), 'ir', (t) => emit(c.b, 'Identity', [irLayout(c.b, x)], [t])) };
};

export const shapeOps: Record<string, Converter> = {
  Squeeze: squeeze,
  Mean: mean,
  Reshape: reshape,
  ConcatV2: concat,
  Pad: pad,
  PadV2: pad,
  Softmax: softmax,
  Identity: identity,
};
