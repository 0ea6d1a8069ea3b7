// Shared pieces of the mutant operators: a mutated model's identity, the weighted layers of a
// graph, and where a unit's outgoing weights live (the "slot" of a channel in a Conv or Gemm).
import { createHash } from 'node:crypto';
import { attr, findInitializer, readWeight, replaceWeight, topoOrder } from '../../engine/graph.ts';
import { num, type ModelProto, type NodeProto } from '../../engine/onnx.ts';
import type { Tensor } from '../../engine/tensor.ts';
import { badInput } from '../../errors.ts';
import type { ImportedModel } from '../../models/types.ts';
import { convGroup, sourceOf } from '../../probes/circuit/resolve.ts';
import { makeRng, type Rng } from '../../util/rng.ts';
import { permuteVector, shuffle, slicesAlong } from '../../engine/equivalent.ts';

// Moved to the engine (attribution's implementation invariance permutes channels too); kept here for the operators.
export { permuteVector, shuffle, slicesAlong };

/**
 * The model with `proto` as its IR and an identity derived from the original's and the mutant's id
 * (hashing a 90 MB InceptionV3 per mutant would cost more than it tells: the id is seeded, so the
 * same id on the same model is always the same weights).
 */
export function derived(model: ImportedModel, id: string, proto: ModelProto = model.net.model, extra: Partial<ImportedModel> = {}): ImportedModel {
  const hash = createHash('sha256').update(`${model.net.hash}|mutant:${id}`).digest('hex').slice(0, 32);
  return { ...model, ...extra, net: { ...model.net, model: proto, hash, where: `${model.net.where} (mutant ${id})` } };
}

/** A generator for one mutant: the suite's seed mixed with the mutant's id. */
export function mutantRng(seed: number, id: string): Rng {
  const h = createHash('sha256').update(id).digest();
  return makeRng((seed ^ h.readUInt32LE(0)) >>> 0);
}

/** Ops whose second input is a learned weight matrix or kernel. */
const WEIGHTED = new Set(['Conv', 'Gemm', 'MatMul', 'ConvTranspose']);

export interface WeightedLayer {
  node: NodeProto;
  weight: string;
  /** Axis of the weight that indexes output channels. */
  outAxis: number;
}

/** Weighted layers in topological order (input side first), each with its weight initializer. */
export function weightedLayers(m: ModelProto): WeightedLayer[] {
  const out: WeightedLayer[] = [];
  for (const n of topoOrder(m.graph)) {
    if (!WEIGHTED.has(n.opType) || !n.input[1] || !findInitializer(m, n.input[1])) continue;
    out.push({ node: n, weight: n.input[1], outAxis: outAxisOf(n) });
  }
  return out;
}

function outAxisOf(n: NodeProto): number {
  if (n.opType === 'Gemm') return attr<number>(n, 'transB', 0) ? 0 : 1;
  if (n.opType === 'MatMul' || n.opType === 'ConvTranspose') return 1;
  return 0;
}

/** Replace each weighted layer's weight by f(weight); every layer at most once (shared weights too). */
export function mapWeights(m: ModelProto, layers: readonly WeightedLayer[], f: (w: Tensor, layer: WeightedLayer) => Tensor): void {
  const done = new Set<string>();
  for (const l of layers) {
    if (done.has(l.weight)) continue;
    done.add(l.weight);
    replaceWeight(m, l.weight, f(readWeight(m, l.weight), l));
  }
}

export function meanStd(data: Float32Array): { mean: number; std: number } {
  let s = 0;
  for (const v of data) s += v;
  const mean = s / Math.max(1, data.length);
  let q = 0;
  for (const v of data) q += (v - mean) ** 2;
  return { mean, std: Math.sqrt(q / Math.max(1, data.length)) };
}

/** Where channel `channel` of some tensor is made: its weight slice, bias entry and BatchNorm entries. */
export interface Slot {
  node: NodeProto;
  weight: string;
  outAxis: number;
  channel: number;
  bias?: string;
  /** BatchNormalization scale, shift, mean, variance (Keras keeps BN unfolded). */
  bn?: string[];
  /** A grouped (depthwise) Conv: its output channel c reads only input group c. */
  grouped: boolean;
}

const PASS = new Set(['Relu', 'Identity', 'Clip', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Flatten']);

/** The slot of a unit: through concats, BN and activations to the Conv, or through activations to a Gemm. */
export function slotOf(m: ModelProto, tensor: string, unit: number): Slot {
  const g = m.graph;
  let t = tensor;
  for (let guard = 0; guard < 64; guard++) {
    const n = g.node.find((x) => x.output.includes(t));
    if (!n) break;
    if (n.opType === 'Gemm' && findInitializer(m, n.input[1])) {
      const outAxis = outAxisOf(n);
      const w = findInitializer(m, n.input[1])!;
      const size = num(w.dims[outAxis]);
      if (unit < 0 || unit >= size) throw badInput('E_NO_UNIT', `unit ${unit} does not exist in "${tensor}"`, undefined, `it has ${size} units`);
      return { node: n, weight: n.input[1], outAxis, channel: unit, bias: n.input[2] || undefined, grouped: false };
    }
    if (n.opType === 'Softmax') throw badInput('E_MUTANT_TARGET', `"${tensor}" is a softmax output: its units mix every logit`, undefined, 'target the logits before the softmax');
    if (PASS.has(n.opType) && n.opType !== 'Flatten') {
      t = n.input[0];
      continue;
    }
    break;
  }
  const s = sourceOf(m, tensor, unit);
  return {
    node: s.conv, weight: s.conv.input[1], outAxis: 0, channel: s.channel, bias: s.conv.input[2] || undefined,
    bn: s.bn ? s.bn.input.slice(1, 5) : undefined, grouped: convGroup(s.conv) !== 1,
  };
}

/** Reorder the output channels of a slot's layer: new channel c is old channel perm[c]. */
export function permuteSlots(m: ModelProto, s: Slot, perm: readonly number[]): void {
  const w = readWeight(m, s.weight);
  const slices = slicesAlong(w.dims, s.outAxis);
  if (perm.length !== slices.length) throw badInput('E_MUTANT_TARGET', `a permutation of ${perm.length} channels for a layer of ${slices.length}`, undefined, 'internal: permutation size');
  const next = new Float32Array(w.data.length);
  slices.forEach((idx, c) => idx.forEach((at, k) => (next[at] = w.data[slices[perm[c]][k]])));
  replaceWeight(m, s.weight, { dims: w.dims, data: next });
  for (const v of [s.bias, ...(s.bn ?? [])]) if (v) permuteVector(m, v, perm);
}

/** How many output channels a slot's layer has. */
export function slotWidth(m: ModelProto, s: Slot): number {
  return num(findInitializer(m, s.weight)!.dims[s.outAxis]);
}
