// Property: for randomly generated small graphs over every op with a VJP rule (random shapes,
// strides, pads, dilations, groups, broadcasting, opsets 11–18), the gradients onnxruntime
// computes from the built VJP graph agree with central finite differences of a float64
// re-evaluation of the same graph (eval64), w.r.t. the input, an intermediate tensor and a weight.
//
// Why float64 JS and not a DOUBLE ONNX graph: onnxruntime's CPU Conv, ConvTranspose and pools
// are float-only. Tolerance: |analytic − FD| ≤ 2e-3·scale + 1e-6, scale = the largest |gradient|
// of that tensor (the analytic side is float32; FD step 1e-5 in float64 is exact to ~1e-9).
// Coordinates where the left and right differences disagree by more than 1e-3·scale sit on a
// kink (ReLU at 0, max-pool ties, clip bounds) and are skipped; we count them.
// Replay a failure: FC_SEED=<seed> FC_PATH=<path> npm test -- autodiff-fd (FC_PATH_WINDOWS for the
// second property, whose seed is FC_SEED + 1)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createModel, node, floatTensorProto, int64TensorProto } from '../../src/engine/graph.ts';
import type { NodeProto, TensorProto, ModelProto } from '../../src/engine/onnx.ts';
import { makeNet } from '../../src/engine/net.ts';
import { gradient, weighted, contrastive, sum, differentiableOps, type Objective } from '../../src/engine/autodiff/index.ts';
import { evaluate64, supportedOps64, type T64 } from './eval64.ts';
import { MODERN_FD_OPS } from './fd-modern-ops.ts';
import type { Tensor } from '../../src/engine/tensor.ts';

// A fixed default keeps CI deterministic; FC_SEED explores (seed 407652369 found a Transpose→Transpose→MatMul
// forward mismatch between onnxruntime and the float64 reference, not yet explained: see the session notes).
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261126;
const path = process.env.FC_PATH;
const numRuns = Number(process.env.FC_RUNS ?? 50);
console.log(`autodiff-fd: FC_SEED=${seed}${path ? ` FC_PATH=${path}` : ''} runs=${numRuns}`);

function rng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const size = (d: number[]) => d.reduce((a, b) => a * b, 1);
const MAX_ELEMS = 1200;

const OPS = [
  'conv', 'conv', 'conv', 'convT', 'convT', 'maxpool', 'maxpool', 'avgpool', 'gap', 'gmp', 'bn', 'lrn', 'pad', 'slice', 'reduce', 'concat', 'split',
  'transpose', 'reshape', 'flatten', 'unsqueeze', 'squeeze', 'relu', 'leaky', 'clip', 'sigmoid', 'tanh', 'identity', 'dropout',
  'softmax', 'logsoftmax', 'neg', 'abs', 'exp', 'log', 'sqrt', 'add', 'sub', 'mul', 'div', 'sum', 'expand', 'gemm', 'gemm', 'matmul', 'cast',
] as const;

/** The ONNX ops each generator step can emit (checked below to cover every op with a VJP rule). */
const EMITS: Record<string, string[]> = {
  conv: ['Conv'], convT: ['ConvTranspose'], maxpool: ['MaxPool'], avgpool: ['AveragePool'], gap: ['GlobalAveragePool'], gmp: ['GlobalMaxPool'],
  bn: ['BatchNormalization'], lrn: ['LRN'], pad: ['Pad'], slice: ['Slice'], reduce: ['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin'],
  concat: ['Concat'], split: ['Split'], transpose: ['Transpose'], reshape: ['Reshape'], flatten: ['Flatten'], unsqueeze: ['Unsqueeze'],
  squeeze: ['Squeeze', 'Reshape'], relu: ['Relu'], leaky: ['LeakyRelu'], clip: ['Clip'], sigmoid: ['Sigmoid'], tanh: ['Tanh'],
  identity: ['Identity'], dropout: ['Dropout'], softmax: ['Softmax'], logsoftmax: ['LogSoftmax'], neg: ['Neg'], abs: ['Abs'], exp: ['Exp'],
  log: ['Log', 'Sigmoid', 'Add'], sqrt: ['Sqrt', 'Sigmoid', 'Add'], add: ['Add'], sub: ['Sub'], mul: ['Mul'], div: ['Div', 'Sigmoid', 'Add'],
  sum: ['Sum'], expand: ['Expand'], gemm: ['Gemm', 'Flatten', 'Transpose'], matmul: ['MatMul'], cast: ['Cast'],
};
type OpName = (typeof OPS)[number];

interface Step { op: OpName; p: number[] }
interface Recipe { seed: number; opset: number; n: number; c: number; h: number; w: number; steps: Step[]; extraTerm: number; pick: number[] }

/** An activation the generator may reuse: its batch is on axis 0. */
interface Act { name: string; dims: number[] }

