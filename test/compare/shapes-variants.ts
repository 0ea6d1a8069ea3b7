// Variants of the PyTorch-exported shapes CNN for the release-diff tests (not a test file):
// function-preserving channel permutations, weight noise, and the model's layer list.
import { cloneModel, type ModelProto } from '../../src/engine/onnx.ts';
import { readWeight, replaceWeight } from '../../src/engine/graph.ts';
import { makeNet } from '../../src/engine/net.ts';
import { loadModel } from '../../src/models/load.ts';
import type { ImportedModel } from '../../src/models/types.ts';
import { makeRng } from '../../src/util/rng.ts';

export const SHAPES = 'test/fixtures/shapes_cnn/shapes_cnn.onnx';

export function loadShapes(): Promise<ImportedModel> {
  return loadModel(SHAPES);
}

/** Every spatial layer of the network in graph order, then the pooled features and the logits. */
export const SHAPES_LAYERS = [
  '/stem/Conv_output_0', '/Relu_output_0', '/MaxPool_output_0', '/b1/dw/Conv_output_0', '/b1/Relu_output_0', '/b1/pw/Conv_output_0', '/b1/Relu_1_output_0',
  '/c2/Conv_output_0', '/Relu_1_output_0', '/b2/dw/Conv_output_0', '/b2/Relu_output_0', '/b2/pw/Conv_output_0', '/b2/Relu_1_output_0', '/AveragePool_output_0',
  '/c3/Conv_output_0', '/Relu_2_output_0', '/Flatten_output_0',
];

/**
 * The three channel stages of the network (the residual Adds tie a stage's tensors to one channel
 * order): the weights whose axis indexes that stage's channels. Folded BatchNorm lives in the conv biases.
 */
export const STAGES: Record<'stem' | 'c2' | 'c3', { channels: number; axes: [string, number][] }> = {
  stem: { channels: 24, axes: [['onnx::Conv_81', 0], ['onnx::Conv_82', 0], ['onnx::Conv_84', 0], ['onnx::Conv_85', 0], ['onnx::Conv_87', 0], ['onnx::Conv_87', 1], ['onnx::Conv_88', 0], ['onnx::Conv_90', 1]] },
  c2: { channels: 48, axes: [['onnx::Conv_90', 0], ['onnx::Conv_91', 0], ['onnx::Conv_93', 0], ['onnx::Conv_94', 0], ['onnx::Conv_96', 0], ['onnx::Conv_96', 1], ['onnx::Conv_97', 0], ['onnx::Conv_99', 1]] },
  c3: { channels: 64, axes: [['onnx::Conv_99', 0], ['onnx::Conv_100', 0], ['fc.weight', 1]] },
};

/** The weight with axis `axis` reordered so that new index perm[i] holds old index i. */
function permuteAxis(m: ModelProto, name: string, axis: number, perm: readonly number[]): void {
  const w = readWeight(m, name);
  const dims = w.dims;
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = dims[axis];
  const out = new Float32Array(w.data.length);
  for (let o = 0; o < outer; o++) for (let i = 0; i < n; i++) out.set(w.data.subarray((o * n + i) * inner, (o * n + i + 1) * inner), (o * n + perm[i]) * inner);
  replaceWeight(m, name, { dims: [...dims], data: out });
}

/** The same function with each stage's channels reordered: candidate channel perm[u] is baseline channel u. */
export function permuted(model: ImportedModel, perms: Partial<Record<keyof typeof STAGES, readonly number[]>>): ImportedModel {
  const m = cloneModel(model.net.model);
  for (const [stage, perm] of Object.entries(perms)) for (const [name, axis] of STAGES[stage as keyof typeof STAGES].axes) permuteAxis(m, name, axis, perm!);
  return { ...model, net: makeNet(m, `${model.net.where} (permuted)`) };
}

/** Gaussian-ish noise of `scale` × each weight's own std added to the named weights (all conv and fc weights by default). */
export function noisy(model: ImportedModel, scale: number, seed: number, names?: readonly string[]): ImportedModel {
  const m = cloneModel(model.net.model);
  const rng = makeRng(seed);
  const targets = names ?? m.graph.initializer.filter((t) => t.dims.length > 1).map((t) => t.name);
  for (const name of targets) {
    const w = readWeight(m, name);
    let mean = 0;
    for (const v of w.data) mean += v / w.data.length;
    let sd = 0;
    for (const v of w.data) sd += (v - mean) ** 2 / w.data.length;
    sd = Math.sqrt(sd);
    const data = Float32Array.from(w.data, (v) => v + scale * sd * (rng() + rng() + rng() - 1.5) * 2);
    replaceWeight(m, name, { dims: [...w.dims], data });
  }
  return { ...model, net: makeNet(m, `${model.net.where} (noise ${scale}, seed ${seed})`) };
}
