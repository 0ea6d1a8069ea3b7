// The graph-writing context the VJP rules share: fresh tensor names, constants, and the
// opset-aware forms of the ops backward passes need (ReduceSum, Slice, Pad, un-broadcasting).
import { onnx, DataType, type NodeProto, type TensorProto } from '../onnx.ts';
import { node, floatTensorProto, int64TensorProto, type AttrValue } from '../graph.ts';
import { NeurogateError, badInput } from '../../errors.ts';
import type { GraphFacts, TensorFact } from './facts.ts';

/** Large enough to mean "to the end" in Slice ends, exact as a double. */
export const TO_END = 2 ** 62;

export interface Emitter {
  readonly opset: number;
  readonly where: string;
  readonly facts: GraphFacts;
  readonly nodes: NodeProto[];
  readonly inits: TensorProto[];
  /** The node whose rule is being emitted, for error messages. */
  current?: NodeProto;
  fresh(hint: string): string;
  op(type: string, inputs: string[], attrs?: Record<string, AttrValue>): string;
  opN(type: string, inputs: string[], outputs: number, attrs?: Record<string, AttrValue>): string[];
  /** An int64 constant (shared between uses). */
  ints(values: number[], dims?: number[]): string;
  /** A float32 constant; a rank-0 scalar when dims is []. */
  floats(values: number[] | Float32Array, dims: number[]): string;
  scalar(v: number): string;
  /** Shape(t) as a graph tensor, emitted once per tensor. */
  shapeOf(t: string): string;
  fact(t: string): TensorFact;
  /** Values of an int tensor known before running (initializer, Constant, or probed and batch-independent). */
  constInts(t: string): number[] | undefined;
  /** Values of a small float constant (initializer or Constant), e.g. Resize scales. */
  constFloats(t: string): number[] | undefined;
}

export function createEmitter(opset: number, where: string, facts: GraphFacts, taken: Iterable<string>, constants: Map<string, number[]>, floatConstants = new Map<string, number[]>()): Emitter {
  const used = new Set(taken);
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const intCache = new Map<string, string>();
  const floatCache = new Map<string, string>();
  const shapes = new Map<string, string>();
  let counter = 0;
  const e: Emitter = {
    opset,
    where,
    facts,
    nodes,
    inits,
    fresh(hint) {
      let name: string;
      do name = `ad/${hint}/${counter++}`; while (used.has(name));
      used.add(name);
      return name;
    },
    op(type, inputs, attrs = {}) {
      return e.opN(type, inputs, 1, attrs)[0];
    },
    opN(type, inputs, outputs, attrs = {}) {
      const names = Array.from({ length: outputs }, () => e.fresh(type));
      nodes.push(node(type, inputs, names, attrs, names[0]));
      return names;
    },
    ints(values, dims = [values.length]) {
      const key = `${dims}|${values}`;
      let name = intCache.get(key);
      if (!name) {
        name = e.fresh('i64');
        inits.push(int64TensorProto(name, dims, values));
        intCache.set(key, name);
      }
      return name;
    },
    floats(values, dims) {
      const data = values instanceof Float32Array ? values : Float32Array.from(values);
      const key = data.length <= 16 ? `${dims}|${Array.from(data)}` : undefined;
      let name = key ? floatCache.get(key) : undefined;
      if (!name) {
        name = e.fresh('f32');
        inits.push(floatTensorProto(name, { dims, data }));
        if (key) floatCache.set(key, name);
      }
      return name;
    },
    scalar(v) {
      return e.floats([v], []);
    },
    shapeOf(t) {
      let s = shapes.get(t);
      if (!s) {
        s = e.op('Shape', [t]);
        shapes.set(t, s);
      }
      return s;
    },
    fact(t) {
      const f = facts.tensors.get(t);
      if (!f) throw internal(`no shape known for tensor "${t}"`, e);
      return f;
    },
    constInts(t) {
      if (!t) return undefined;
      const c = constants.get(t);
      if (c) return c;
      const f = facts.tensors.get(t);
      return f?.values;
    },
    constFloats(t) {
      return t ? floatConstants.get(t) : undefined;
    },
  };
  return e;
}

export function internal(message: string, e?: Emitter): NeurogateError {
  const n = e?.current;
  const at = n ? ` (at node "${n.name}", ${n.opType})` : '';
  return new NeurogateError(`autodiff: ${message}${at}`, { code: 'E_AUTODIFF_INTERNAL', kind: 'internal', where: e?.where });
}

