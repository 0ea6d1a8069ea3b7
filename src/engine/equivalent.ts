// Rewrites of a network that keep its function: a Conv's output channels permuted together with
// everything that reads them channel by channel, and the input channels of the next layer. The
// audit's equivalent mutant and attribution's implementation-invariance check both build on it.
import { attr, findInitializer, readWeight, replaceWeight, tensorFromProto } from './graph.ts';
import { num, type ModelProto, type NodeProto } from './onnx.ts';
import type { Rng } from '../util/rng.ts';

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

/** Index lists of a weight's slices along `axis` (one list of flat indices per output channel). */
export function slicesAlong(dims: readonly number[], axis: number): number[][] {
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const n = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out: number[][] = Array.from({ length: n }, () => []);
  for (let o = 0; o < outer; o++) for (let c = 0; c < n; c++) for (let i = 0; i < inner; i++) out[c].push((o * n + c) * inner + i);
  return out;
}

export function permuteVector(m: ModelProto, name: string, perm: readonly number[]): void {
  const v = readWeight(m, name);
  if (v.data.length !== perm.length) return; // a broadcast scalar bias: nothing per channel
  replaceWeight(m, name, { dims: v.dims, data: Float32Array.from(perm, (p) => v.data[p]) });
}

/** A seeded permutation of 0..n−1 (Fisher–Yates). */
export function shuffle(rng: Rng, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
