// Small dense networks whose modified backward passes can be written out by hand in float64:
// x → (Gemm → activation)×L → Gemm → logits, weights drawn from a seeded generator.
import { createModel, floatTensorProto, node } from '../../../src/engine/graph.ts';
import { makeNet } from '../../../src/engine/net.ts';
import type { NodeProto, TensorProto } from '../../../src/engine/onnx.ts';
import { normal, type Rng } from '../../../src/util/rng.ts';
import type { Subject } from '../../../src/probes/attribution/types.ts';
import { GT_INPUT, GT_LOGITS } from './groundtruth.ts';

export interface Mlp {
  subject: Subject;
  /** Layer l: weights [out, in] (row-major) and biases [out] (zeros when bias-free). */
  layers: { w: Float64Array; b: Float64Array; out: number; inp: number }[];
  activation: 'Relu' | 'Tanh';
}

/** An MLP on a [C, H, W] input with `hidden` widths; the last layer gives `classes` logits. */
export function mlp(dims: [number, number, number], hidden: number[], classes: number, rng: Rng, opts: { bias?: boolean; activation?: 'Relu' | 'Tanh' } = {}): Mlp {
  const activation = opts.activation ?? 'Relu';
  const widths = [dims[0] * dims[1] * dims[2], ...hidden, classes];
  const nodes: NodeProto[] = [node('Flatten', [GT_INPUT], ['h0'], { axis: { i: 1 } })];
  const inits: TensorProto[] = [];
  const layers: Mlp['layers'] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const [inp, out] = [widths[l], widths[l + 1]];
    const w = Float32Array.from({ length: out * inp }, () => normal(rng) / Math.sqrt(inp));
    const b = Float32Array.from({ length: out }, () => (opts.bias === false ? 0 : 0.3 * normal(rng)));
    inits.push(floatTensorProto(`W${l}`, { dims: [out, inp], data: w }), floatTensorProto(`B${l}`, { dims: [out], data: b }));
    const last = l + 2 === widths.length;
    nodes.push(node('Gemm', [l === 0 ? 'h0' : `a${l}`, `W${l}`, `B${l}`], [last ? GT_LOGITS : `z${l + 1}`], { transB: { i: 1 } }, `dense${l}`));
    if (!last) nodes.push(node(activation, [`z${l + 1}`], [`a${l + 1}`]));
    layers.push({ w: Float64Array.from(w), b: Float64Array.from(b), out, inp });
  }
  const model = createModel({ name: 'mlp', inputs: [{ name: GT_INPUT, dims: ['N', ...dims] }], outputs: [{ name: GT_LOGITS, dims: ['N', classes] }], nodes, initializers: inits });
  return { subject: { net: makeNet(model, 'groundtruth:mlp'), input: GT_INPUT, inputDims: dims, logits: GT_LOGITS, device: 'cpu', batchSize: 16 }, layers, activation };
}

/** Pre-activations z_l and activations a_l of every layer, float64 (a_0 = x). */
export function forward64(m: Mlp, x: ArrayLike<number>): { z: Float64Array[]; a: Float64Array[] } {
  const f = m.activation === 'Relu' ? (v: number) => Math.max(0, v) : Math.tanh;
  const a = [Float64Array.from(x)];
  const z: Float64Array[] = [];
  m.layers.forEach((L, l) => {
    const zl = new Float64Array(L.out);
    for (let j = 0; j < L.out; j++) {
      let s = L.b[j];
      for (let i = 0; i < L.inp; i++) s += L.w[j * L.inp + i] * a[l][i];
      zl[j] = s;
    }
    z.push(zl);
    a.push(l + 1 < m.layers.length ? zl.map(f) : zl);
  });
  return { z, a };
}

/**
 * A backward pass written out: start with e_k at the logits, at each dense layer g_in = Wᵀ g, and at
 * each activation between layers l and l+1 the given local rule `act(l, g)`.
 */
export function backward64(m: Mlp, k: number, act: (l: number, g: Float64Array) => Float64Array): Float64Array {
  let g: Float64Array = new Float64Array(m.layers[m.layers.length - 1].out);
  g[k] = 1;
  for (let l = m.layers.length - 1; l >= 0; l--) {
    const L = m.layers[l];
    const gin = new Float64Array(L.inp);
    for (let j = 0; j < L.out; j++) for (let i = 0; i < L.inp; i++) gin[i] += L.w[j * L.inp + i] * g[j];
    g = l > 0 ? act(l, gin) : gin;
  }
  return g;
}
