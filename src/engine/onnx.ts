// Reading and writing the IR: ONNX protobuf through onnx-proto (protobufjs), plus the
// conversions its Long-typed fields need. Everything else in the engine edits the decoded
// ModelProto through src/engine/graph.ts.
import { createRequire } from 'node:module';
import type { onnx as OnnxNs } from 'onnx-proto';
import { badInput } from '../errors.ts';

const require = createRequire(import.meta.url);
export const onnx: typeof OnnxNs = require('onnx-proto').onnx;

// onnx-proto types nested messages as all-optional interfaces; decoded and created messages
// always carry their repeated fields, so we describe them as they really are.
type Int64 = number | { toNumber(): number };

export interface AttributeProto {
  name: string;
  type: number;
  f: number;
  i: Int64;
  s: Uint8Array;
  t?: TensorProto | null;
  g?: GraphProto | null;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
  tensors: TensorProto[];
  graphs: GraphProto[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: AttributeProto[];
  docString?: string;
}

export interface TensorProto {
  name: string;
  dims: Int64[];
  dataType: number;
  rawData: Uint8Array;
  floatData: number[];
  doubleData: number[];
  int32Data: number[];
  int64Data: Int64[];
  dataLocation?: number;
  externalData: { key: string; value: string }[];
}

export interface ValueInfoProto {
  name: string;
  type?: {
    tensorType?: { elemType?: number; shape?: { dim: { dimValue?: Int64 | null; dimParam?: string | null }[] } | null } | null;
  } | null;
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
  docString?: string;
}

export interface ModelProto {
  irVersion: Int64;
  opsetImport: { domain: string; version: Int64 }[];
  producerName: string;
  docString: string;
  graph: GraphProto;
  metadataProps: { key: string; value: string }[];
}

export const DataType = onnx.TensorProto.DataType;
export const AttrType = onnx.AttributeProto.AttributeType;

/** protobufjs hands int64 fields back as Long objects (or numbers); make them numbers. */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  if (typeof v === 'string') return Number(v);
  return Number(v ?? 0);
}

/** Decode bytes into a ModelProto; a broken file becomes a bad-input error naming the file. */
export function decodeModel(bytes: Uint8Array, where = '<model bytes>'): ModelProto {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes) as unknown as ModelProto;
  } catch (e) {
    throw badInput('E_ONNX_DECODE', `not a readable ONNX file (${(e as Error).message})`, where,
      'the file may be truncated or not ONNX; re-export it or check the download');
  }
  if (!model.graph || model.graph.node.length === 0) {
    throw badInput('E_ONNX_EMPTY', 'the ONNX file has no graph nodes', where,
      'the file may be truncated or not ONNX; re-export it');
  }
  return model;
}

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model as never).finish();
}

/** A deep copy, so edits never touch a cached or caller-owned model. */
export function cloneModel(model: ModelProto): ModelProto {
  return onnx.ModelProto.decode(encodeModel(model)) as unknown as ModelProto;
}
