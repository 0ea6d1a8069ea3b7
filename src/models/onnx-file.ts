// Importing ONNX files as they are: weights as initializers, as Constant nodes, or in an
// external data file beside the model (the newer torch.onnx exporter writes `.onnx.data`).
import path from 'node:path';
import { decodeModel, type ModelProto } from '../engine/onnx.ts';
import { constantsToInitializers, topoOrder, graphInputs, inputDims, node, producerOf, valueInfo } from '../engine/graph.ts';
import { makeNet } from '../engine/net.ts';
import { badInput } from '../errors.ts';
import { checkInputSize } from './input-size.ts';
import { readGuarded } from '../io/guarded-fs.ts';
import type { ImportedModel, Preprocess } from './types.ts';
import { fixInputs, type FixedInput } from './fixed-inputs.ts';
import { E_PREPROCESS } from './preprocess.ts';

export interface OnnxImportOptions {
  /** Refuse model files (plus external data) larger than this. */
  maxBytes?: number;
  labels?: string[];
  /** The folder the model file must really be in, unless allowOutside (its external data stays in its own folder regardless). */
  root?: string;
  allowOutside?: boolean;
  /** [height, width] for an input whose image size is symbolic (a spec's `preprocess.size`); ignored when the size is fixed. */
  size?: [number, number];
  /** The image input of a model with several (a spec's `preprocess.input`). */
  input?: string;
  /** The layout a spec declares (`preprocess.layout`): decides inputs whose shape reads both ways, such as [N, 4, 4, 4]. */
  layout?: 'NCHW' | 'NHWC';
  /** Values of the other inputs (`preprocess.inputs`, .npy paths absolute). */
  inputs?: Record<string, FixedInput>;
}

export const DEFAULT_MAX_MODEL_BYTES = 2 * 1024 ** 3;
const EXTERNAL = 1; // TensorProto.DataLocation.EXTERNAL

export function importOnnxFile(file: string, opts: OnnxImportOptions = {}): ImportedModel {
  return describe(readOnnxModel(file, opts), file, opts);
}

/** The checked graph of an ONNX file (external data pulled in, constants as initializers), before any reading of its inputs. */
export function readOnnxModel(file: string, opts: OnnxImportOptions = {}): ModelProto {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_MODEL_BYTES;
  const bytes = readLimited(file, maxBytes, opts);
  const model = decodeModel(bytes, file);
  loadExternalData(model, path.dirname(file), file, maxBytes);
  constantsToInitializers(model);
  topoOrder(model.graph, file); // refuses cycles and dangling tensors before onnxruntime sees them
  return model;
}

function readLimited(file: string, maxBytes: number, place: { root?: string; allowOutside?: boolean }): Uint8Array {
  return readGuarded(file, {
    what: 'model file', code: 'MODEL', maxBytes, flag: '--max-model-bytes', root: place.root, allowOutside: place.allowOutside,
    missingHint: 'check the path (relative paths resolve from the spec file)',
  });
}

/** Pull `.onnx.data` bytes into the initializers; locations must stay inside the model's folder. */
function loadExternalData(model: ModelProto, dir: string, where: string, maxBytes: number): void {
  const files = new Map<string, Buffer>();
  let total = 0;
  for (const t of model.graph.initializer) {
    if (t.dataLocation !== EXTERNAL) continue;
    const kv = Object.fromEntries(t.externalData.map((e) => [e.key, e.value]));
    const loc = kv.location;
    if (!loc) throw badInput('E_ONNX_EXTERNAL', `initializer "${t.name}" is stored externally but names no location`, where, 're-export the model');
    const full = path.resolve(dir, loc);
    if (path.relative(dir, full).startsWith('..') || path.isAbsolute(loc)) {
      throw badInput('E_ONNX_EXTERNAL', `initializer "${t.name}" points outside the model's folder (${loc})`, where, 'external data must sit beside the .onnx file');
    }
    if (!files.has(full)) {
      // The model's own folder is the root, whatever --allow-outside says: a model file decides
      // what it reads, so a link beside it must not reach the rest of the machine.
      files.set(full, readGuarded(full, {
        what: `external data "${loc}" of initializer "${t.name}"`, code: 'ONNX_EXTERNAL', maxBytes: maxBytes - total, flag: '--max-model-bytes',
        root: dir, missingHint: 'keep the .onnx.data file beside the .onnx file',
      }));
      total += files.get(full)!.length;
      if (total > maxBytes) throw badInput('E_MODEL_TOO_BIG', `external data exceeds the limit of ${maxBytes} bytes`, where, 'raise the limit if this is intended');
    }
    const data = files.get(full)!;
    const offset = Number(kv.offset ?? 0);
    const length = kv.length !== undefined ? Number(kv.length) : data.length - offset;
    if (!(offset >= 0 && length >= 0 && offset + length <= data.length)) {
      throw badInput('E_ONNX_EXTERNAL', `initializer "${t.name}" needs bytes ${offset}..${offset + length} of "${loc}", which has ${data.length}`, where,
        'the external data file is truncated or from another export; re-export the model');
    }
    t.rawData = new Uint8Array(data.buffer, data.byteOffset + offset, length).slice();
    t.externalData = [];
    t.dataLocation = 0;
  }
}

