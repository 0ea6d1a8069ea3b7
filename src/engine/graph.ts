// Building and editing ONNX graphs: node/attribute/initializer builders, topological order,
// taps (extra outputs), pruning, and weight read/replace. Pure functions over ModelProto.
import { onnx, num, DataType, AttrType, type ModelProto, type NodeProto, type TensorProto, type GraphProto, type AttributeProto, type ValueInfoProto } from './onnx.ts';
import { type Tensor, sizeOf } from './tensor.ts';
import { badInput, NeurogateError } from '../errors.ts';

export const DEFAULT_OPSET = 17;

/** Attribute values, tagged so ints and floats stay distinct (ONNX cares). */
export type AttrValue =
  | { i: number }
  | { f: number }
  | { s: string }
  | { ints: number[] }
  | { floats: number[] }
  | { t: TensorProto };

export function attribute(name: string, v: AttrValue): AttributeProto {
  const a = onnx.AttributeProto.create({ name }) as unknown as AttributeProto;
  if ('i' in v) { a.type = AttrType.INT; a.i = v.i as never; }
  else if ('f' in v) { a.type = AttrType.FLOAT; a.f = v.f; }
  else if ('s' in v) { a.type = AttrType.STRING; a.s = new TextEncoder().encode(v.s); }
  else if ('ints' in v) { a.type = AttrType.INTS; a.ints = v.ints as never; }
  else if ('floats' in v) { a.type = AttrType.FLOATS; a.floats = v.floats; }
  else { a.type = AttrType.TENSOR; a.t = v.t; }
  return a;
}

export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name?: string): NodeProto {
  return onnx.NodeProto.create({
    opType: op,
    input: inputs,
    output: outputs,
    name: name ?? outputs[0],
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) as never,
  }) as unknown as NodeProto;
}

/** Read an attribute of a node as a plain JS value (numbers for ints, arrays for lists). */
export function attr<T = unknown>(n: NodeProto, name: string, fallback?: T): T {
  const a = n.attribute.find((x) => x.name === name);
  if (!a) return fallback as T;
  switch (a.type) {
    case AttrType.INT: return num(a.i) as T;
    case AttrType.FLOAT: return a.f as T;
    case AttrType.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array()) as T;
    case AttrType.INTS: return a.ints.map(num) as T;
    case AttrType.FLOATS: return [...a.floats] as T;
    case AttrType.TENSOR: return a.t as T;
    default: return fallback as T;
  }
}

export function floatTensorProto(name: string, t: Tensor): TensorProto {
  return onnx.TensorProto.create({
    name,
    dims: t.dims as never,
    dataType: DataType.FLOAT,
    rawData: new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength)),
  }) as unknown as TensorProto;
}

export function int64TensorProto(name: string, dims: number[], values: number[]): TensorProto {
  const buf = new BigInt64Array(values.map((v) => BigInt(v)));
  return onnx.TensorProto.create({ name, dims: dims as never, dataType: DataType.INT64, rawData: new Uint8Array(buf.buffer) }) as unknown as TensorProto;
}

/** Decode a TensorProto into a float Tensor (FLOAT, DOUBLE, the integer types), from raw or typed fields. */
export function tensorFromProto(tp: TensorProto, where = tp.name): Tensor {
  const dims = tp.dims.map(num);
  const n = sizeOf(dims);
  const raw = tp.rawData && tp.rawData.length > 0 ? tp.rawData : null;
  const out = new Float32Array(n);
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  const need = (bytes: number) => {
    if (raw && raw.length !== n * bytes) {
      throw badInput('E_ONNX_TENSOR', `tensor "${tp.name}" has ${raw.length} bytes of data but dims [${dims}] need ${n * bytes}`, where,
        'the weight data is truncated or inconsistent; re-export the model');
    }
  };
  switch (tp.dataType) {
    case DataType.FLOAT:
      need(4);
      if (view) for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      else copyList(tp.floatData, out, tp.name, where);
      break;
    case DataType.DOUBLE:
      need(8);
      if (view) for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      else copyList(tp.doubleData, out, tp.name, where);
      break;
    case DataType.INT64:
      need(8);
      if (view) for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      else copyList(tp.int64Data.map(num), out, tp.name, where);
      break;
    case DataType.INT32:
      need(4);
      if (view) for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
      else copyList(tp.int32Data, out, tp.name, where);
      break;
    case DataType.UINT8:
      need(1);
      if (raw) for (let i = 0; i < n; i++) out[i] = raw[i];
      else copyList(tp.int32Data, out, tp.name, where);
      break;
    default:
      throw badInput('E_ONNX_DTYPE', `tensor "${tp.name}" has data type ${DataType[tp.dataType] ?? tp.dataType}, which neurogate cannot read`, where,
        'supported: FLOAT, DOUBLE, INT64, INT32, UINT8');
  }
  return { dims, data: out };
}

