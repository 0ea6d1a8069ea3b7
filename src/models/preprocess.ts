// A spec's `preprocess:` block: checked against the model's image input (name, channels, layout,
// size) and applied over the importer's preprocessing (range or scale, mean, std, channel order).
import { createHash } from 'node:crypto';
import { badInput, type NeurogateError } from '../errors.ts';
import { inputDims } from '../engine/graph.ts';
import type { ImportedModel, Preprocess } from './types.ts';

/** A spec's `preprocess:` block as written (keys left out keep the importer's choice). */
export interface PreprocessOverride {
  input?: string;
  layout?: 'NCHW' | 'NHWC';
  /** [height, width] */
  size?: [number, number];
  /** Values of pixel levels 0 and 255. */
  range?: [number, number];
  scale?: number;
  mean?: [number, number, number];
  std?: [number, number, number];
  channel_order?: 'RGB' | 'BGR';
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
 * The model with a `preprocess:` block applied: input name, channels, layout and size must agree
 * with the model (each mismatch is an E_PREPROCESS error naming the key); range / scale, mean, std
 * and channel order replace the importer's. A changed preprocessing gives the model a new identity
 * (net.hash), because every cache and merged forward pass keyed by it now sees different inputs.
 */
export function withPreprocess(model: ImportedModel, pp: PreprocessOverride): ImportedModel {
  const src = sourceInput(model);
  const shape = `[${src.dims.join(', ')}]`;
  const fail = (key: string, message: string, hint: string) => badInput(E_PREPROCESS, message, key ? `preprocess.${key}` : 'preprocess', hint);
  if (pp.input !== undefined && pp.input !== src.name) {
    throw fail('input', `preprocess.input "${pp.input}" is not an input of the model: its image input is "${src.name}" ${shape}`, `set \`input: ${src.name}\``);
  }
  if (model.input.channels !== 3) {
    throw fail('', `the model's input "${src.name}" ${shape} has ${model.input.channels} channel${model.input.channels === 1 ? '' : 's'}; neurogate feeds RGB images (3 channels)`, 'export the model with a 3-channel image input');
  }
  if (pp.layout !== undefined && pp.layout !== src.layout) {
    const axis = src.layout === 'NCHW' ? 1 : 3;
    throw fail('layout', `preprocess.layout is ${pp.layout}, but input "${src.name}" has shape ${shape}: ${src.layout}, channels (3) on axis ${axis}`, `set \`layout: ${src.layout}\` (neurogate reads the layout from the input's shape)`);
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
  const mean = (pp.mean ?? base.mean).map((m) => m - lo) as Preprocess['mean'];
  const r = pp.resize;
  const resize: Preprocess['resize'] = r === undefined ? base.resize : r === 'stretch' ? undefined : 'center_crop' in r ? { mode: 'center_crop', shortSide: r.center_crop.short_side } : { mode: 'letterbox', fill: r.letterbox.fill ?? 0 };
  return { ...base, scale, mean, std: pp.std ?? base.std, channelOrder: pp.channel_order ?? base.channelOrder, ...(resize && { resize }) };
}

function samePreprocess(a: Preprocess, b: Preprocess): boolean {
  return JSON.stringify(a.resize) === JSON.stringify(b.resize) && a.scale === b.scale && a.channelOrder === b.channelOrder && a.mean.every((m, i) => m === b.mean[i]) && a.std.every((s, i) => s === b.std[i]);
}