interface RandomGraph {
  model: ModelProto;
  input: Act;
  acts: Act[];
  weights: string[];
  final: Act;
  fixedBatch: boolean;
  ops: string[];
}

function buildGraph(r: Recipe): RandomGraph | undefined {
  const rand = rng(r.seed);
  const uni = (lo: number, hi: number) => lo + (hi - lo) * rand();
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const weights: string[] = [];
  let k = 0;
  const fresh = (p: string) => `${p}${k++}`;
  const init = (dims: number[], lo: number, hi: number, isWeight = true) => {
    const name = fresh('w');
    inits.push(floatTensorProto(name, { dims, data: Float32Array.from({ length: size(dims) }, () => uni(lo, hi)) }));
    if (isWeight) weights.push(name);
    return name;
  };
  const ints = (values: number[]) => {
    const name = fresh('i');
    inits.push(int64TensorProto(name, [values.length], values));
    return name;
  };
  const emit = (op: string, inputs: string[], attrs: Parameters<typeof node>[3] = {}, outs = 1) => {
    const names = Array.from({ length: outs }, () => fresh('t'));
    nodes.push(node(op, inputs, names, attrs));
    return names;
  };
  const input: Act = { name: 'x', dims: [r.n, r.c, r.h, r.w] };
  const acts: Act[] = [input];
  let cur = input;
  let fixedBatch = false;
  const ops: string[] = [];
  const { opset } = r;

  const positive = (t: string) => emit('Add', [emit('Sigmoid', [t])[0], init([], 0.5, 0.5, false)])[0];
  const nonBatchAxes = (d: number[]) => d.map((_, i) => i).slice(1);
  const pickOf = <T>(p: number, xs: T[]) => xs[p % xs.length];
  const divisors = (c: number) => Array.from({ length: c }, (_, i) => i + 1).filter((g) => c % g === 0);

  const apply = (op: OpName, p: number[]): Act | undefined => {
    const d = cur.dims;
    const r4 = d.length === 4;
    const [N, C, H, W] = d;
    const bits = (i: number, b: number) => (p[i] >> b) & 1;
    switch (op) {
      case 'conv': {
        if (!r4) return;
        const kk = [1 + (p[0] % 3), 1 + (p[1] % 3)];
        const s = [1 + bits(2, 0), 1 + bits(2, 1)];
        const dl = [1 + bits(3, 0), 1 + bits(3, 1)];
        const g = pickOf(p[4], divisors(C));
        const M = Math.min(6, g * (1 + (p[5] % 2)));
        if (M % g) return;
        const mode = p[5] % 6;
        const attrs: Parameters<typeof node>[3] = { strides: { ints: s }, dilations: { ints: dl }, group: { i: g }, kernel_shape: { ints: kk } };
        let out: number[];
        const ext = kk.map((x, i) => (x - 1) * dl[i] + 1);
        if (mode < 4) {
          const pads = [p[0] >> 2, p[1] >> 2, p[2] >> 2, p[3] >> 2].map((v) => v % 3);
          attrs.pads = { ints: pads };
          out = [H, W].map((x, i) => Math.floor((x + pads[i] + pads[i + 2] - ext[i]) / s[i]) + 1);
        } else if (mode === 4) {
          if (dl.some((x) => x > 1)) return; // onnxruntime: no dilation with SAME auto_pad
          attrs.auto_pad = { s: pickOf(p[0] >> 3, ['SAME_UPPER', 'SAME_LOWER']) };
          out = [H, W].map((x, i) => Math.ceil(x / s[i]));
        } else {
          attrs.auto_pad = { s: 'VALID' };
          out = [H, W].map((x, i) => Math.floor((x - ext[i]) / s[i]) + 1);
        }
        if (out.some((o) => o < 1)) return;
        const fan = (C / g) * kk[0] * kk[1];
        const ins = [cur.name, init([M, C / g, ...kk], -1.5 / Math.sqrt(fan), 1.5 / Math.sqrt(fan))];
        if (bits(5, 3)) ins.push(init([M], -0.5, 0.5));
        return { name: emit('Conv', ins, attrs)[0], dims: [N, M, ...out] };
      }
      case 'convT': {
        if (!r4) return;
        const kk = [1 + (p[0] % 3), 1 + (p[1] % 3)];
        const s = [1 + bits(2, 0), 1 + bits(2, 1)];
        const dl = [1 + bits(3, 0), 1 + bits(3, 1)];
        const g = pickOf(p[4], divisors(C));
        const Mg = 1 + (p[5] % 2);
        if (g * Mg > 6) return;
        const op = s.map((x, i) => (p[i] >> 2) % x);
        const full = [H, W].map((x, i) => s[i] * (x - 1) + op[i] + (kk[i] - 1) * dl[i] + 1);
        const attrs: Parameters<typeof node>[3] = { strides: { ints: s }, dilations: { ints: dl }, group: { i: g }, output_padding: { ints: op } };
        let out: number[];
        if (bits(5, 2) && bits(5, 3)) {
          if (op.some((x) => x > 0)) return; // ONNX shape inference and onnxruntime disagree on SAME + output_padding
          attrs.auto_pad = { s: pickOf(p[3], ['SAME_UPPER', 'SAME_LOWER']) };
          out = [H, W].map((x, i) => x * s[i]);
          if (out.some((o, i) => o > full[i])) return;
        } else if (bits(5, 2)) {
          // An output_shape below the full size (or with SAME auto_pad) trips ONNX shape inference
          // in onnxruntime for any following op, gradients or not: only the full size is generated.
          out = full;
          attrs.output_shape = { ints: out };
        } else {
          const pads = [p[0] >> 4, p[1] >> 4, p[2] >> 4, p[3] >> 4].map((v) => v % 2);
          attrs.pads = { ints: pads };
          out = full.map((f, i) => f - pads[i] - pads[i + 2]);
        }
        if (out.some((o) => o < 1 || o > 12)) return;
        const ins = [cur.name, init([C, Mg, ...kk], -1 / Math.sqrt(C), 1 / Math.sqrt(C))];
        if (bits(5, 4)) ins.push(init([g * Mg], -0.5, 0.5));
        return { name: emit('ConvTranspose', ins, attrs)[0], dims: [N, g * Mg, ...out] };
      }
      case 'maxpool':
      case 'avgpool': {
        if (!r4) return;
        const kk = [1 + (p[0] % 3), 1 + (p[1] % 3)];
        const s = [1 + (p[2] % 3), 1 + ((p[2] >> 2) % 3)];
        const dl = op === 'maxpool' ? [1 + bits(3, 0), 1 + bits(3, 1)] : [1, 1];
        const ceil = bits(3, 2);
        const pads = [(p[0] >> 2) % kk[0], (p[1] >> 2) % kk[1], (p[0] >> 4) % kk[0], (p[1] >> 4) % kk[1]];
        const attrs: Parameters<typeof node>[3] = { kernel_shape: { ints: kk }, strides: { ints: s }, ceil_mode: { i: ceil } };
        if (op === 'maxpool') attrs.dilations = { ints: dl };
        else attrs.count_include_pad = { i: bits(3, 3) };
        const ext = kk.map((x, i) => (x - 1) * dl[i] + 1);
        let out: number[];
        if (bits(4, 0) && !ceil && dl.every((x) => x === 1)) {
          attrs.auto_pad = { s: 'SAME_UPPER' };
          out = [H, W].map((x, i) => Math.ceil(x / s[i]));
          // SAME pads must stay below the kernel for onnxruntime's pools.
          const total = [H, W].map((x, i) => (out[i] - 1) * s[i] + ext[i] - x);
          if (total.some((t, i) => t < 0 || t >= 2 * kk[i] - 1)) return; // onnxruntime refuses negative SAME pads
        } else {
          attrs.pads = { ints: pads };
          out = [H, W].map((x, i) => {
            const span = x + pads[i] + pads[i + 2] - ext[i];
            if (!ceil) return Math.floor(span / s[i]) + 1;
            return Math.ceil(span / s[i]) + 1;
          });
          // Where onnxruntime's pool kernels drop a last window that would start in the end
          // padding, ONNX shape inference does not, and onnxruntime then refuses to load any
          // graph combining that tensor with static shapes; such pools are out of scope.
          if (ceil && out.some((o, i) => (o - 1) * s[i] >= [H, W][i] + pads[i])) return;
        }
        if (out.some((o) => o < 1)) return;
        // Every window must see at least one input (onnxruntime outputs −FLT_MAX for an empty one).
        const pb = attrs.auto_pad ? [H, W].map((x, i) => Math.floor(Math.max(0, (out[i] - 1) * s[i] + ext[i] - x) / 2)) : [pads[0], pads[1]];
        const empty = [H, W].some((x, a) => Array.from({ length: out[a] }, (_, o) => o).some((o) =>
          Array.from({ length: kk[a] }, (_, k) => o * s[a] + k * dl[a] - pb[a]).every((q) => q < 0 || q >= x)));
        if (empty) return;
        return { name: emit(op === 'maxpool' ? 'MaxPool' : 'AveragePool', [cur.name], attrs)[0], dims: [N, C, ...out] };
      }
      case 'gap':
      case 'gmp':
        if (!r4) return;
        return { name: emit(op === 'gap' ? 'GlobalAveragePool' : 'GlobalMaxPool', [cur.name])[0], dims: [N, C, 1, 1] };
      case 'bn': {
        if (d.length < 2) return;
        const ins = [cur.name, init([C], 0.5, 1.5), init([C], -0.5, 0.5), init([C], -0.5, 0.5), init([C], 0.5, 2)];
        return { name: emit('BatchNormalization', ins, { epsilon: { f: pickOf(p[0], [1e-5, 1e-3]) } })[0], dims: d };
      }
      case 'lrn': {
        if (!r4) return;
        const attrs = { size: { i: pickOf(p[0], [1, 3, 5]) }, alpha: { f: pickOf(p[1], [1e-4, 0.1, 0.5]) }, beta: { f: pickOf(p[2], [0.75, 0.5]) }, bias: { f: pickOf(p[3], [1, 2]) } };
        return { name: emit('LRN', [cur.name], attrs)[0], dims: d };
      }
      case 'pad': {
        if (d.length < 2) return;
        const rank = d.length;
        const pads = new Array(2 * rank).fill(0);
        for (const a of nonBatchAxes(d)) {
          if (!bits(a % 6, 0) && a !== rank - 1) continue;
          pads[a] = ((p[a % 6] >> 1) % 4) - 1;
          pads[a + rank] = ((p[a % 6] >> 3) % 4) - 1;
        }
        const out = d.map((x, i) => x + pads[i] + pads[i + rank]);
        if (out.some((o) => o < 1) || size(out) > MAX_ELEMS) return;
        const ins = [cur.name];
        // onnxruntime 1.30's transpose optimizer mis-permutes Pad-18's axes input behind a Transpose
        // (fails even without autodiff), so the axes form is only generated with no Transpose upstream.
        if (opset >= 18 && bits(5, 0) && !nodes.some((x) => x.opType === 'Transpose')) {
          const axes = nonBatchAxes(d);
          ins.push(ints([...axes.map((a) => pads[a]), ...axes.map((a) => pads[a + rank])]), init([], 0.25, 0.25, false), ints(axes));
        } else {
          ins.push(ints(pads));
          if (bits(5, 1)) ins.push(init([], -0.3, -0.3, false));
        }
        return { name: emit('Pad', ins, { mode: { s: 'constant' } })[0], dims: out };
      }
      case 'slice': {
        if (d.length < 2) return;
        const axes = nonBatchAxes(d).filter((a) => bits(a % 6, 1) || a === 1).slice(0, 2);
        const starts: number[] = [], ends: number[] = [], steps: number[] = [];
        const out = [...d];
        for (const a of axes) {
          const D = d[a];
          const step = pickOf(p[a % 6] >> 2, [1, 1, 2, 3, -1, -2]);
          let s = ((p[(a + 1) % 6] >> 1) % (D + 3)) - 2;
          let e = ((p[(a + 2) % 6] >> 1) % (D + 5)) - 2;
          if (step < 0) [s, e] = [e, s];
          if (p[a % 6] % 7 === 0) e = step > 0 ? 2 ** 40 : -(2 ** 40);
          starts.push(s); ends.push(e); steps.push(step);
          let ss = s < 0 ? s + D : s, ee = e < 0 ? e + D : e;
          if (step > 0) { ss = Math.min(Math.max(ss, 0), D); ee = Math.min(Math.max(ee, 0), D); }
          else { ss = Math.min(Math.max(ss, 0), D - 1); ee = Math.min(Math.max(ee, -1), D - 1); }
          out[a] = Math.max(0, Math.ceil((ee - ss) / step));
        }
        if (out.some((o) => o < 1)) return;
        return { name: emit('Slice', [cur.name, ints(starts), ints(ends), ints(axes), ints(steps)])[0], dims: out };
      }
      case 'reduce': {
        if (d.length < 3) return;
        const axes = nonBatchAxes(d).filter((a) => bits(a % 6, 2));
        if (axes.length === 0) axes.push(d.length - 1);
        const keep = bits(0, 4);
        const kind = pickOf(p[1], ['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin']);
        const fromInput = kind === 'ReduceSum' ? opset >= 13 : opset >= 18;
        const out = keep ? d.map((x, i) => (axes.includes(i) ? 1 : x)) : d.filter((_, i) => !axes.includes(i));
        const name = fromInput
          ? emit(kind, [cur.name, ints(axes)], { keepdims: { i: keep } })[0]
          : emit(kind, [cur.name], { keepdims: { i: keep }, axes: { ints: axes } })[0];
        return { name, dims: out };
      }
      case 'concat': {
        if (d.length < 2) return;
        const axis = pickOf(p[0], nonBatchAxes(d));
        const mates = acts.filter((a) => a !== cur && a.dims.length === d.length && a.dims.every((x, i) => i === axis || x === d[i]));
        const other = mates.length && bits(1, 0) ? pickOf(p[2], mates) : cur; // x ‖ x exercises adjoint accumulation
        const out = [...d];
        out[axis] += other.dims[axis];
        if (size(out) > MAX_ELEMS) return;
        return { name: emit('Concat', bits(1, 1) ? [other.name, cur.name] : [cur.name, other.name], { axis: { i: axis - (bits(1, 2) ? d.length : 0) } })[0], dims: out };
      }
      case 'split': {
        if (d.length < 2) return;
        const axis = pickOf(p[0], nonBatchAxes(d).filter((a) => d[a] >= 2));
        if (axis === undefined) return;
        const first = 1 + (p[1] % (d[axis] - 1));
        const sizes = [first, d[axis] - first];
        const outs = opset >= 13 ? emit('Split', [cur.name, ints(sizes)], { axis: { i: axis } }, 2) : emit('Split', [cur.name], { axis: { i: axis }, split: { ints: sizes } }, 2);
        const acts2 = outs.map((name, i) => ({ name, dims: d.map((x, j) => (j === axis ? sizes[i] : x)) }));
        acts.push(acts2[1 - (p[2] % 2)]);
        return acts2[p[2] % 2];
      }
      case 'transpose': {
        if (d.length < 3) return;
        const rest = nonBatchAxes(d);
        for (let i = rest.length - 1; i > 0; i--) { const j = p[i % 6] % (i + 1); [rest[i], rest[j]] = [rest[j], rest[i]]; }
        return { name: emit('Transpose', [cur.name], { perm: { ints: [0, ...rest] } })[0], dims: [N, ...rest.map((a) => d[a])] };
      }
      case 'reshape': {
        if (d.length < 3) return;
        const a = 1 + (p[0] % (d.length - 2));
        const out = [...d.slice(0, a), d[a] * d[a + 1], ...d.slice(a + 2)];
        const mode = p[1] % 5;
        // 0 copies the batch, −1 infers it; a literal batch fixes it (fixed-batch graphs run item by item).
        const lead = mode === 4 ? N : mode === 3 ? -1 : 0;
        if (mode === 4) fixedBatch = true;
        const target = [lead, ...out.slice(1)];
        if (lead === -1 && target.slice(1).some((x) => x === 0)) return;
        return { name: emit('Reshape', [cur.name, ints(target)])[0], dims: out };
      }
      case 'flatten':
        if (d.length < 3) return;
        return { name: emit('Flatten', [cur.name], { axis: { i: 1 } })[0], dims: [N, size(d.slice(1))] };
      case 'unsqueeze': {
        if (d.length > 4) return;
        const a = 1 + (p[0] % d.length);
        const out = [...d.slice(0, a), 1, ...d.slice(a)];
        const name = opset >= 13 ? emit('Unsqueeze', [cur.name, ints([a])])[0] : emit('Unsqueeze', [cur.name], { axes: { ints: [a] } })[0];
        return { name, dims: out };
      }
      case 'squeeze': {
        let src = cur.name, sd = d;
        if (!nonBatchAxes(d).some((a) => d[a] === 1)) {
          // Nothing to squeeze: make a unit axis first (Reshape appends it).
          sd = [...d, 1];
          src = emit('Reshape', [cur.name, ints([0, ...sd.slice(1)])])[0];
        }
        const ones = nonBatchAxes(sd).filter((a) => sd[a] === 1);
        if (sd.length < 3) return;
        const a = pickOf(p[0], ones);
        const name = opset >= 13 ? emit('Squeeze', [src, ints([a])])[0] : emit('Squeeze', [src], { axes: { ints: [a] } })[0];
        return { name, dims: sd.filter((_, i) => i !== a) };
      }
      case 'relu': return { name: emit('Relu', [cur.name])[0], dims: d };
      case 'cast': return { name: emit('Cast', [cur.name], { to: { i: 1 } })[0], dims: d };
      case 'leaky': return { name: emit('LeakyRelu', [cur.name], { alpha: { f: pickOf(p[0], [0.01, 0.2, -0.3]) } })[0], dims: d };
      case 'clip': {
        const which = p[0] % 3;
        const lo = which !== 2 ? init([], -0.5 + 0.1 * (p[1] % 5), -0.5 + 0.1 * (p[1] % 5), false) : '';
        const hi = which !== 1 ? init([], 0.2 + 0.2 * (p[2] % 4), 0.2 + 0.2 * (p[2] % 4), false) : '';
        return { name: emit('Clip', hi ? [cur.name, lo, hi] : [cur.name, lo])[0], dims: d };
      }
      case 'sigmoid': return { name: emit('Sigmoid', [cur.name])[0], dims: d };
      case 'tanh': return { name: emit('Tanh', [cur.name])[0], dims: d };
      case 'identity': return { name: emit('Identity', [cur.name])[0], dims: d };
      case 'dropout': return { name: emit('Dropout', [cur.name], {}, 1)[0], dims: d };
      case 'neg': return { name: emit('Neg', [cur.name])[0], dims: d };
      case 'abs': return { name: emit('Abs', [cur.name])[0], dims: d };
      case 'exp': return { name: emit('Exp', [cur.name])[0], dims: d };
      case 'log': return { name: emit('Log', [positive(cur.name)])[0], dims: d };
      case 'sqrt': return { name: emit('Sqrt', [positive(cur.name)])[0], dims: d };
      case 'softmax':
      case 'logsoftmax': {
        if (d.length < 2) return;
        const axis = pickOf(p[0], nonBatchAxes(d));
        return { name: emit(op === 'softmax' ? 'Softmax' : 'LogSoftmax', [cur.name], { axis: { i: axis } })[0], dims: d };
      }
      case 'add': case 'sub': case 'mul': case 'div': case 'sum': {
        const mates = acts.filter((a) => a !== cur && a.dims.length === d.length && a.dims.every((x, i) => x === d[i]));
        let other: string;
        if (mates.length && bits(0, 0)) {
          other = pickOf(p[1], mates).name;
          if (op === 'div') other = positive(other);
        } else {
          // A broadcast operand: some axes 1, maybe fewer leading axes, never the batch.
          const drop = Math.min(d.length - 1, p[2] % 3);
          const od = d.slice(drop).map((x, i) => (i + drop === 0 || bits(3, (i + drop) % 8) ? 1 : x));
          other = op === 'div' ? init(od, 0.5, 1.5) : init(od, -1, 1);
        }
        const opName = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', sum: 'Sum' }[op];
        const ins = op === 'div' ? [cur.name, other] : bits(4, 0) ? [other, cur.name] : [cur.name, other];
        if (op === 'sum' && bits(4, 1)) ins.push(cur.name);
        if (op === 'div' && bits(4, 2)) return { name: emit('Div', [other, positive(cur.name)])[0], dims: d };
        return { name: emit(opName, ins)[0], dims: d };
      }
      case 'expand': {
        const ones = nonBatchAxes(d).filter((a) => d[a] === 1);
        if (ones.length === 0) return;
        const out = d.map((x, i) => (ones.includes(i) && bits(i % 6, 0) ? 2 + (p[i % 6] % 2) : x));
        if (size(out) > MAX_ELEMS) return;
        return { name: emit('Expand', [cur.name, ints([1, ...out.slice(1)])])[0], dims: out };
      }
      case 'gemm': {
        if (d.length < 2) return;
        // Gemm takes [N, F]: flatten first when needed.
        const flat = d.length === 2 ? cur.name : emit('Flatten', [cur.name], { axis: { i: 1 } })[0];
        const F = size(d.slice(1)), M = 1 + (p[0] % 5);
        const tA = bits(1, 0), tB = bits(1, 1);
        const a = tA ? emit('Transpose', [flat], { perm: { ints: [1, 0] } })[0] : flat;
        const B = init(tB ? [M, F] : [F, M], -1 / Math.sqrt(F), 1 / Math.sqrt(F));
        const cKind = p[2] % 4;
        const ins = [a, B];
        if (cKind) ins.push(init(cKind === 1 ? [M] : cKind === 2 ? [1, M] : [1, 1], -0.5, 0.5));
        const attrs = { transA: { i: tA }, transB: { i: tB }, alpha: { f: pickOf(p[3], [1, 0.5, -1.5]) }, beta: { f: pickOf(p[4], [1, 2]) } };
        return { name: emit('Gemm', ins, attrs)[0], dims: [N, M] };
      }
      case 'matmul': {
        if (d.length < 2) return;
        const F = d[d.length - 1];
        const kind = p[0] % 3;
        if (kind === 0) {
          const M = 1 + (p[1] % 4);
          return { name: emit('MatMul', [cur.name, init([F, M], -1, 1)])[0], dims: [...d.slice(0, -1), M] };
        }
        if (kind === 1 && d.length >= 3) return { name: emit('MatMul', [cur.name, init([F], -1, 1)])[0], dims: d.slice(0, -1) };
        if (d.length >= 3) {
          const P = 1 + (p[1] % 3), R = d[d.length - 2];
          return { name: emit('MatMul', [init([P, R], -1, 1), cur.name])[0], dims: [...d.slice(0, -2), P, F] };
        }
        return;
      }
    }
  };

  for (const s of r.steps) {
    const next = apply(s.op, s.p);
    if (!next || size(next.dims) > MAX_ELEMS || next.dims.length < 2 && next.dims[0] !== r.n) continue;
    cur = next;
    acts.push(cur);
    ops.push(s.op);
  }
  if (ops.length === 0) return undefined;
  const model = createModel({
    inputs: [{ name: 'x', dims: ['N', r.c, r.h, r.w] }],
    outputs: [{ name: cur.name }],
    nodes,
    initializers: inits,
    opset,
  });
  return { model, input, acts, weights, final: cur, fixedBatch, ops };
}

