// A spec's `preprocess:` block: checked against the model's image input (name, channels, layout,
// size) and applied over the importer's preprocessing (range or scale, mean, std, channel order).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { badInput, type NeurogateError } from '../errors.ts';
import { inputDims } from '../engine/graph.ts';
import type { GreyRule, ImportedModel, Preprocess } from './types.ts';
import type { FixedInput } from './fixed-inputs.ts';

/** A spec's `preprocess:` block as written (keys left out keep the importer's choice). */
export interface PreprocessOverride {
  input?: string;
  layout?: 'NCHW' | 'NHWC';
  /** [height, width] */
  size?: [number, number];
  /** Values of pixel levels 0 and 255. */
  range?: [number, number];
  scale?: number;
  /** One per input channel. */
  mean?: number[];
  std?: number[];
  channel_order?: 'RGB' | 'BGR';
  grey?: GreyRule;
  /** Values of the model's other inputs (npy paths absolute by the time they reach the importer). */
  inputs?: Record<string, FixedInput>;
  resize?: 'stretch' | { center_crop: { short_side?: number } } | { letterbox: { fill?: number } };
}

/** Code of every mismatch between a `preprocess:` block and the model; `where` is `preprocess.<key>`. */
export const E_PREPROCESS = 'E_PREPROCESS';

/** The key of the `preprocess:` block an error is about ([] for the block itself), or undefined for other errors. */
export function preprocessField(e: NeurogateError): string[] | undefined {
  if (e.code !== E_PREPROCESS) return undefined;
  return (e.where ?? '').split('.').slice(1);
}

export function preprocessKey(pp: PreprocessOverride): string {
  // Keys sorted at every depth (a replacer list would drop nested keys such as `center_crop`).
  const sorted = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v);
  return JSON.stringify(sorted(pp));
}

/**
 * Why a probe that works on RGB pixels (adversarial attacks, feature visualization's colour
 * decorrelation) cannot run on this model, or undefined when its input is RGB.
 */
export function rgbOnly(model: ImportedModel, what: string): { message: string; hint: string } | undefined {
  const C = model.input.channels;
  if (C === 3) return undefined;
  return {
    message: `${what} works on RGB pixels, but the model's input "${sourceInput(model).name}" has ${C} channel${C === 1 ? '' : 's'}`,
    hint: 'run it on a model with a 3-channel (RGB) input; attribution, neuron and concept entries take any channel count',
  };
}

/** The block with its .npy paths (`inputs: {x: {npy: …}}`) resolved from `dir`, the spec's folder. */
export function filesFrom(pp: PreprocessOverride, dir: string): PreprocessOverride {
  if (!pp.inputs) return pp;
  const inputs = Object.fromEntries(Object.entries(pp.inputs).map(([k, v]) => [k, !Array.isArray(v) && 'npy' in v ? { npy: path.resolve(dir, v.npy) } : v]));
  return { ...pp, inputs };
}

/** The model's image input as its file names and shapes it, before neurogate's NCHW front door. */
export function sourceInput(model: ImportedModel): { name: string; layout: 'NCHW' | 'NHWC'; dims: (number | string)[] } {
  const { name, channels: c, height: h, width: w } = model.input;
  const layout = model.preprocess.sourceLayout;
  const batch = inputDims(model.net.model.graph, name)[0] ?? 'N';
  // The ONNX importer feeds NHWC files through a Transpose from `<name>/nchw`; users know the file's name.
  const wrapped = layout === 'NHWC' && name.endsWith('/nchw') && model.net.model.graph.node.some((n) => n.opType === 'Transpose' && n.input[0] === name && n.output[0] === name.slice(0, -5));
  return { name: wrapped ? name.slice(0, -5) : name, layout, dims: layout === 'NCHW' ? [batch, c, h, w] : [batch, h, w, c] };
}

/**
 * The model with a `preprocess:` block applied: input name, layout and size must agree with the
 * model, mean and std give one value per input channel, channel order needs colour channels and
 * the grey rule a 1-channel input (each mismatch is an E_PREPROCESS error naming the key); range /
 * scale, mean, std, channel order and grey rule replace the importer's. (`inputs` is the importer's:
 * ./fixed-inputs.ts.) A changed preprocessing gives the model a new identity
 * (net.hash), because every cache and merged forward pass keyed by it now sees different inputs.
 */
