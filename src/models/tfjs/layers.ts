// Importing a TF.js LayersModel (Keras model.json + weight shards) into the ONNX IR: NCHW, one
// tensor per Keras layer named after it, weights dequantized exactly as TF.js does.
import { createModel, DEFAULT_OPSET } from '../../engine/graph.ts';
import { makeNet } from '../../engine/net.ts';
import { checkInputSize } from '../input-size.ts';
import { badInput } from '../../errors.ts';
import type { ImportedModel, Preprocess } from '../types.ts';
import type { TfjsModelFiles } from '../zoo/nsfwjs.ts';
import { decodeWeights } from './weights.ts';
import { readTopology, type KerasLayer } from './keras/topology.ts';
import { newContext, claim, type Ctx, type KShape } from './keras/context.ts';
import { convertLayer } from './keras/convert.ts';
import { activationOf } from './keras/activations.ts';

export interface LayersImportOptions {
  /** Class names in logit order. */
  labels?: string[];
  /** model.json does not record preprocessing; the default is RGB scaled to [0,1] (the nsfwjs models). */
  preprocess?: Partial<Pick<Preprocess, 'scale' | 'mean' | 'std' | 'channelOrder'>>;
  /** The size to import at when the model leaves height and width free ([None, None, None, 3]). */
  size?: { height: number; width: number };
}

export function importLayersModel(files: TfjsModelFiles, where: string, opts: LayersImportOptions = {}): ImportedModel {
  const topo = readTopology(files.modelJson, where);
  const manifest = files.modelJson.weightsManifest;
  if (!Array.isArray(manifest)) {
    throw badInput('E_KERAS_FORMAT', 'model.json has no weightsManifest', where, 'pass the model.json written by tensorflowjs_converter, next to its weight shards');
  }
  const ctx = newContext(where, decodeWeights(manifest, files.shards, where));
  const [H, W, C] = inputSize(topo.input, where, opts.size);
  checkInputSize({ channels: C, height: H, width: W }, where);
  ctx.shapes.set(claim(ctx, topo.input.name), [null, H, W, C]);
  for (const l of topo.layers) convertLayer(ctx, l);

  const unused = ctx.weights.unused();
  if (unused.length) {
    throw badInput('E_KERAS_WEIGHT_UNUSED', `the weights manifest has ${unused.length} weight(s) no layer uses: ${unused.slice(0, 5).map((n) => `"${n}"`).join(', ')}${unused.length > 5 ? ', …' : ''}`, where,
      'model.json and the weights do not match (TF.js refuses such a model too); convert the model again');
  }

  const model = createModel({
    name: topo.name ?? 'keras',
    inputs: [{ name: topo.input.name, dims: ['N', C, H, W] }],
    outputs: topo.outputs.map((o) => ({ name: o, dims: irDims(ctx.shapes.get(o)!) })),
    nodes: ctx.nodes,
    initializers: ctx.initializers,
    opset: DEFAULT_OPSET,
    docString: `imported by neurogate from a TF.js layers model (Keras ${topo.kerasVersion ?? 'version unknown'}, ${topo.layers.length + 1} layers)`,
  });

  const heads = classHeads(ctx, topo.layers, topo.outputs);
  if (opts.labels && heads.classes !== undefined && opts.labels.length !== heads.classes) {
    throw badInput('E_LABELS', `${opts.labels.length} labels were given but the model's output "${topo.outputs[0]}" has ${heads.classes} classes`, where,
      'give one label per output class, in logit order');
  }
  return {
    net: makeNet(model, where),
    input: { name: topo.input.name, channels: C, height: H, width: W },
    logits: heads.logits,
    probabilities: heads.probabilities,
    labels: opts.labels,
    preprocess: {
      height: H,
      width: W,
      scale: opts.preprocess?.scale ?? 1 / 255,
      mean: opts.preprocess?.mean ?? new Array<number>(C).fill(0),
      std: opts.preprocess?.std ?? new Array<number>(C).fill(1),
      channelOrder: opts.preprocess?.channelOrder ?? 'RGB',
      sourceLayout: 'NHWC',
    },
    layerAliases: Object.keys(ctx.aliases).length ? ctx.aliases : undefined,
  };
}

/** Height, width and channels of the image input; pads are computed from them, so they must be fixed. */
function inputSize(input: KerasLayer, where: string, size?: { height: number; width: number }): [number, number, number] {
  const shape = input.config.batch_input_shape ?? input.config.batch_shape;
  if (!Array.isArray(shape) || shape.length !== 4) {
    throw badInput('E_KERAS_INPUT', `input "${input.name}" has shape ${JSON.stringify(shape)}; neurogate imports image models with input [batch, height, width, channels]`, where,
      'export a model whose input is one NHWC image batch');
  }
  const [, h0, w0, c] = shape;
  // A given size fills only the free dimensions: a fixed one is what the weights were made for.
  const h = h0 ?? size?.height;
  const w = w0 ?? size?.width;
  if (![h, w, c].every((d) => Number.isInteger(d) && d > 0)) {
    throw badInput('E_KERAS_INPUT', `input "${input.name}" has shape [${shape.map((d: unknown) => d ?? 'None')}]; height, width and channels must be fixed numbers`, where,
      'TF "same" padding depends on the input size; re-export the model with a fixed input_shape');
  }
  return [h, w, c];
}

function irDims(s: KShape): (number | string)[] {
  const d = s.map((v, i) => (i === 0 || v === null ? 'N' : v));
  return d.length === 4 ? [d[0], d[3], d[1], d[2]] : d;
}

/**
 * Which tensors hold class scores: a softmax (fused or as its own layer) at the single output
 * gives probabilities, its input the logits; a sigmoid likewise; a linear Dense gives logits.
 */
function classHeads(ctx: Ctx, layers: KerasLayer[], outputs: string[]): { logits?: string; probabilities?: string; classes?: number } {
  if (outputs.length !== 1) return {};
  const out = layers.find((l) => l.name === outputs[0]);
  const shape = ctx.shapes.get(outputs[0])!;
  if (!out || shape.length !== 2) return {};
  const classes = shape[1] ?? undefined;
  const alias = ctx.aliases[out.name];
  const act = out.className === 'Softmax' ? 'softmax' : out.className === 'Activation' || alias ? activationOf(ctx, out, out.config.activation) : undefined;
  if (act === 'softmax' || act === 'sigmoid') {
    return { probabilities: out.name, logits: alias ? alias.preActivation : out.inbound[0], classes };
  }
  if (out.className === 'Dense' && !alias) return { logits: out.name, classes };
  return { classes };
}
