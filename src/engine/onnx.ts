// Reading and writing the IR: ONNX protobuf through onnx-proto (protobufjs), plus the
// conversions its Long-typed fields need. Everything else in the engine edits the decoded
// ModelProto through src/engine/graph.ts.
import { createRequire } from 'node:module';
import type { onnx as OnnxNs } from 'onnx-proto';
import { badInput } from '../errors.ts';

const require = createRequire(import.meta.url);
export const onnx: typeof OnnxNs = require('onnx-proto').onnx;

export type ModelProto = OnnxNs.ModelProto;
export type GraphProto = OnnxNs.GraphProto;
export type NodeProto = OnnxNs.NodeProto;
export type TensorProto = OnnxNs.TensorProto;
export type AttributeProto = OnnxNs.AttributeProto;
export type ValueInfoProto = OnnxNs.ValueInfoProto;

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
    model = onnx.ModelProto.decode(bytes);
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
  return onnx.ModelProto.encode(model).finish();
}

/** A deep copy, so edits never touch a cached or caller-owned model. */
export function cloneModel(model: ModelProto): ModelProto {
  return onnx.ModelProto.decode(encodeModel(model));
}
