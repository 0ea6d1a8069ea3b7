// Generators from a reference: `zoo:reimpl-generator` (built from the drawing rules) or any ONNX
// file whose graph takes one float vector [N, D] (the latent), optionally 4-D noise inputs, and
// gives an image [N, 1|3, H, W].
import path from 'node:path';
import { inputDims, producerOf } from '../engine/graph.ts';
import { makeNet } from '../engine/net.ts';
import { DataType, num, type ModelProto, type ValueInfoProto } from '../engine/onnx.ts';
import { badInput } from '../errors.ts';
import { readOnnxModel } from '../models/onnx-file.ts';
import { buildGenerator } from './network.ts';
import type { Generator } from './types.ts';

export const GENERATOR_ZOO: Record<string, { description: string; load: () => Generator }> = {
  'reimpl-generator': {
    description: 'clean-room generator (112²): 8-D latent → layout units (disk, bars, arc per cell) → stamped parts → image, coarse and fine noise inputs; weights written from drawing rules, no training',
    load: () => buildGenerator({}, 'zoo:reimpl-generator'),
  },
};

export interface GeneratorLoadOptions {
  /** Output values of black and white, when the graph does not say (tanh → [−1, 1], sigmoid or clip → [0, 1]). */
  range?: [number, number];
  maxBytes?: number;
  root?: string;
  allowOutside?: boolean;
}

const cache = new Map<string, Generator>();

export function loadGenerator(ref: string, baseDir = process.cwd(), opts: GeneratorLoadOptions = {}): Generator {
  if (ref.startsWith('zoo:')) {
    const e = GENERATOR_ZOO[ref.slice(4)];
    if (!e) throw badInput('E_ZOO_UNKNOWN', `no zoo generator named "${ref.slice(4)}"`, ref, `available: ${Object.keys(GENERATOR_ZOO).map((n) => `zoo:${n}`).join(', ')}`);
    const hit = cache.get(ref);
    if (hit) return hit;
    const g = e.load();
    cache.set(ref, g);
    return g;
  }
  const file = path.resolve(baseDir, ref);
  if (!file.endsWith('.onnx')) throw badInput('E_GENERATOR_FORMAT', 'a generator must be an ONNX file or zoo:<name>', file, 'export the generator to ONNX (torch.onnx.export with a latent vector input)');
  return describeGenerator(readOnnxModel(file, opts), file, opts.range);
}

function elemType(v: ValueInfoProto): number | undefined {
  return v.type?.tensorType?.elemType ?? undefined;
}

/** Read a graph as a generator: which input is the latent, which are noise, which output the image. */
export function describeGenerator(model: ModelProto, where: string, range?: [number, number]): Generator {
  const g = model.graph;
  const inits = new Set(g.initializer.map((t) => t.name));
  const inputs = g.input.filter((i) => !inits.has(i.name));
  const fixed = (dims: (number | string)[], name: string) => dims.slice(1).map((d) => {
    if (typeof d !== 'number' || d <= 0) throw badInput('E_GENERATOR_INPUT', `input "${name}" has shape [${dims.join(', ')}]: only the batch axis may be symbolic`, where, 'export with fixed latent and noise sizes');
    return d;
  });
  const latents = inputs.filter((i) => inputDims(g, i.name).length === 2);
  if (latents.length !== 1) {
    throw badInput('E_GENERATOR_LATENT', `a generator needs exactly one 2-D float input [N, D] (the latent); this graph has ${latents.length} (inputs: ${inputs.map((i) => `${i.name} [${inputDims(g, i.name).join(', ')}]`).join(', ')})`, where,
      'export the generator with the latent as a [batch, D] float input');
  }
  const latent = latents[0];
  if (elemType(latent) !== undefined && elemType(latent) !== DataType.FLOAT) throw badInput('E_GENERATOR_LATENT', `the latent input "${latent.name}" is not float32`, where, 'export the latent as a float32 input');
  const noise = inputs.filter((i) => i !== latent).map((i) => {
    const dims = inputDims(g, i.name);
    if (dims.length !== 4 || elemType(i) !== DataType.FLOAT) {
      throw badInput('E_GENERATOR_INPUT', `input "${i.name}" [${dims.join(', ')}] is neither the latent nor a 4-D float noise input`, where, 'a generator takes one latent [N, D] and optional noise inputs [N, C, H, W]');
    }
    return { name: i.name, dims: fixed(dims, i.name) };
  });
  const out = g.output.find((o) => inputDimsOfOutput(o).length === 4);
  if (!out) throw badInput('E_GENERATOR_OUTPUT', 'the generator has no 4-D output (the image, [N, C, H, W])', where, 'export the generator with an NCHW image output');
  const od = inputDimsOfOutput(out);
  const [c, h, w] = od.slice(1);
  if (typeof c !== 'number' || typeof h !== 'number' || typeof w !== 'number' || !(c === 1 || c === 3)) {
    throw badInput('E_GENERATOR_OUTPUT', `output "${out.name}" has shape [${od.join(', ')}]; a generator's image is [N, 1 or 3, H, W] with fixed sizes`, where, 'export with an NCHW image output of fixed size');
  }
  const size = fixed(inputDims(g, latent.name), latent.name)[0];
  return {
    net: makeNet(model, where),
    latent: { name: latent.name, size },
    noise,
    image: { name: out.name, channels: c, height: h, width: w },
    range: range ?? rangeOf(model, out.name),
  };
}

function inputDimsOfOutput(v: ValueInfoProto): (number | string)[] {
  return (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : num(d.dimValue)));
}

/** Black and white of the image, from the op that makes it: tanh → [−1, 1], anything else [0, 1]. */
function rangeOf(model: ModelProto, image: string): [number, number] {
  return producerOf(model.graph, image)?.opType === 'Tanh' ? [-1, 1] : [0, 1];
}