/** A rule that meets a configuration it cannot differentiate: the user's model is the reason. */
export function unsupported(e: Emitter, what: string, hint: string): NeurogateError {
  const n = e.current;
  return badInput('E_AUTODIFF_UNSUPPORTED', `cannot differentiate node "${n?.name ?? '?'}" (${n?.opType ?? '?'}): ${what}`, e.where, hint);
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Reshape target for a shape whose batch-dependent dim (at most one) becomes −1. */
export function shapeConst(e: Emitter, dims: number[], batch: boolean[]): string {
  const sym = batch.map((b, i) => (b ? i : -1)).filter((i) => i >= 0);
  if (sym.length > 1) throw unsupported(e, `a reshape would need two batch-dependent dims [${dims}]`, 'keep the batch on one axis');
  return e.ints(dims.map((d, i) => (batch[i] ? -1 : d)));
}

export function reduceSum(e: Emitter, t: string, axes: number[], keepdims: boolean): string {
  if (axes.length === 0) return t;
  const k = { keepdims: { i: keepdims ? 1 : 0 } };
  if (e.opset >= 13) return e.op('ReduceSum', [t, e.ints(axes)], k);
  return e.op('ReduceSum', [t], { ...k, axes: { ints: axes } });
}

export function reduceMax(e: Emitter, t: string, axes: number[], keepdims: boolean): string {
  const k = { keepdims: { i: keepdims ? 1 : 0 } };
  if (e.opset >= 18) return e.op('ReduceMax', [t, e.ints(axes)], k);
  return e.op('ReduceMax', [t], { ...k, axes: { ints: axes } });
}

export function unsqueeze(e: Emitter, t: string, axes: number[]): string {
  if (e.opset >= 13) return e.op('Unsqueeze', [t, e.ints(axes)]);
  return e.op('Unsqueeze', [t], { axes: { ints: axes } });
}

export function splitAlong(e: Emitter, t: string, axis: number, sizes: number[]): string[] {
  if (e.opset >= 13) return e.opN('Split', [t, e.ints(sizes)], sizes.length, { axis: { i: axis } });
  return e.opN('Split', [t], sizes.length, { axis: { i: axis }, split: { ints: sizes } });
}

export function slice(e: Emitter, t: string, starts: number[], ends: number[], axes: number[], steps?: number[]): string {
  if (axes.length === 0) return t;
  const inputs = [t, e.ints(starts), e.ints(ends), e.ints(axes)];
  if (steps && steps.some((s) => s !== 1)) inputs.push(e.ints(steps));
  return e.op('Slice', inputs);
}

/**
 * Move the window of each listed axis: `before[i]`/`after[i]` > 0 add zeros, < 0 remove
 * entries. Splits into a Slice for the removals and a Pad for the additions (ONNX Pad's
 * negative pads are not supported everywhere).
 */
export function padOrCrop(e: Emitter, t: string, dims: number[], axes: number[], before: number[], after: number[], value = 0): string {
  const cs: number[] = [], ce: number[] = [], ca: number[] = [];
  axes.forEach((a, i) => {
    if (before[i] < 0 || after[i] < 0) {
      ca.push(a);
      cs.push(Math.max(0, -before[i]));
      ce.push(dims[a] - Math.max(0, -after[i]));
    }
  });
  let out = slice(e, t, cs, ce, ca);
  if (axes.some((_, i) => before[i] > 0 || after[i] > 0)) {
    const rank = dims.length;
    const pads = new Array(2 * rank).fill(0);
    axes.forEach((a, i) => {
      pads[a] = Math.max(0, before[i]);
      pads[a + rank] = Math.max(0, after[i]);
    });
    const inputs = [out, e.ints(pads)];
    if (value !== 0) inputs.push(e.scalar(value));
    out = e.op('Pad', inputs, { mode: { s: 'constant' } });
  }
  return out;
}

/** Reverse the listed axes (Slice with step −1). */
export function flip(e: Emitter, t: string, axes: number[]): string {
  return slice(e, t, axes.map(() => -1), axes.map(() => -TO_END), axes, axes.map(() => -1));
}

export function zerosLike(e: Emitter, t: string): string {
  return e.op('ConstantOfShape', [e.shapeOf(t)], { value: { t: zeroProto() } });
}

function zeroProto(): TensorProto {
  return onnx.TensorProto.create({ name: 'zero', dims: [1] as never, dataType: DataType.FLOAT, floatData: [0] }) as unknown as TensorProto;
}

/** Reshape g to the runtime shape of forward tensor `like` (batch-agnostic). */
export function reshapeLike(e: Emitter, g: string, like: string): string {
  return e.op('Reshape', [g, e.shapeOf(like)]);
}

/**
 * The gradient of a broadcast operand: sum g over the axes broadcasting stretched (leading
 * axes the operand lacks, and its size-1 axes facing larger ones), then restore its shape.
 */
export function unbroadcast(e: Emitter, g: string, gDims: number[], operand: string): string {
  return unbroadcastTo(e, g, gDims, e.fact(operand).dims, operand);
}

/** As `unbroadcast`, against explicit operand dims (MatMul's 1-D operands act as [1,K] / [K,1]). */
export function unbroadcastTo(e: Emitter, g: string, gDims: number[], od: number[], like: string): string {
  const lead = gDims.length - od.length;
  const axes: number[] = [];
  for (let i = 0; i < gDims.length; i++) {
    if (i < lead) axes.push(i);
    else if (od[i - lead] === 1 && gDims[i] !== 1) axes.push(i);
  }
  const same = lead === 0 && e.fact(like).dims.length === gDims.length;
  if (axes.length === 0 && same) return g;
  return reshapeLike(e, reduceSum(e, g, axes, true), like);
}

/** Sum several contributions (one Sum node; a single one passes through). */
export function sumAll(e: Emitter, parts: string[]): string {
  return parts.length === 1 ? parts[0] : e.op('Sum', parts);
}
