// What `neurogate init` reads off a model before measuring anything: its image input as the file
// names and shapes it, the layers a scan can use, and the class output the stability checks read.
import { listLayers, type LayerInfo } from '../models/catalog.ts';
import { sourceInput } from '../models/preprocess.ts';
import type { ImportedModel } from '../models/types.ts';

export interface ModelFacts {
  ref: string;
  kind: 'zoo' | 'onnx' | 'tfjs';
  input: { name: string; layout: 'NCHW' | 'NHWC'; dims: (number | string)[]; channels: number; height: number; width: number };
  layers: LayerInfo[];
  /** The class scores before softmax (or the model's output when it has no softmax), as a layer a spec can name. */
  logits?: { layer: string; classes: number };
  labels?: string[];
  /** Post-activation spatial layers in graph order: what a unit scan ranks. */
  activations: LayerInfo[];
}

/** Ops (or Keras layer kinds) whose output is a nonlinearity's: units there have a tuning worth measuring. */
const ACTIVATION_OPS = new Set(['Relu', 'Clip', 'LeakyRelu', 'Elu', 'Selu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Gelu', 'Softplus', 'Tanh', 'PRelu', 'Mish', 'ReLU', 'Activation']);

export async function inspectModel(model: ImportedModel, ref: string): Promise<ModelFacts> {
  const layers = await listLayers(model);
  const src = sourceInput(model);
  const kind = ref.startsWith('zoo:') ? 'zoo' : ref.toLowerCase().endsWith('.onnx') ? 'onnx' : 'tfjs';
  const logitsLayer = model.logits ? layers.find((l) => l.tensor === model.logits) : undefined;
  const classes = logitsLayer?.shape.length === 1 ? logitsLayer.shape[0] : undefined;
  const activations = layers.filter((l) => l.shape.length === 3 && Math.min(l.shape[1], l.shape[2]) >= 7 && (ACTIVATION_OPS.has(l.op) || l.preActivation !== undefined));
  return {
    ref,
    kind,
    input: { ...src, channels: model.input.channels, height: model.input.height, width: model.input.width },
    layers,
    ...(logitsLayer && classes !== undefined ? { logits: { layer: logitsLayer.name, classes } } : {}),
    ...(model.labels ? { labels: model.labels } : {}),
    activations,
  };
}

/**
 * A few early layers to scan: spread over the first half of the activation layers, past the very
 * first ones (their receptive fields are a few pixels, too small for a curve).
 */
export function scanCandidates(facts: ModelFacts, count = 3): LayerInfo[] {
  const a = facts.activations;
  if (a.length <= count) return a;
  const picks = new Set<number>();
  for (let i = 1; i <= count; i++) picks.add(Math.min(a.length - 1, Math.max(1, Math.round((a.length * 0.5 * i) / (count + 1)))));
  return [...picks].sort((x, y) => x - y).map((i) => a[i]);
}
