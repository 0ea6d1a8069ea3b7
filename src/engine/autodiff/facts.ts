// Static facts about every tensor of a graph (shape, dtype, small int values), learnt by running
// the forward graph once with every tensor tapped, at batch 1 and batch 2: dims that change are
// the batch's, so one gradient graph serves every batch size.
import { createRequire } from 'node:module';
import type * as OrtNs from 'onnxruntime-node';
import { onnx, num, encodeModel, DataType, type ModelProto, type ValueInfoProto, type TensorProto } from '../onnx.ts';
import { graphInputs, tensorFromProto } from '../graph.ts';
import { sizeOf } from '../tensor.ts';
import { badInput } from '../../errors.ts';

const require = createRequire(import.meta.url);
const ort: typeof OrtNs = require('onnxruntime-node');

export interface TensorFact {
  /** Dims at the probe batch (2 when the batch is free, else the fixed batch). */
  dims: number[];
  /** Which dims scale with the batch (all false when the batch is fixed). */
  batch: boolean[];
  /** onnxruntime's type name: float32, int64, bool … */
  dtype: string;
  /** Values of small int tensors that do not depend on the batch (shape arithmetic). */
  values?: number[];
}

export interface GraphFacts {
  /** `free`: any batch size runs; `fixed`: the graph only runs at batch `probeBatch` (e.g. a Reshape to [1, −1]). */
  batchMode: 'free' | 'fixed';
  probeBatch: number;
  tensors: Map<string, TensorFact>;
  /** Item dims (after the batch axis) of each graph input the facts were probed with. */
  itemDims: Record<string, number[]>;
}

const SMALL = 64;
const DTYPES: Record<number, string> = {
  [DataType.FLOAT]: 'float32', [DataType.DOUBLE]: 'float64', [DataType.INT64]: 'int64', [DataType.INT32]: 'int32',
  [DataType.UINT8]: 'uint8', [DataType.INT8]: 'int8', [DataType.BOOL]: 'bool', [DataType.FLOAT16]: 'float16',
};

export function isFloat(dtype: string): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}

/** The model with its inputs' batch dim made symbolic and every node output tapped (untyped outputs). */
function probeModel(model: ModelProto, taps: string[]): ModelProto {
  const g = model.graph;
  const inits = new Set(g.initializer.map((t) => t.name));
  const input = g.input.filter((i) => !inits.has(i.name)).map((i) => relaxBatch(i, true));
  return onnx.ModelProto.create({
    ...model,
    graph: onnx.GraphProto.create({
      ...g,
      input,
      output: taps.map((name) => onnx.ValueInfoProto.create({ name })),
      valueInfo: [],
    }),
  }) as unknown as ModelProto;
}

/** A copy of an input's value info whose first dim is the symbol N (when `free`). */
export function relaxBatch(vi: ValueInfoProto, free: boolean): ValueInfoProto {
  const tt = vi.type?.tensorType;
  const dims = tt?.shape?.dim ?? [];
  const dim = dims.map((d, i) => (free && i === 0
    ? onnx.TensorShapeProto.Dimension.create({ dimParam: 'N' })
    : onnx.TensorShapeProto.Dimension.create(d.dimParam ? { dimParam: d.dimParam } : { dimValue: num(d.dimValue) as never })));
  return onnx.ValueInfoProto.create({
    name: vi.name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({ elemType: tt?.elemType ?? DataType.FLOAT, shape: onnx.TensorShapeProto.create({ dim }) }),
    }),
  }) as unknown as ValueInfoProto;
}

interface Probed { dims: number[]; dtype: string; values?: number[] }

async function runProbe(model: ModelProto, itemDims: Record<string, number[]>, batch: number): Promise<Map<string, Probed>> {
  const taps = [...new Set(model.graph.node.flatMap((n) => n.output.filter(Boolean)))];
  const bytes = encodeModel(probeModel(model, taps));
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'basic', logSeverityLevel: 4 } as never);
  try {
    const feeds: Record<string, OrtNs.Tensor> = {};
    for (const [name, dims] of Object.entries(itemDims)) {
      const full = [batch, ...dims];
      // Values do not matter for shapes; a constant keeps the probe deterministic.
      feeds[name] = new ort.Tensor('float32', new Float32Array(sizeOf(full)).fill(0.5), full);
    }
    const res = await session.run(feeds);
    const out = new Map<string, Probed>();
    for (const name of taps) {
      const v = res[name];
      if (!v) continue;
      const p: Probed = { dims: [...v.dims], dtype: v.type };
      if ((v.type === 'int64' || v.type === 'int32') && v.size <= SMALL) {
        p.values = Array.from(v.data as ArrayLike<number | bigint>, (x) => Number(x));
      }
      out.set(name, p);
    }
    return out;
  } finally {
    await session.release();
  }
}

