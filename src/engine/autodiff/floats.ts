// Small float constants of a model (initializers and Constant nodes), for rules whose backward
// depends on a float parameter given as a tensor (Resize scales and roi).
import { num, DataType, type ModelProto } from '../onnx.ts';
import { tensorFromProto } from '../graph.ts';

const SMALL = 64;

export function constantFloats(model: ModelProto): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const small = (dims: unknown[]) => dims.reduce<number>((a, d) => a * num(d as never), 1) <= SMALL;
  for (const t of model.graph.initializer) {
    if (t.dataType === DataType.FLOAT && small(t.dims)) out.set(t.name, Array.from(tensorFromProto(t).data));
  }
  for (const n of model.graph.node) {
    if (n.opType !== 'Constant') continue;
    const v = n.attribute.find((a) => a.name === 'value')?.t;
    if (v && v.dataType === DataType.FLOAT && small(v.dims)) out.set(n.output[0], Array.from(tensorFromProto(v).data));
    const fs = n.attribute.find((a) => a.name === 'value_floats' || a.name === 'value_float');
    if (fs) out.set(n.output[0], fs.name === 'value_float' ? [fs.f] : [...fs.floats]);
  }
  return out;
}