const stepOf = (ops: readonly OpName[]) => fc.record({ op: fc.constantFrom(...ops), p: fc.array(fc.nat({ max: 4095 }), { minLength: 6, maxLength: 6 }) });
const recipeOf = (ops: readonly OpName[], maxSteps: number, maxSize: number): fc.Arbitrary<Recipe> => fc.record({
  seed: fc.nat(),
  opset: fc.constantFrom(11, 13, 17, 18),
  n: fc.integer({ min: 1, max: 2 }),
  c: fc.integer({ min: 1, max: 4 }),
  h: fc.integer({ min: 3, max: maxSize }),
  w: fc.integer({ min: 3, max: maxSize }),
  steps: fc.array(stepOf(ops), { minLength: 1, maxLength: maxSteps }),
  extraTerm: fc.nat({ max: 9 }),
  pick: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
});
const recipeArb = recipeOf(OPS, 7, 7);
/** Window ops alone, on larger inputs: every stride/pad/dilation/ceil/auto_pad geometry. */
const windowArb = recipeOf(['conv', 'convT', 'maxpool', 'avgpool'], 2, 10);

const to64 = (t: Tensor): T64 => ({ dims: t.dims, data: Float64Array.from(t.data) });

interface Check { compared: number; skipped: number; worst: number; ops: string[] }