export function withPreprocess(model: ImportedModel, pp: PreprocessOverride): ImportedModel {
  const src = sourceInput(model);
  const shape = `[${src.dims.join(', ')}]`;
  const fail = (key: string, message: string, hint: string) => badInput(E_PREPROCESS, message, key ? `preprocess.${key}` : 'preprocess', hint);
  if (pp.input !== undefined && pp.input !== src.name) {
    throw fail('input', `preprocess.input "${pp.input}" is not an input of the model: its image input is "${src.name}" ${shape}`, `set \`input: ${src.name}\``);
  }
  for (const name of Object.keys(pp.inputs ?? {})) {
    if (!model.fixedInputs?.includes(name)) throw fail('inputs', `preprocess.inputs names "${name}", which is not an input of the model besides its image input "${src.name}" ${shape}`, 'remove it');
  }
  const C = model.input.channels;
  const channels = `${C} channel${C === 1 ? '' : 's'}`;
  for (const key of ['mean', 'std'] as const) {
    const v = pp[key];
    if (v !== undefined && v.length !== C) {
      throw fail(key, `preprocess.${key} has ${v.length} value${v.length === 1 ? '' : 's'}, but input "${src.name}" ${shape} has ${channels}`, `give one value per channel: ${C === 1 ? '[0.5]' : `[${new Array(C).fill(0).join(', ')}]`}`);
    }
  }
  if (pp.channel_order === 'BGR' && C !== 3 && C !== 4) {
    throw fail('channel_order', `channel_order BGR reorders colour channels, but input "${src.name}" ${shape} has ${channels}`, 'leave channel_order out for grey and multispectral inputs');
  }
  if (pp.grey !== undefined && C !== 1) {
    throw fail('grey', `preprocess.grey says how a 1-channel input is made from RGB, but input "${src.name}" ${shape} has ${channels}`, 'leave grey out');
  }
  if (pp.layout !== undefined && pp.layout !== src.layout) {
    const axis = src.layout === 'NCHW' ? 1 : 3;
    throw fail('layout', `preprocess.layout is ${pp.layout}, but input "${src.name}" has shape ${shape}: ${src.layout}, channels (${C}) on axis ${axis}`, `set \`layout: ${src.layout}\` (neurogate reads the layout from the input's shape)`);
  }
  const { height: h, width: w } = model.input;
  if (pp.size !== undefined && (pp.size[0] !== h || pp.size[1] !== w)) {
    throw fail('size', `preprocess.size [${pp.size.join(', ')}] does not match the model's fixed input size ${h}×${w} (input "${src.name}" ${shape})`, `set \`size: [${h}, ${w}]\`; every image is resized to it`);
  }
  const next = declaredPreprocess(model.preprocess, pp);
  if (samePreprocess(next, model.preprocess)) return model;
  const hash = createHash('sha256').update(`${model.net.hash}|${JSON.stringify(next)}`).digest('hex').slice(0, 32);
  return { ...model, net: { ...model.net, hash }, preprocess: next };
}

/**
 * Pixel p (0..255) becomes (lo + p·scale − mean) / std: `range: [lo, hi]` sets scale = (hi − lo)/255
 * and folds lo into the mean, which is how Preprocess (scale, then mean and std) expresses an offset.
 */
function declaredPreprocess(base: Preprocess, pp: PreprocessOverride): Preprocess {
  const lo = pp.range?.[0] ?? 0;
  const scale = pp.range ? (pp.range[1] - pp.range[0]) / 255 : pp.scale ?? base.scale;
  const mean = (pp.mean ?? base.mean).map((m) => m - lo);
  const r = pp.resize;
  const resize: Preprocess['resize'] = r === undefined ? base.resize : r === 'stretch' ? undefined : 'center_crop' in r ? { mode: 'center_crop', shortSide: r.center_crop.short_side } : { mode: 'letterbox', fill: r.letterbox.fill ?? 0 };
  const grey = pp.grey ?? base.grey;
  return { ...base, scale, mean, std: pp.std ?? base.std, channelOrder: pp.channel_order ?? base.channelOrder, ...(resize && { resize }), ...(grey && { grey }) };
}

function samePreprocess(a: Preprocess, b: Preprocess): boolean {
  return JSON.stringify(a.resize) === JSON.stringify(b.resize) && a.scale === b.scale && a.channelOrder === b.channelOrder && a.grey === b.grey && a.mean.every((m, i) => m === b.mean[i]) && a.std.every((s, i) => s === b.std[i]);
}
