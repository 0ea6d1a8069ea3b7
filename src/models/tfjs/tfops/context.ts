// The state of one graph-model import: the IR nodes and initializers being built and the TF
// tensors (values) they stand for. Layout rule: a rank-4 value lives in the IR as NCHW (the
// transpose of TF's NHWC); every other rank keeps TF's layout, so TF's axes still apply.
import type { NodeProto, TensorProto } from '../../../engine/onnx.ts';
import { node, floatTensorProto, int64TensorProto, type AttrValue } from '../../../engine/graph.ts';
import { transpose, type Tensor } from '../../../engine/tensor.ts';
import { badInput, type NeurogateError } from '../../../errors.ts';
import type { TfWeight } from '../weights.ts';
import { attrString, type TfNode } from './attrs.ts';

export const TO_NCHW = [0, 3, 1, 2];
export const TO_NHWC = [0, 2, 3, 1];
/** NCHW_AXIS[a]: where NHWC axis a sits in NCHW. */
export const NCHW_AXIS = [0, 2, 3, 1];

/** A tensor computed by the graph; `shape` is in TF's (NHWC) meaning, -1 where unknown. */
export interface DynValue { kind: 'dyn'; name: string; shape: number[] }
/** A Const node: kept as data until an op decides which layout it needs. */
export interface ConstValue { kind: 'const'; name: string; tensor: TfWeight }
export type Value = DynValue | ConstValue;

export interface Builder {
  nodes: NodeProto[];
  initializers: TensorProto[];
  where: string;
  /** Every IR name in use (TF node names are reserved up front, so helpers never take them). */
  names: Set<string>;
  /** Memo of derived tensors (transposes, constant layouts), so many consumers share one. */
  memo: Map<string, string>;
}

export function createBuilder(where: string, reserved: Iterable<string>): Builder {
  return { nodes: [], initializers: [], where, names: new Set(reserved), memo: new Map() };
}

/** What a converter sees: the TF node, its data inputs as values, and the IR name of its output. */
export interface OpContext {
  b: Builder;
  node: TfNode;
  inputs: Value[];
  out: string;
}

export interface Converted {
  value: DynValue;
  /** The tensor before a fused activation (for layer catalogs: `preActivation`). */
  preActivation?: string;
  /** The TF name of the node's weight constant, when it has one (names the layer's scope). */
  weight?: string;
}

export type Converter = (c: OpContext) => Converted;

/** A bad-input error about one node, naming it and its op. */
export function nodeError(c: OpContext, code: string, message: string, hint?: string): NeurogateError {
  return badInput(code, `node "${c.node.name}" (${c.node.op}): ${message}`, c.b.where, hint);
}

/** A fresh IR name based on `base` (suffixed when taken). */
export function fresh(b: Builder, base: string): string {
  let name = base;
  for (let k = 2; b.names.has(name); k++) name = `${base}_${k}`;
  b.names.add(name);
  return name;
}

export function emit(b: Builder, op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}): void {
  b.nodes.push(node(op, inputs, outputs, attrs));
}

export function floatInit(b: Builder, base: string, t: Tensor): string {
  const name = fresh(b, base);
  b.initializers.push(floatTensorProto(name, { dims: t.dims, data: Float32Array.from(t.data) }));
  return name;
}

export function int64Init(b: Builder, base: string, values: number[], dims = [values.length]): string {
  const name = fresh(b, base);
  b.initializers.push(int64TensorProto(name, dims, values));
  return name;
}

function memo(b: Builder, key: string, make: () => string): string {
  let name = b.memo.get(key);
  if (name === undefined) {
    name = make();
    b.memo.set(key, name);
  }
  return name;
}

export function shapeOf(v: Value): number[] {
  return v.kind === 'dyn' ? v.shape : v.tensor.dims;
}

/** The IR name of a value in TF's own layout (NHWC for rank 4, inserting a Transpose once). */
export function tfLayout(b: Builder, v: Value): string {
  if (v.kind === 'const') return memo(b, `${v.name}#tf`, () => floatInit(b, v.name, v.tensor));
  if (v.shape.length !== 4) return v.name;
  return memo(b, `${v.name}#nhwc`, () => {
    const name = fresh(b, `${v.name}#nhwc`);
    emit(b, 'Transpose', [v.name], [name], { perm: { ints: TO_NHWC } });
    return name;
  });
}

