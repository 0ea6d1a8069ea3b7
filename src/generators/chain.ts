// A generator and a judge as one ONNX graph: z (and noise) → image → the judge's preprocessing →
// the judge. One graph means one forward engine and one autodiff for everything a probe asks of
// the chain: judge logits of generated images, gradients of a judge unit w.r.t. the latent.
import { cloneModel, num, type ModelProto, type NodeProto } from '../engine/onnx.ts';
import { floatTensorProto, node } from '../engine/graph.ts';
import { makeNet } from '../engine/net.ts';
import type { Net } from '../engine/session.ts';
import { badInput } from '../errors.ts';
import type { ImportedModel } from '../models/types.ts';
import type { Generator } from './types.ts';

/** Prefix of every judge tensor inside a chain (`judge/logits`). */
export const JUDGE = 'judge/';

export interface Chain {
  net: Net;
  generator: Generator;
  judge: ImportedModel;
  /** The judge's tensor `name` inside the chain. */
  judgeTensor(name: string): string;
  /** The chain's judge logits / probabilities tensors, when the judge has them. */
  logits?: string;
  probabilities?: string;
}

const ADAPT = 'chain/';

/**
 * The chain of `gen` into `judge`. The generator's image (black..white = gen.range) becomes the
 * judge's input exactly as an RGB image in 0..255 would through the judge's preprocessing (scale,
 * mean, std, channel order: one 1×1 convolution), resampled by an integer factor when the sizes
 * differ (nearest-neighbour ConvTranspose up, average pool down: both differentiable).
 */
export function chainModels(gen: Generator, judge: ImportedModel, where = 'generator → judge'): Chain {
  const pp = judge.preprocess;
  if (judge.input.channels !== 3) {
    throw badInput('E_CHAIN_CHANNELS', `the judge takes ${judge.input.channels}-channel images; the generator draws ${gen.image.channels}`, where, 'use a judge with an RGB image input');
  }
  if (gen.image.channels !== 3) throw badInput('E_CHAIN_CHANNELS', `the generator draws ${gen.image.channels}-channel images; judges take RGB`, where, 'use a generator with an RGB image output');
  const resample = factor(gen.image, judge.input, where);

  const g = cloneModel(gen.net.model);
  const j = cloneModel(judge.net.model);
  renameAll(j, (n) => JUDGE + n);
  const graph = g.graph;
  const nodes: NodeProto[] = [];
  // pixel = 255 · (x − lo)/(hi − lo); judge input c = (pixel · scale − mean_c)/std_c, channel c read from order[c].
  const [lo, hi] = gen.range;
  const order = pp.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const w = new Float32Array(9);
  const b = new Float32Array(3);
  for (let c = 0; c < 3; c++) {
    const k = (255 * pp.scale) / (hi - lo) / pp.std[c];
    w[c * 3 + order[c]] = k;
    b[c] = (-lo * k) - pp.mean[c] / pp.std[c];
  }
  graph.initializer.push(floatTensorProto(`${ADAPT}preprocess.weight`, { dims: [3, 3, 1, 1], data: w }), floatTensorProto(`${ADAPT}preprocess.bias`, { dims: [3], data: b }));
  let x = gen.image.name;
  if (resample.kind === 'up') {
    const k = resample.k;
    graph.initializer.push(floatTensorProto(`${ADAPT}upsample.weight`, { dims: [3, 1, k, k], data: new Float32Array(3 * k * k).fill(1) }));
    nodes.push(node('ConvTranspose', [x, `${ADAPT}upsample.weight`], [`${ADAPT}upsampled`], { kernel_shape: { ints: [k, k] }, strides: { ints: [k, k] }, group: { i: 3 } }, `${ADAPT}upsample`));
    x = `${ADAPT}upsampled`;
  } else if (resample.kind === 'down') {
    const k = resample.k;
    nodes.push(node('AveragePool', [x], [`${ADAPT}downsampled`], { kernel_shape: { ints: [k, k] }, strides: { ints: [k, k] } }, `${ADAPT}downsample`));
    x = `${ADAPT}downsampled`;
  }
  const judgeInput = JUDGE + judge.input.name;
  nodes.push(node('Conv', [x, `${ADAPT}preprocess.weight`, `${ADAPT}preprocess.bias`], [judgeInput], { kernel_shape: { ints: [1, 1] } }, `${ADAPT}preprocess`));
  graph.node.push(...nodes, ...j.graph.node);
  graph.initializer.push(...j.graph.initializer);
  graph.valueInfo.push(...j.graph.valueInfo);
  graph.input.push(...j.graph.input.filter((i) => i.name !== judgeInput && !j.graph.initializer.some((t) => t.name === i.name)));
  graph.output.push(...j.graph.output);
  // The newer of the two default-domain opsets: both graphs' ops keep their meaning across the
  // versions neurogate's importers produce (13–18); other domains are carried over as they are.
  const version = (m: ModelProto) => num(m.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0);
  const def = g.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  if (def) def.version = Math.max(version(g), version(j)) as never;
  for (const o of j.opsetImport) if (o.domain && o.domain !== 'ai.onnx' && !g.opsetImport.some((x) => x.domain === o.domain)) g.opsetImport.push(o);
  return {
    net: makeNet(g, where),
    generator: gen,
    judge,
    judgeTensor: (name) => JUDGE + name,
    logits: judge.logits ? JUDGE + judge.logits : undefined,
    probabilities: judge.probabilities ? JUDGE + judge.probabilities : undefined,
  };
}

function factor(img: { height: number; width: number }, input: { height: number; width: number }, where: string): { kind: 'same' } | { kind: 'up' | 'down'; k: number } {
  if (img.height === input.height && img.width === input.width) return { kind: 'same' };
  const up = input.height / img.height;
  if (Number.isInteger(up) && up === input.width / img.width) return { kind: 'up', k: up };
  const down = img.height / input.height;
  if (Number.isInteger(down) && down === img.width / input.width) return { kind: 'down', k: down };
  throw badInput('E_CHAIN_SIZE', `the generator draws ${img.width}×${img.height} images; the judge takes ${input.width}×${input.height}, not an integer multiple`, where,
    'pick a generator or judge whose sizes differ by an integer factor (the chain resamples by whole factors only, so gradients stay exact)');
}

/** Rename every tensor (and node) of a model, in place. */
function renameAll(m: ModelProto, f: (n: string) => string): void {
  const g = m.graph;
  const r = (n: string) => (n === '' ? n : f(n));
  for (const n of g.node) {
    n.input = n.input.map(r);
    n.output = n.output.map(r);
    if (n.name) n.name = f(n.name);
  }
  for (const t of g.initializer) t.name = r(t.name);
  for (const v of [...g.input, ...g.output, ...g.valueInfo]) v.name = r(v.name);
}