function copyList(src: ArrayLike<number>, out: Float32Array, name: string, where: string): void {
  if (src.length !== out.length) {
    throw badInput('E_ONNX_TENSOR', `tensor "${name}" has ${src.length} values, its dims need ${out.length}`, where,
      'the weight data is truncated or inconsistent; re-export the model');
  }
  for (let i = 0; i < src.length; i++) out[i] = src[i];
}

export interface ModelParts {
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims?: (number | string)[] }[];
  nodes: NodeProto[];
  initializers: TensorProto[];
  name?: string;
  opset?: number;
  docString?: string;
}

export function valueInfo(name: string, dims?: (number | string)[]): ValueInfoProto {
  const shape = dims
    ? onnx.TensorShapeProto.create({
        dim: dims.map((d) => (typeof d === 'string' || d < 0
          ? onnx.TensorShapeProto.Dimension.create({ dimParam: typeof d === 'string' ? d : 'N' })
          : onnx.TensorShapeProto.Dimension.create({ dimValue: d as never }))),
      })
    : undefined;
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: DataType.FLOAT, shape }) }),
  }) as unknown as ValueInfoProto;
}

export function createModel(p: ModelParts): ModelProto {
  return onnx.ModelProto.create({
    irVersion: 8 as never,
    producerName: 'neurogate',
    docString: p.docString ?? '',
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: (p.opset ?? DEFAULT_OPSET) as never })],
    graph: onnx.GraphProto.create({
      name: p.name ?? 'neurogate',
      node: p.nodes,
      initializer: p.initializers,
      input: p.inputs.map((i) => valueInfo(i.name, i.dims)),
      output: p.outputs.map((o) => valueInfo(o.name, o.dims)),
    }),
  }) as unknown as ModelProto;
}

/** Names of the graph's real inputs (initializers listed as inputs are not real inputs). */
export function graphInputs(g: GraphProto): string[] {
  const inits = new Set(g.initializer.map((t) => t.name));
  return g.input.map((i) => i.name).filter((n) => !inits.has(n));
}

export function inputDims(g: GraphProto, name: string): (number | string)[] {
  const vi = g.input.find((i) => i.name === name);
  const dims = vi?.type?.tensorType?.shape?.dim ?? [];
  return dims.map((d) => (d.dimParam ? d.dimParam : num(d.dimValue)));
}

/**
 * Nodes in an order where every input is produced before use. Throws on a cycle or on a
 * tensor nobody produces, naming the node — broken graphs must not reach onnxruntime.
 */
export function topoOrder(g: GraphProto, where = 'model'): NodeProto[] {
  const produced = new Map<string, number>();
  g.node.forEach((n, i) => n.output.forEach((o) => o && produced.set(o, i)));
  const available = new Set<string>([...g.input.map((i) => i.name), ...g.initializer.map((t) => t.name), '']);
  const state = new Uint8Array(g.node.length); // 0 new, 1 visiting, 2 done
  const order: NodeProto[] = [];
  const visit = (start: number) => {
    // Iterative DFS: real graphs (InceptionV3) are deep enough to worry a recursive one.
    const stack: [number, number][] = [[start, 0]];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const n = g.node[top[0]];
      if (top[1] < n.input.length) {
        const inp = n.input[top[1]++];
        if (available.has(inp)) continue;
        const p = produced.get(inp);
        if (p === undefined) {
          throw badInput('E_GRAPH_DANGLING', `node "${n.name || n.opType}" (${n.opType}) reads tensor "${inp}", which no node, input or initializer provides`, where,
            'the model file is inconsistent; re-export it');
        }
        if (state[p] === 1) {
          throw badInput('E_GRAPH_CYCLE', `the graph has a cycle through node "${g.node[p].name || g.node[p].opType}" (${g.node[p].opType})`, where,
            'ONNX graphs must be acyclic; re-export the model');
        }
        if (state[p] === 0) { state[p] = 1; stack.push([p, 0]); }
      } else {
        state[top[0]] = 2;
        order.push(n);
        stack.pop();
      }
    }
  };
  for (let i = 0; i < g.node.length; i++) if (state[i] === 0) visit(i);
  return order;
}