/** The IR name of a value in the IR's layout (NCHW for rank 4). */
export function irLayout(b: Builder, v: Value): string {
  if (v.kind === 'dyn') return v.name;
  if (v.tensor.dims.length !== 4) return tfLayout(b, v);
  return memo(b, `${v.name}#nchw`, () => floatInit(b, v.name, transpose(v.tensor, TO_NCHW)));
}

/**
 * A constant that broadcasts against a rank-4 NHWC tensor, laid out to broadcast the same way
 * against its NCHW form: TF aligns it from the right (so a [C] bias runs along channels); padded
 * to rank 4 and transposed, it becomes [1, C, 1, 1]. All-ones shapes broadcast alike either way.
 */
export function constForNchw(b: Builder, v: ConstValue): string {
  const dims = v.tensor.dims;
  if (dims.every((d) => d === 1)) return tfLayout(b, v);
  const padded = [...new Array(4 - dims.length).fill(1), ...dims];
  return memo(b, `${v.name}#bnchw`, () => floatInit(b, v.name, transpose({ dims: padded, data: v.tensor.data }, TO_NCHW)));
}

/**
 * Emit the op(s) that produce a node's output under its IR name. An op computed in TF layout
 * on a rank-4 result writes to a temporary that a Transpose turns into the IR's NCHW.
 */
export function finish(b: Builder, out: string, shape: number[], computedIn: 'ir' | 'tf', emitOp: (target: string) => void): DynValue {
  if (shape.length === 4 && computedIn === 'tf') {
    const tmp = fresh(b, `${out}#nhwc`);
    emitOp(tmp);
    emit(b, 'Transpose', [tmp], [out], { perm: { ints: TO_NCHW } });
  } else {
    emitOp(out);
  }
  return { kind: 'dyn', name: out, shape };
}

/** The i-th data input; a missing one is an error naming the node. */
export function inputAt(c: OpContext, i: number, what: string): Value {
  const v = c.inputs[i];
  if (!v) throw nodeError(c, 'E_TFJS_ARITY', `has ${c.inputs.length} inputs, but input ${i + 1} (${what}) is needed`, 're-convert the model');
  return v;
}

/** An input that must be a Const (filters, axes, paddings, target shapes). */
export function constAt(c: OpContext, i: number, what: string): ConstValue {
  const v = inputAt(c, i, what);
  if (v.kind !== 'const') {
    throw nodeError(c, 'E_TFJS_NOT_CONST', `its ${what} (input ${i + 1}) is computed at run time; neurogate needs it to be a constant`,
      'freeze the model so that shapes and weights are constants (tensorflowjs_converter does this by default)');
  }
  return v;
}

/** The rank of a value, checked against what the op accepts. */
export function requireRank(c: OpContext, v: Value, ranks: number[], what: string): number[] {
  const s = shapeOf(v);
  if (!ranks.includes(s.length)) {
    throw nodeError(c, 'E_TFJS_SHAPE', `its ${what} has shape [${s}] (rank ${s.length}); rank ${ranks.join(' or ')} is supported`);
  }
  return s;
}

/** Normalize a possibly negative axis for a given rank. */
export function normAxis(c: OpContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw nodeError(c, 'E_TFJS_AXIS', `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/**
 * After removing `removed` NHWC axes from a rank-4 NCHW tensor, the remaining axes are in NCHW
 * order; this is the Transpose (or null) that puts them back in TF's order.
 */
export function restoreOrder(removed: Set<number>): number[] | null {
  const left = TO_NCHW.filter((a) => !removed.has(a));
  const sorted = [...left].sort((x, y) => x - y);
  const perm = sorted.map((a) => left.indexOf(a));
  return perm.every((p, i) => p === i) ? null : perm;
}

/** TF.js runs NHWC only, so converted graphs are NHWC; anything else is refused by name. */
export function requireNhwc(c: OpContext): void {
  const f = attrString(c.node, 'data_format', 'NHWC');
  if (f !== 'NHWC') throw nodeError(c, 'E_TFJS_LAYOUT', `data_format ${f} is not supported`, 'convert the model with NHWC layout (the TF.js default)');
}