function describe(model: ModelProto, where: string, opts: OnnxImportOptions): ImportedModel {
  const g = model.graph;
  const inputs = graphInputs(g);
  const image = imageInput(g, inputs, opts.input, where);
  const others = inputs.filter((i) => i !== image);
  fixInputs(model, image, others, opts.inputs, { root: opts.root, allowOutside: opts.allowOutside, maxBytes: opts.maxBytes ?? DEFAULT_MAX_MODEL_BYTES });
  let inputName = image;
  const dims = inputDims(g, inputName);
  if (dims.length === 3) {
    // Without a batch axis the model takes one image per run; the engine batches, and no graph
    // edit can loop the model over a batch, so such a model is re-exported instead.
    throw badInput('E_MODEL_INPUT_RANK', `input "${inputName}" has shape [${dims.join(', ')}] with no batch axis; neurogate feeds batches of images, [N, C, H, W] or [N, H, W, C]`, where,
      'export with a batch axis (torch.onnx.export with a [1, C, H, W] example and dynamic_axes={"<input>": {0: "N"}})');
  }
  if (dims.length !== 4) {
    throw badInput('E_MODEL_INPUT_RANK', `input "${inputName}" has shape [${dims.join(', ')}]; neurogate needs a 4-D image input`, where, 'export with an NCHW or NHWC image input');
  }
  const layout = layoutOf(dims, opts.layout);
  const nhwc = layout === 'NHWC';
  let [c, h, w] = nhwc ? [dims[3], dims[1], dims[2]] : [dims[1], dims[2], dims[3]];
  // A symbolic image size is pinned to the one the spec gives, so every probe sees fixed shapes.
  if (opts.size && (typeof h !== 'number' || typeof w !== 'number') && typeof c === 'number') {
    [h, w] = opts.size;
    const pinned = nhwc ? [dims[0], h, w, c] : [dims[0], c, h, w];
    const at = g.input.findIndex((i) => i.name === inputName);
    g.input[at] = valueInfo(inputName, pinned);
  }
  // Before the NHWC wrapper or any probe sizes a tensor by these numbers.
  checkInputSize({ channels: c, height: h, width: w }, where);
  if (nhwc) inputName = wrapNhwcInput(model, inputName, [c, h, w]);
  if (typeof c !== 'number' || typeof h !== 'number' || typeof w !== 'number') {
    throw badInput('E_MODEL_INPUT_DYNAMIC', `input "${image}" has symbolic size [${dims.join(', ')}] beyond the batch axis`, where,
      'give the size in the spec (`preprocess: {size: [height, width]}`), or export with a fixed image size');
  }
  const out = g.output[0]?.name;
  const last = out ? producerOf(g, out) : undefined;
  const preprocess: Preprocess = { height: h, width: w, scale: 1 / 255, mean: new Array<number>(c).fill(0), std: new Array<number>(c).fill(1), channelOrder: 'RGB', sourceLayout: layout };
  const isSoftmax = last?.opType === 'Softmax';
  return {
    net: makeNet(model, where),
    input: { name: inputName, channels: c, height: h, width: w },
    ...(others.length && { fixedInputs: others }),
    logits: isSoftmax ? last!.input[0] : out,
    probabilities: isSoftmax ? out : undefined,
    labels: opts.labels,
    preprocess,
  };
}

/**
 * The image input: the one the spec names, else the model's only input, else its only 4-D input;
 * anything else is an E_PREPROCESS error listing the inputs with their shapes.
 */
function imageInput(g: ModelProto['graph'], inputs: string[], named: string | undefined, where: string): string {
  const listed = inputs.map((i) => `"${i}" [${inputDims(g, i).join(', ')}]`).join(', ');
  if (named !== undefined) {
    if (inputs.includes(named)) return named;
    const which = inputs.length === 1 ? `its image input is ${listed}` : `its inputs are ${listed}`;
    throw badInput(E_PREPROCESS, `preprocess.input "${named}" is not an input of the model: ${which}`, 'preprocess.input', inputs.length === 1 ? `set \`input: ${inputs[0]}\`` : 'set `input:` to one of them');
  }
  if (inputs.length === 1) return inputs[0];
  const images = inputs.filter((i) => inputDims(g, i).length === 4);
  if (images.length === 1) return images[0];
  if (inputs.length === 0) throw badInput('E_MODEL_INPUTS', 'the model has no inputs', where, 'export the model with an image input');
  throw badInput(E_PREPROCESS, `the model has ${inputs.length} inputs (${listed}); say which one takes the images`, 'preprocess',
    `set \`preprocess: { input: <name> }\` and hold the others fixed with \`preprocess.inputs\``);
}

/**
 * NHWC when the last axis is a fixed size shorter than the second (channels are fewer than rows)
 * or the second is symbolic; NCHW otherwise. A shape that reads both ways ([N, 4, 4, 4]) takes the
 * layout the spec declares.
 */
function layoutOf(dims: (number | string)[], declared: 'NCHW' | 'NHWC' | undefined): 'NCHW' | 'NHWC' {
  const [, a, , d] = dims;
  if (typeof d !== 'number') return 'NCHW';
  if (typeof a !== 'number') return 'NHWC';
  if (a === d) return declared ?? 'NCHW';
  return d < a ? 'NHWC' : 'NCHW';
}

/** NHWC models get an NCHW front door, so every probe feeds one layout. */
function wrapNhwcInput(model: ModelProto, name: string, chw: (number | string)[]): string {
  const g = model.graph;
  const nchw = `${name}/nchw`;
  const vi = g.input.find((i) => i.name === name)!;
  g.input[g.input.indexOf(vi)] = valueInfo(nchw, ['N', ...chw]);
  g.node.unshift(node('Transpose', [nchw], [name], { perm: { ints: [0, 2, 3, 1] } }, `${name}/to_nhwc`));
  return nchw;
}