async function checkRecipe(r: Recipe): Promise<Check | undefined> {
  const g = buildGraph(r);
  if (!g) return undefined;
  const rand = rng(r.seed ^ 0x5bd1e995);
  const randomTensor = (dims: number[], lo = -1, hi = 1): Tensor => ({ dims, data: Float32Array.from({ length: size(dims) }, () => lo + (hi - lo) * rand()) });
  const x = randomTensor(g.input.dims);

  // Objective: random weights on the final tensor, sometimes on an earlier one, sometimes a contrastive term.
  const terms: Objective[] = [];
  const w: Record<string, Tensor> = { [g.final.name]: randomTensor(g.final.dims) };
  const earlier = g.acts.filter((a) => a !== g.final && a !== g.input);
  if (r.extraTerm < 3 && earlier.length) {
    const a = earlier[r.pick[0] % earlier.length];
    w[a.name] = randomTensor(a.dims);
  }
  terms.push(weighted(w));
  const K = g.final.dims[1];
  const cls = Array.from({ length: r.n }, (_, i) => (r.pick[1] + i) % Math.max(1, K));
  const withContrastive = g.final.dims.length === 2 && K >= 2 && r.extraTerm >= 7;
  if (withContrastive) terms.push(contrastive(g.final.name, cls));
  const objective = terms.length === 1 ? terms[0] : sum(...terms);

  const wrt = ['x'];
  if (earlier.length) wrt.push(earlier[r.pick[2] % earlier.length].name);
  if (g.weights.length) wrt.push(g.weights[r.pick[2] % g.weights.length]);
  const uniqueWrt = [...new Set(wrt)];

  const net = makeNet(g.model, `random graph [${g.ops.join(' → ')}]`);
  const res = await gradient(net, { input: { x }, objective, wrt: uniqueWrt, outputs: [g.final.name] });

  // float64 objective, summed over items (what the gradients are of).
  const objTensors = Object.keys(w);
  const f64 = (feeds: Record<string, T64>, overrides: Record<string, T64>): number[] => {
    const out = evaluate64(g.model, feeds, objTensors, overrides);
    const perItem = new Array(r.n).fill(0);
    for (const [t, wt] of Object.entries(w)) {
      const per = size(wt.dims) / r.n;
      for (let i = 0; i < wt.data.length; i++) perItem[Math.floor(i / per)] += wt.data[i] * out[t].data[i];
    }
    if (withContrastive) {
      const T = out[g.final.name];
      for (let i = 0; i < r.n; i++) {
        let best = -Infinity;
        for (let j = 0; j < K; j++) if (j !== cls[i]) best = Math.max(best, T.data[i * K + j]);
        perItem[i] += T.data[i * K + cls[i]] - best;
      }
    }
    return perItem;
  };
  const x64 = to64(x);
  const base = f64({ x: x64 }, {});

  // The engine's forward pass and objective agree with the float64 evaluation.
  const fwd = evaluate64(g.model, { x: x64 }, [g.final.name])[g.final.name];
  const ort = res.outputs[g.final.name];
  assert.equal(ort.dims, fwd.dims, 'forward dims');
  const fscale = Math.max(1, ...Array.from(fwd.data, Math.abs));
  for (let i = 0; i < fwd.data.length; i++) {
    if (!(Math.abs(ort.data[i] - fwd.data[i]) <= 1e-4 * fscale)) assert.unreachable(`forward ${g.final.name}[${i}]: onnxruntime ${ort.data[i]} vs float64 ${fwd.data[i]}`);
  }
  base.forEach((v, i) => {
    if (!(Math.abs(res.objective[i] - v) <= 1e-4 * Math.max(1, Math.abs(v)))) assert.unreachable(`objective item ${i}: ${res.objective[i]} vs float64 ${v}`);
  });

  const check: Check = { compared: 0, skipped: 0, worst: 0, ops: g.ops };
  const h = 1e-5;
  for (const t of uniqueWrt) {
    const grad = res.grads[t];
    let value: T64;
    let feedsFor: (v: T64) => [Record<string, T64>, Record<string, T64>];
    if (t === 'x') { value = x64; feedsFor = (v) => [{ x: v }, {}]; }
    else {
      value = evaluate64(g.model, { x: x64 }, [t])[t];
      feedsFor = (v) => [{ x: x64 }, { [t]: v }];
    }
    assert.equal(grad.dims, value.dims, `gradient dims of ${t}`);
    const total = (v: T64) => f64(...feedsFor(v)).reduce((a, b) => a + b, 0);
    const f0 = base.reduce((a, b) => a + b, 0);
    const scale = Math.max(1e-6, ...Array.from(grad.data, Math.abs));
    const coords = value.data.length <= 48 ? [...value.data.keys()] : Array.from({ length: 48 }, () => Math.floor(rand() * value.data.length));
    const directions: Float64Array[] = coords.map((i) => { const v = new Float64Array(value.data.length); v[i] = 1; return v; });
    directions.push(Float64Array.from(value.data, () => rand() * 2 - 1));
    for (const dir of directions) {
      const at = (s: number) => total({ dims: value.dims, data: value.data.map((v, i) => v + s * h * dir[i]) });
      const fp = at(1), fm = at(-1);
      const left = (f0 - fm) / h, right = (fp - f0) / h;
      let analytic = 0, mag = 0;
      for (let i = 0; i < dir.length; i++) { analytic += grad.data[i] * dir[i]; mag += Math.abs(grad.data[i] * dir[i]); }
      const dscale = Math.max(scale, mag);
      if (Math.abs(left - right) > 1e-3 * dscale) { check.skipped++; continue; }
      const fd = (fp - fm) / (2 * h);
      const err = Math.abs(analytic - fd);
      check.worst = Math.max(check.worst, err / (2e-3 * dscale + 1e-6));
      check.compared++;
      if (!(err <= 2e-3 * dscale + 1e-6)) {
        assert.unreachable(`d/d${t}: analytic ${analytic} vs finite difference ${fd} (scale ${dscale}) in graph [${g.ops.join(' → ')}], opset ${r.opset}`);
      }
    }
  }
  return check;
}

