// An equivalent mutant: a Conv's output channels permuted together with everything that reads
// them channel by channel (BatchNorm, activations, pooling, depthwise convs) and the input
// channels of the next Conv or Gemm. The network computes the same function; only float rounding
// may differ. A check that notices it is reading unit numbers of a hidden layer no spec names,
// or asks for more digits than the arithmetic has.
import { attr, findInitializer, readWeight, replaceWeight, tensorFromProto } from '../../engine/graph.ts';
import { cloneModel, num, type ModelProto, type NodeProto } from '../../engine/onnx.ts';
import { badInput } from '../../errors.ts';
import { derived, mutantRng, permuteVector, shuffle, slicesAlong } from './model.ts';
import type { Mutant, MutantContext, MutantOperator } from './types.ts';

/** Ops that act on each channel alone, with no per-channel parameters. */
const CHANNELWISE = new Set(['Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Identity', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool']);

/** One step of a permutable chain: what to permute in which weight. */
type Step =
  | { op: 'out'; weight: string; bias?: string }
  | { op: 'bn'; params: string[] }
  | { op: 'in'; weight: string; axis: number };

export interface PermutableChain {
  conv: NodeProto;
  channels: number;
  /** Tensors whose channels end up permuted (none of them may be read by a spec). */
  tensors: string[];
  steps: Step[];
}

function group(n: NodeProto): number {
  return attr<number>(n, 'group', 1);
}

/**
 * The chain from a Conv's output to the next layer that mixes channels, or undefined when the
 * channels reach anything a permutation cannot be carried through (an Add, a Concat, a graph output).
 */
export function permutableChain(m: ModelProto, conv: NodeProto, protectedTensors: ReadonlySet<string> = new Set()): PermutableChain | undefined {
  const g = m.graph;
  const w = findInitializer(m, conv.input[1]);
  if (conv.opType !== 'Conv' || !w || group(conv) !== 1) return undefined;
  const channels = num(w.dims[0]);
  const outputs = new Set(g.output.map((o) => o.name));
  const steps: Step[] = [{ op: 'out', weight: conv.input[1], bias: conv.input[2] || undefined }];
  const tensors: string[] = [];
  let t = conv.output[0];
  let flat = false; // after GlobalAveragePool: a Flatten keeps one value per channel
  for (let guard = 0; guard < 64; guard++) {
    if (protectedTensors.has(t) || outputs.has(t)) return undefined;
    tensors.push(t);
    const readers = g.node.filter((n) => n.input.includes(t));
    if (readers.length !== 1) return undefined;
    const n = readers[0];
    if (n.input[0] !== t) return undefined;
    if (n.opType === 'BatchNormalization') {
      if (!n.input.slice(1, 5).every((p) => findInitializer(m, p))) return undefined;
      steps.push({ op: 'bn', params: n.input.slice(1, 5) });
    } else if (n.opType === 'Conv') {
      const k = findInitializer(m, n.input[1]);
      if (!k) return undefined;
      if (group(n) === 1) {
        steps.push({ op: 'in', weight: n.input[1], axis: 1 });
        return { conv, channels, tensors, steps };
      }
      if (group(n) !== channels || num(k.dims[0]) !== channels) return undefined;
      steps.push({ op: 'out', weight: n.input[1], bias: n.input[2] || undefined });
    } else if (n.opType === 'Gemm' && flat) {
      if (!findInitializer(m, n.input[1])) return undefined;
      steps.push({ op: 'in', weight: n.input[1], axis: attr<number>(n, 'transB', 0) ? 1 : 0 });
      return { conv, channels, tensors, steps };
    } else if ((n.opType === 'Flatten' || n.opType === 'Reshape') && flat) {
      // [N, C, 1, 1] → [N, C]: channel order carries over.
    } else if (n.opType === 'ReduceMean' || n.opType === 'ReduceMax') {
      // A spatial reduction (axes H and W only) keeps one value per channel, like a global pool.
      const axesInit = n.input[1] ? findInitializer(m, n.input[1]) : undefined;
      const axes = axesInit ? [...tensorFromProto(axesInit).data] : attr<number[]>(n, 'axes', []);
      if (!axes.length || !axes.every((a) => a === 2 || a === 3 || a === -1 || a === -2)) return undefined;
      flat = true;
    } else if (n.opType === 'Pad') {
      const pads = n.input[1] ? findInitializer(m, n.input[1]) : undefined;
      const p = pads ? tensorFromProto(pads).data : undefined;
      // Only a constant pad of the spatial axes (NCHW pads: [b0, c0, h0, w0, b1, c1, h1, w1]).
      if (!p || p.length !== 8 || p[0] || p[1] || p[4] || p[5] || (attr<string>(n, 'mode', 'constant') !== 'constant')) return undefined;
    } else if (CHANNELWISE.has(n.opType)) {
      if (n.opType === 'GlobalAveragePool' || n.opType === 'GlobalMaxPool') flat = true;
    } else return undefined;
    t = n.output[0];
  }
  return undefined;
}

/** Every Conv whose channels can be permuted without touching the protected tensors. */
export function permutableChains(m: ModelProto, protectedTensors: ReadonlySet<string> = new Set()): PermutableChain[] {
  return m.graph.node.flatMap((n) => {
    const c = n.opType === 'Conv' ? permutableChain(m, n, protectedTensors) : undefined;
    return c ? [c] : [];
  });
}

/** Apply a permutation along a chain (in place on `m`): new channel c is old channel perm[c]. */
export function permuteChain(m: ModelProto, chain: PermutableChain, perm: readonly number[]): void {
  for (const s of chain.steps) {
    if (s.op === 'bn') {
      for (const p of s.params) permuteVector(m, p, perm);
      continue;
    }
    const w = readWeight(m, s.weight);
    const axis = s.op === 'out' ? 0 : s.axis;
    const slices = slicesAlong(w.dims, axis);
    const next = new Float32Array(w.data.length);
    slices.forEach((idx, c) => idx.forEach((at, k) => (next[at] = w.data[slices[perm[c]][k]])));
    replaceWeight(m, s.weight, { dims: w.dims, data: next });
    if (s.op === 'out' && s.bias) permuteVector(m, s.bias, perm);
  }
}

export const permuteChannelsOperator: MutantOperator = {
  name: 'permute-channels',
  kind: 'equivalent',
  doc: 'Equivalent: the output channels of one Conv (a seeded choice among those no entry reads) permuted at random together with its BatchNorm, activations, pooling and depthwise convolutions, and the input channels of the next Conv or Gemm. Same function, different float rounding: a check it kills asks for more digits than the arithmetic has.',
  mutants(ctx: MutantContext): Mutant[] {
    const id = 'permute-channels';
    return [{
      id, operator: id, kind: 'equivalent',
      description: 'a hidden layer\'s channels permuted along with the next layer\'s inputs (same function)',
      apply(model) {
        const m = cloneModel(model.net.model);
        const chains = permutableChains(m, ctx.protectedTensors);
        if (!chains.length) throw badInput('E_MUTANT_NA', 'no Conv output can be permuted without touching a layer the suite reads', model.net.where, 'permute-channels needs a Conv followed (through BatchNorm, activations, pooling) by one Conv');
        const rng = mutantRng(ctx.seed, id);
        const chain = chains[Math.floor(rng() * chains.length)];
        permuteChain(m, chain, shuffle(rng, chain.channels));
        return derived(model, id, m);
      },
    }];
  },
};
