// A model's inputs other than the image, held at values the spec gives (`preprocess.inputs`): each
// becomes a constant of the graph, so every probe, cache and gradient sees a one-input model.
import { badInput, isNeurogateError } from '../errors.ts';
import { floatTensorProto, inputDims, int64TensorProto, node } from '../engine/graph.ts';
import { DataType, onnx, type ModelProto, type TensorProto } from '../engine/onnx.ts';
import { parseNpy } from '../io/npy.ts';
import { readGuarded } from '../io/guarded-fs.ts';
import { E_PREPROCESS } from './preprocess.ts';

/** One input's value as a spec writes it: every element `fill`, a .npy file, or the elements flattened in C order. */
export type FixedInput = { fill: number } | { npy: string } | number[];

export interface FixedInputPlace {
  /** The folder .npy files must really be in (a spec's project), unless allowOutside. */
  root?: string;
  allowOutside?: boolean;
  maxBytes: number;
}

type Dims = (number | string)[];

const shapeText = (dims: Dims) => `[${dims.join(', ')}]`;

/** The element types a fixed value can take, with how its initializer is written. */
const WRITERS: Record<number, { name: string; integer: boolean; proto: (name: string, dims: number[], v: Float32Array) => TensorProto }> = {
  [DataType.FLOAT]: { name: 'float32', integer: false, proto: (name, dims, v) => floatTensorProto(name, { dims, data: v }) },
  [DataType.INT64]: { name: 'int64', integer: true, proto: (name, dims, v) => int64TensorProto(name, dims, [...v]) },
  [DataType.INT32]: {
    name: 'int32', integer: true,
    proto: (name, dims, v) => onnx.TensorProto.create({ name, dims: dims as never, dataType: DataType.INT32, rawData: new Uint8Array(Int32Array.from(v).buffer) }) as unknown as TensorProto,
  },
  [DataType.BOOL]: {
    name: 'bool', integer: true,
    proto: (name, dims, v) => onnx.TensorProto.create({ name, dims: dims as never, dataType: DataType.BOOL, rawData: Uint8Array.from(v, (x) => (x ? 1 : 0)) }) as unknown as TensorProto,
  },
};

/**
 * Replaces every graph input but `image` by its value from `values`; an input without one, a name
 * that is no input, and a value of the wrong size or type are E_PREPROCESS errors at
 * `preprocess.inputs` naming the input and its shape. An input with a symbolic first axis is the
 * batch's: its value is one sample's, broadcast to the image batch (Expand on the image's batch
 * size), so the merged engine can batch images as it does for one-input models.
 */
export function fixInputs(model: ModelProto, image: string, others: string[], values: Record<string, FixedInput> | undefined, place: FixedInputPlace): void {
  const where = values ? 'preprocess.inputs' : 'preprocess';
  const fail = (message: string, hint: string) => badInput(E_PREPROCESS, message, where, hint);
  const g = model.graph;
  for (const name of Object.keys(values ?? {})) {
    if (name === image) throw fail(`preprocess.inputs gives a value for "${name}", the image input`, `remove it: images are fed to "${name}"`);
    if (!others.includes(name)) {
      throw fail(`preprocess.inputs names "${name}", which is not an input of the model`, `its other inputs: ${others.map((o) => `${o} ${shapeText(inputDims(g, o))}`).join(', ') || 'none'}`);
    }
  }
  for (const name of others) {
    const dims = inputDims(g, name);
    const value = values?.[name];
    if (value === undefined) {
      throw fail(`the model's input "${name}" ${shapeText(dims)} has no value: images go to "${image}", every other input must be held fixed`,
        `give it under preprocess.inputs, e.g. \`inputs: { ${name}: { fill: 0 } }\` (or { npy: file.npy }, or a list of values)`);
    }
    const vi = g.input.find((i) => i.name === name)!;
    const elem = vi.type?.tensorType?.elemType ?? DataType.FLOAT;
    const writer = WRITERS[elem];
    if (!writer) throw fail(`the model's input "${name}" has ONNX element type ${elem}, which neurogate cannot hold fixed`, 'float32, int32, int64 and bool inputs can be given');
    const batched = dims.length > 0 && typeof dims[0] === 'string';
    const sample = batched ? dims.slice(1) : dims;
    const { dims: got, data } = sampleValue(name, value, sample, place, fail);
    const bad = data.findIndex((v) => !Number.isFinite(v) || (writer.integer && !Number.isInteger(v)));
    if (bad >= 0) throw fail(`the value of input "${name}" holds ${data[bad]} at element ${bad}`, writer.integer ? `"${name}" is ${writer.name}: give whole numbers` : 'values must be finite');
    g.input.splice(g.input.indexOf(vi), 1);
    if (!batched) {
      g.initializer.push(writer.proto(name, got, data));
      continue;
    }
    // One sample [1, …] expanded to the image's batch: Shape(image)[0] followed by the sample's dims.
    const p = `${name}/fixed`;
    g.initializer.push(writer.proto(p, [1, ...got], data), int64TensorProto(`${p}/axis0`, [1], [0]), int64TensorProto(`${p}/dims`, [got.length], got));
    g.node.unshift(
      node('Shape', [image], [`${p}/image_shape`], {}, `${p}/image_shape`),
      node('Gather', [`${p}/image_shape`, `${p}/axis0`], [`${p}/batch`], { axis: { i: 0 } }, `${p}/batch`),
      node('Concat', [`${p}/batch`, `${p}/dims`], [`${p}/shape`], { axis: { i: 0 } }, `${p}/shape`),
      node('Expand', [p, `${p}/shape`], [name], {}, `${p}/expand`),
    );
  }
}

/** The value of one sample with its dims: symbolic dims of the input take the .npy file's. */
function sampleValue(name: string, value: FixedInput, sample: Dims, place: FixedInputPlace, fail: (m: string, h: string) => Error): { dims: number[]; data: Float32Array } {
  const shape = shapeText(sample);
  const fixed = sample.every((d): d is number => typeof d === 'number');
  const count = fixed ? sample.reduce<number>((a, d) => a * (d as number), 1) : NaN;
  if (Array.isArray(value) || 'fill' in value) {
    if (!fixed) throw fail(`the model's input "${name}" has symbolic size ${shape} beyond the batch axis, so a list or fill cannot say its shape`, `give it as { npy: file.npy } holding one sample`);
    if (!Array.isArray(value)) return { dims: sample, data: new Float32Array(count).fill(value.fill) };
    if (value.length !== count) throw fail(`input "${name}" takes ${count} values per sample (${shape}); the list has ${value.length}`, 'list every element of one sample, flattened in C order');
    return { dims: sample, data: Float32Array.from(value) };
  }
  let t;
  try {
    t = parseNpy(readGuarded(value.npy, { what: `value of input "${name}"`, code: 'INPUT_NPY', maxBytes: place.maxBytes, root: place.root, allowOutside: place.allowOutside }), value.npy);
  } catch (e) {
    if (!isNeurogateError(e)) throw e;
    throw fail(`input "${name}": ${e.message}`, e.hint ?? 'give a .npy file beside the spec');
  }
  // One sample, with or without a leading batch axis of 1.
  const dims = t.dims.length === sample.length + 1 && t.dims[0] === 1 ? t.dims.slice(1) : t.dims;
  const fits = dims.length === sample.length && sample.every((d, i) => typeof d === 'string' || d === dims[i]);
  if (!fits) throw fail(`${value.npy} has shape [${t.dims.join(', ')}], but input "${name}" takes ${shape} per sample`, 'save one sample of the input with numpy.save');
  return { dims, data: t.data };
}
