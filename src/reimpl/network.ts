// The clean-room curve network as an ONNX graph: RGB → ink (1 − luminance) → Gabor simple cells →
// complex cells → 2× max pool → lines → early curves → 2× max pool → curves, every weight written
// by the rules of rules.ts. It is an ImportedModel like any other, so every probe applies unchanged.
import { createModel, floatTensorProto, node } from '../engine/graph.ts';
import { makeNet } from '../engine/net.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { ImportedModel } from '../models/types.ts';
import { familyWeights, unitOrientation, type FamilyDef } from './family.ts';
import { resolveParams, type CurveNetOverrides, type CurveNetParams } from './params.ts';
import { families } from './rules.ts';

/** Layer (tensor) names of the network, from the input up; each has `<name>_conv` before its ReLU where it has one. */
export const LAYERS = ['ink', 'gabor', 'complex', 'complex_pool', 'lines', 'early_curves', 'early_curves_pool', 'curves'] as const;

/** Initializer names of the weights an edit may touch, by family. */
export const WEIGHTS = { gabor: 'gabor.weight', complex: 'complex.weight', lines: 'lines.weight', early_curves: 'early_curves.weight', curves: 'curves.weight' } as const;

/** Luminance weights (ITU-R BT.601), the grey every stimulus colour becomes. */
const LUMA: [number, number, number] = [0.299, 0.587, 0.114];

export interface BuiltFamily {
  def: FamilyDef;
  weight: Tensor;
  gains: number[];
  /** Designed orientation of each output channel (variants of one orientation share it). */
  orientations: number[];
}

export interface CurveNet {
  model: ImportedModel;
  params: CurveNetParams;
  families: Record<string, BuiltFamily>;
}

/** Build the network from parameters (defaults fill the gaps); `where` names it in messages. */
export function buildCurveNet(overrides: CurveNetOverrides | CurveNetParams = {}, where = 'zoo:reimpl-curves'): CurveNet {
  const p = resolveParams(overrides as CurveNetOverrides, where);
  const built: Record<string, BuiltFamily> = {};
  for (const def of families(p)) {
    const { weight, gains } = familyWeights(def);
    const variants = def.variants ?? 1;
    built[def.name] = { def, weight, gains, orientations: Array.from({ length: def.count * variants }, (_, c) => unitOrientation(def, Math.floor(c / variants))) };
  }
  const conv = (x: string, name: string, k: number, out: string) =>
    node('Conv', [x, `${name}.weight`], [out], { kernel_shape: { ints: [k, k] }, pads: { ints: Array(4).fill((k - 1) / 2) }, strides: { ints: [1, 1] } });
  // 3×3 windows, stride 2, padding 1: each pooled position is centred on an input position, so
  // the receptive fields stay symmetric about their centres (a 2×2 pool would shift them by half a step).
  const pool = (x: string, out: string) => node('MaxPool', [x], [out], { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] } }, out);
  const nodes = [
    // Ink = 1 − luminance: white paper is 0, so the convolutions' zero padding looks like more paper.
    node('Conv', ['image', 'ink.weight', 'ink.bias'], ['ink'], { kernel_shape: { ints: [1, 1] } }, 'ink'),
    conv('ink', 'gabor', p.gabor.kernel, 'gabor_conv'), node('Relu', ['gabor_conv'], ['gabor']),
    conv('gabor', 'complex', 1, 'complex'),
    pool('complex', 'complex_pool'),
    conv('complex_pool', 'lines', p.lines.kernel, 'lines_conv'), node('Relu', ['lines_conv'], ['lines']),
    conv('lines', 'early_curves', p.earlyCurves.kernel, 'early_curves_conv'), node('Relu', ['early_curves_conv'], ['early_curves']),
    pool('early_curves', 'early_curves_pool'),
    conv('early_curves_pool', 'curves', p.curves.kernel, 'curves_conv'), node('Relu', ['curves_conv'], ['curves']),
  ];
  const initializers = [
    floatTensorProto('ink.weight', { dims: [1, 3, 1, 1], data: Float32Array.from(LUMA.map((v) => -v)) }),
    floatTensorProto('ink.bias', { dims: [1], data: Float32Array.of(1) }),
    ...Object.values(built).map((b) => floatTensorProto(`${b.def.name}.weight`, b.weight)),
  ];
  const model = createModel({
    name: 'reimpl-curves',
    inputs: [{ name: 'image', dims: ['N', 3, p.size, p.size] }],
    outputs: [{ name: 'curves' }],
    nodes,
    initializers,
    docString: `neurogate clean-room curve network: weights written from geometric rules (src/reimpl/rules.ts), no training. Parameters: ${JSON.stringify(p)}`,
  });
  const aliases: ImportedModel['layerAliases'] = {};
  for (const name of ['gabor', 'lines', 'early_curves', 'curves']) aliases[name] = { tensor: name, preActivation: `${name}_conv`, kind: 'Conv+Relu' };
  return {
    model: {
      net: makeNet(model, where),
      input: { name: 'image', channels: 3, height: p.size, width: p.size },
      preprocess: { height: p.size, width: p.size, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'RGB', sourceLayout: 'NCHW' },
      layerAliases: aliases,
    },
    params: p,
    families: built,
  };
}