test('the generator covers every op with a VJP rule, and eval64 can evaluate them all', () => {
  const generated = new Set([...OPS.flatMap((op) => EMITS[op]), ...MODERN_FD_OPS]);
  const missing = differentiableOps().filter((op) => !generated.has(op));
  assert.equal(missing, [], `ops with a rule the property never generates: ${missing.join(', ')}`);
  const noOracle = differentiableOps().filter((op) => !supportedOps64().includes(op));
  assert.equal(noOracle, [], `ops with a rule but no float64 implementation: ${noOracle.join(', ')}`);
});

test('gradients of random graphs match float64 central differences (input, layer, weight)', async () => {
  let compared = 0, skipped = 0, graphs = 0, worst = 0;
  const seen = new Map<string, number>();
  await fc.assert(fc.asyncProperty(recipeArb, async (r) => {
    const c = await checkRecipe(r);
    if (!c) return;
    graphs++;
    compared += c.compared;
    skipped += c.skipped;
    worst = Math.max(worst, c.worst);
    for (const op of c.ops) seen.set(op, (seen.get(op) ?? 0) + 1);
  }), { seed, path, numRuns, includeErrorInReport: true });
  console.log(`  ${graphs} graphs, ${compared} derivatives compared, ${skipped} skipped at kinks, worst error ${(100 * worst).toFixed(1)}% of tolerance`);
  console.log(`  ops: ${[...seen].sort().map(([op, k]) => `${op}×${k}`).join(' ')}`);
  assert.ok(compared > graphs * 5, 'most derivatives were compared, not skipped');
});

test('gradients through sliding windows in every geometry match float64 central differences', async () => {
  let compared = 0, graphs = 0;
  await fc.assert(fc.asyncProperty(windowArb, async (r) => {
    const c = await checkRecipe(r);
    if (!c) return;
    graphs++;
    compared += c.compared;
  }), { seed: seed + 1, path: process.env.FC_PATH_WINDOWS, numRuns: Math.ceil(numRuns / 2), includeErrorInReport: true });
  console.log(`  ${graphs} window graphs, ${compared} derivatives compared`);
  assert.ok(graphs > numRuns / 4, 'most recipes made a graph');
});

test.run();