/**
 * Probe shapes for inputs of the given item dims at batch 1 and 2: if both run, the batch is
 * free. A graph that runs at only one of them (or only at `batchHint`) is fixed-batch there;
 * at batch 1 the caller runs items one by one.
 */
export async function probeFacts(model: ModelProto, itemDims: Record<string, number[]>, where: string, batchHint = 1): Promise<GraphFacts> {
  const g = model.graph;
  for (const name of graphInputs(g)) {
    if (!itemDims[name]) {
      throw badInput('E_FEED', `the model needs input "${name}" but it was not given`, where, `given: ${Object.keys(itemDims).join(', ') || 'nothing'}`);
    }
  }
  const attempt = async (b: number) => {
    try {
      return { b, probed: await runProbe(model, itemDims, b) };
    } catch (e) {
      return { b, error: String((e as Error).message).split('\n')[0] };
    }
  };
  const a1 = await attempt(1);
  const a2 = await attempt(2);
  let one = a1.probed, two = a2.probed, fixedAt = 1;
  if (!one) {
    // Fixed at a batch other than 1 (e.g. a Reshape to [2, −1]): probe at that batch alone.
    const a = two ? a2 : batchHint > 2 ? await attempt(batchHint) : a1;
    if (!a.probed) {
      const dims = Object.entries(itemDims).map(([k, v]) => `${k}[${a.b},${v}]`).join(', ');
      throw badInput('E_RUN', `onnxruntime failed running the model on ${dims}: ${a1.error}`, where,
        'check the input shape the model expects (`neurogate layers <model>`)');
    }
    one = a.probed;
    two = undefined;
    fixedAt = a.b;
  }
  const tensors = new Map<string, TensorFact>();
  for (const [name, p1] of one) {
    const p2 = two?.get(name);
    if (p2 && p2.dims.length !== p1.dims.length) {
      two = undefined; // rank depends on the batch: treat the graph as fixed-batch
      break;
    }
  }
  for (const [name, p1] of one) {
    const p2 = two?.get(name);
    const dims = p2 ? p2.dims : p1.dims;
    const batch = p2 ? p2.dims.map((d, i) => d !== p1.dims[i]) : p1.dims.map(() => false);
    const same = p2?.values && p1.values && p2.values.length === p1.values.length && p2.values.every((v, i) => v === p1.values![i]);
    tensors.set(name, { dims, batch, dtype: p1.dtype, values: two ? (same ? p1.values : undefined) : p1.values });
  }
  const probeBatch = two ? 2 : fixedAt;
  for (const [name, dims] of Object.entries(itemDims)) {
    tensors.set(name, { dims: [probeBatch, ...dims], batch: [!!two, ...dims.map(() => false)], dtype: 'float32' });
  }
  for (const t of g.initializer) {
    if (tensors.has(t.name)) continue;
    const dims = t.dims.map(num);
    const dtype = DTYPES[t.dataType] ?? `type${t.dataType}`;
    const small = (dtype === 'int64' || dtype === 'int32') && sizeOf(dims) <= SMALL;
    tensors.set(t.name, { dims, batch: dims.map(() => false), dtype, values: small ? intValues(t) : undefined });
  }
  return { batchMode: two ? 'free' : 'fixed', probeBatch, tensors, itemDims };
}

/** Exact values of an int64/int32 TensorProto (raw or typed fields); huge sentinels like INT64_MAX round harmlessly. */
export function intValues(tp: TensorProto): number[] {
  const n = sizeOf(tp.dims.map(num));
  const raw = tp.rawData && tp.rawData.length > 0 ? tp.rawData : null;
  if (tp.dataType === DataType.INT64) {
    if (!raw) return tp.int64Data.map(num);
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Array.from({ length: n }, (_, i) => Number(v.getBigInt64(i * 8, true)));
  }
  if (tp.dataType === DataType.INT32) {
    if (!raw) return [...tp.int32Data];
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Array.from({ length: n }, (_, i) => v.getInt32(i * 4, true));
  }
  return Array.from(tensorFromProto(tp).data);
}