/** Turn Constant nodes that hold tensors into initializers, so weights live in one place. */
export function constantsToInitializers(model: ModelProto): ModelProto {
  const g = model.graph!;
  const keep: NodeProto[] = [];
  for (const n of g.node) {
    const value = n.opType === 'Constant' && (!n.domain || n.domain === '') ? n.attribute.find((a) => a.name === 'value' && a.t) : undefined;
    if (value?.t) {
      const tp = onnx.TensorProto.fromObject(onnx.TensorProto.toObject(value.t as never)) as unknown as TensorProto;
      tp.name = n.output[0];
      g.initializer.push(tp);
    } else keep.push(n);
  }
  g.node = keep;
  return model;
}

/** Every tensor name a node produces, in topological order (what a user may tap). */
export function allTensorNames(g: GraphProto): string[] {
  return topoOrder(g).flatMap((n) => n.output.filter(Boolean));
}

/**
 * Make the graph output exactly `outputs` (taps) and drop every node they do not need.
 * Pruning matters: a tap on mixed2 should not pay for the rest of InceptionV3.
 */
export function withOutputs(model: ModelProto, outputs: string[], where = 'model'): ModelProto {
  const g = model.graph!;
  const producer = new Map<string, NodeProto>();
  for (const n of g.node) for (const o of n.output) if (o) producer.set(o, n);
  const inputs = new Set(g.input.map((i) => i.name));
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  for (const o of outputs) {
    if (!producer.has(o) && !inputs.has(o) && !inits.has(o)) {
      throw badInput('E_NO_TENSOR', `no tensor named "${o}" in the model`, where, 'list the names with `neurogate layers <model>`');
    }
  }
  const needed = new Set<NodeProto>();
  const neededTensors = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const t = stack.pop()!;
    if (neededTensors.has(t)) continue;
    neededTensors.add(t);
    const n = producer.get(t);
    if (n && !needed.has(n)) {
      needed.add(n);
      for (const i of n.input) if (i) stack.push(i);
      // Subgraph-holding ops (If/Loop) read outer tensors implicitly; keep it simple and refuse them.
      if (n.attribute.some((a) => a.g || (a.graphs && a.graphs.length))) {
        throw badInput('E_GRAPH_SUBGRAPH', `node "${n.name}" (${n.opType}) has a subgraph, which neurogate does not support`, where,
          'export the model without control flow (e.g. torch.onnx.export with static shapes)');
      }
    }
  }
  const out = onnx.ModelProto.create({ ...(model as object), graph: undefined }) as unknown as ModelProto;
  const existingOut = new Map(g.output.map((o) => [o.name, o]));
  out.graph = onnx.GraphProto.create({
    name: g.name,
    node: g.node.filter((n) => needed.has(n)),
    initializer: g.initializer.filter((t) => neededTensors.has(t.name)),
    input: g.input.filter((i) => neededTensors.has(i.name) || !inits.has(i.name)),
    // New taps carry no element type: onnxruntime infers it, and int64 tensors (Shape…) stay legal.
    output: outputs.map((o) => existingOut.get(o) ?? (onnx.ValueInfoProto.create({ name: o }) as unknown as ValueInfoProto)),
    valueInfo: [],
  } as never) as unknown as GraphProto;
  return out;
}

export function findInitializer(model: ModelProto, name: string): TensorProto | undefined {
  return model.graph!.initializer.find((t) => t.name === name);
}

export function readWeight(model: ModelProto, name: string): Tensor {
  const tp = findInitializer(model, name);
  if (!tp) {
    throw badInput('E_NO_WEIGHT', `no initializer (weight) named "${name}"`, undefined, 'list weights with `neurogate layers <model> --json`');
  }
  return tensorFromProto(tp);
}

/** Replace a weight by name; the shape must stay the same (edits change values, not structure). */
export function replaceWeight(model: ModelProto, name: string, t: Tensor): void {
  const g = model.graph!;
  const i = g.initializer.findIndex((x) => x.name === name);
  if (i < 0) throw badInput('E_NO_WEIGHT', `no initializer (weight) named "${name}"`, undefined, 'list weights with `neurogate layers <model> --json`');
  const old = g.initializer[i].dims.map(num);
  if (old.length !== t.dims.length || old.some((d, k) => d !== t.dims[k])) {
    throw new NeurogateError(`replaceWeight: "${name}" has shape [${old}], the new value has [${t.dims}]`, { code: 'E_WEIGHT_SHAPE', kind: 'bad_input' });
  }
  g.initializer[i] = floatTensorProto(name, t);
}

/** The node that produces a tensor, or undefined for inputs and initializers. */
export function producerOf(g: GraphProto, tensorName: string): NodeProto | undefined {
  return g.node.find((n) => n.output.includes(tensorName));
}

export function consumersOf(g: GraphProto, tensorName: string): NodeProto[] {
  return g.node.filter((n) => n.input.includes(tensorName));
}
