// Where a unit of a layer really comes from: through concat branches (nested ones too) down to the
// branch tensor and channel, and the value before its non-linearity — what feature visualization
// optimizes (Lucid uses `…_pre_relu` tensors: a ReLU at zero has no gradient to climb).
import { topoOrder } from '../../engine/graph.ts';
import type { NodeProto } from '../../engine/onnx.ts';
import { listLayers, type Branch, type LayerInfo } from '../../models/catalog.ts';
import type { ImportedModel } from '../../models/types.ts';

/** Element-wise non-linearities whose input is "the unit before its activation". */
const ACTIVATIONS = new Set(['Relu', 'LeakyRelu', 'Elu', 'Selu', 'Clip', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Softplus', 'PRelu', 'Gelu']);

export interface UnitSource {
  /** The tensor and channel the unit is computed in (the concat branch when the layer is a concat). */
  tensor: string;
  channel: number;
  /** The same unit before its activation function, when one follows a linear op. */
  preActivation?: { tensor: string; channel: number };
}

export async function unitSource(model: ImportedModel, layer: LayerInfo, unit: number): Promise<UnitSource> {
  const layers = await listLayers(model);
  const byTensor = new Map(layers.map((l) => [l.tensor, l]));
  const producer = new Map<string, NodeProto>();
  for (const n of topoOrder(model.net.model.graph!)) for (const o of n.output) if (o) producer.set(o, n);
  let info: LayerInfo | undefined = layer;
  let channel = unit;
  // Descend through concats (InceptionV3's mixed9 holds concats of concats).
  for (let depth = 0; info?.branches && depth < 16; depth++) {
    const branches: readonly Branch[] = info.branches;
    const b = branches.find((x) => channel >= x.from && channel < x.to);
    if (!b) break;
    channel -= b.from;
    info = byTensor.get(b.tensor) ?? { name: b.name, tensor: b.tensor, op: '', shape: [] };
  }
  const tensor = info!.tensor;
  let pre: string | undefined = info!.preActivation;
  if (!pre) {
    const n = producer.get(tensor);
    if (n && ACTIVATIONS.has(n.opType) && n.input[0]) pre = n.input[0];
  }
  return { tensor, channel, ...(pre ? { preActivation: { tensor: pre, channel } } : {}) };
}
