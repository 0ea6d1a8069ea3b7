// Grad-CAM++ and Score-CAM on closed-form models: a layer A = ReLU(x) read out linearly, so ∂y/∂A is
// the readout's weights and every masked score is a dot product. Grad-CAM++ equals Grad-CAM up to
// a positive scale on one channel (the acceptance), and weighs a small second instance
// by the paper's closed form w_k = r·c/(2 + r·c) where Grad-CAM weighs it by its footprint;
// Score-CAM's weights are the increase of confidence of each channel's normalised mask.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createModel, floatTensorProto, node } from '../../../../src/engine/graph.ts';
import { makeNet } from '../../../../src/engine/net.ts';
import { gradCam } from '../../../../src/probes/attribution/methods/grad-cam.ts';
import { gradCamPlusPlus, gradCamPlusPlusWeights } from '../../../../src/probes/attribution/methods/grad-cam-pp.ts';
import { scoreCam } from '../../../../src/probes/attribution/methods/score-cam.ts';
import type { Subject } from '../../../../src/probes/attribution/types.ts';
import type { Tensor } from '../../../../src/engine/tensor.ts';
import { FC_SEED } from '../../../seed.ts';

/** logits = V · flatten(ReLU(x)) + b, the ReLU's output named "A": a [1, K, h, w] layer with ∂logit_c/∂A = V_c. */
function readoutModel(dims: [number, number, number], v: Float32Array, b: Float32Array, batchSize = 16): Subject {
  const D = dims[0] * dims[1] * dims[2];
  const classes = b.length;
  const model = createModel({
    name: 'readout',
    inputs: [{ name: 'x', dims: ['N', ...dims] }],
    outputs: [{ name: 'logits', dims: ['N', classes] }],
    nodes: [
      node('Relu', ['x'], ['A']),
      node('Flatten', ['A'], ['flat'], { axis: { i: 1 } }),
      node('Gemm', ['flat', 'V', 'B'], ['logits'], { transB: { i: 1 } }),
    ],
    initializers: [floatTensorProto('V', { dims: [classes, D], data: v }), floatTensorProto('B', { dims: [classes], data: b })],
  });
  return { net: makeNet(model, 'groundtruth:readout'), input: 'x', inputDims: dims, logits: 'logits', device: 'cpu', batchSize };
}

const cls0 = { kind: 'class' as const, index: 0 };
const asInput = (dims: number[], data: Float32Array): Tensor => ({ dims: [1, ...dims], data });
const floats = (n: number, lo: number, hi: number) => fc.array(fc.float({ min: Math.fround(lo), max: Math.fround(hi), noNaN: true }), { minLength: n, maxLength: n }).map((a) => Float32Array.from(a));

test('property: on a single-channel layer, Grad-CAM++ = c · Grad-CAM with c > 0 whenever Grad-CAM’s weight is positive', async () => {
  const dims: [number, number, number] = [1, 5, 6];
  await fc.assert(fc.asyncProperty(floats(30, -1, 2), floats(30, -1, 1), async (v, x) => {
    let mean = 0;
    for (const e of v) mean += e / 30;
    fc.pre(mean > 0.05);
    const subject = readoutModel(dims, v, new Float32Array([0.3]));
    const opts = { layer: 'A', upsample: 'none' as const };
    const a = await gradCam(subject, asInput(dims, x), cls0, opts);
    const b = await gradCamPlusPlus(subject, asInput(dims, x), cls0, opts);
    let k = 0;
    for (let i = 1; i < 30; i++) if (a.map.data[i] > a.map.data[k]) k = i;
    if (a.map.data[k] === 0) {
      assert.ok(b.map.data.every((e) => e === 0));
      return;
    }
    const c = b.map.data[k] / a.map.data[k];
    assert.ok(c > 0, `scale ${c}`);
    for (let i = 0; i < 30; i++) assert.ok(Math.abs(b.map.data[i] - c * a.map.data[i]) <= 1e-5 * b.map.data[k], `${i}`);
  }), { seed: FC_SEED, numRuns: 25 });
});

test('planted: a small and a large instance in two channels — Grad-CAM++ weighs each by r·c/(2 + r·c), Grad-CAM by its area', async () => {
  // 8×8 grid; channel 0 holds a 6×6 object, channel 1 a 2×2 object, channel 2 a 3×3 object the class counts against.
  const dims: [number, number, number] = [3, 8, 8];
  const x = new Float32Array(192);
  const v = new Float32Array(192);
  const c = 1.5;
  const put = (k: number, y0: number, x0: number, side: number, weight: number) => {
    for (let y = y0; y < y0 + side; y++) for (let xx = x0; xx < x0 + side; xx++) {
      x[k * 64 + y * 8 + xx] = 1;
      v[k * 64 + y * 8 + xx] = weight;
    }
  };
  put(0, 0, 0, 6, c);
  put(1, 6, 6, 2, c);
  put(2, 0, 5, 3, -c);
  const subject = readoutModel(dims, v, new Float32Array([0]));
  const opts = { layer: 'A', upsample: 'none' as const };
  const pp = await gradCamPlusPlus(subject, asInput(dims, x), cls0, opts);
  const gc = await gradCam(subject, asInput(dims, x), cls0, { ...opts, relu: false });
  const big = 0;
  const small = 7 * 8 + 7;
  const against = 0 * 8 + 7;
  // Σ_ij A = r on the object, g = c there: α = c²/(2c² + r·c³) = 1/(c(2 + r·c))… times ReLU(g) = c, summed over r places.
  assert.ok(Math.abs(pp.map.data[big] - (36 * c) / (2 + 36 * c)) < 1e-6, String(pp.map.data[big]));
  assert.ok(Math.abs(pp.map.data[small] - (4 * c) / (2 + 4 * c)) < 1e-6, String(pp.map.data[small]));
  assert.is(pp.map.data[against], 0);
  // Grad-CAM: the mean gradient r·c/64, so the small instance gets 4/36 of the large one, and the third a negative weight.
  assert.ok(Math.abs(gc.map.data[big] - (36 * c) / 64) < 1e-6);
  assert.ok(Math.abs(gc.map.data[small] - (4 * c) / 64) < 1e-6);
  assert.ok(Math.abs(gc.map.data[against] + (9 * c) / 64) < 1e-6);
  const ratioPP = pp.map.data[small] / pp.map.data[big];
  // (6/8) ÷ (54/56) ≈ 0.78 against 4/36 ≈ 0.11: the paper’s point about multiple instances.
  assert.ok(ratioPP > 0.75 && gc.map.data[small] / gc.map.data[big] < 0.12, `small/large ${ratioPP}`);
  assert.is(pp.params.undefinedAlpha, 0);
});

test('Grad-CAM++ weights: α is undefined (and 0) where 2g² + Σ A·g³ ≤ 0, and the places are counted', () => {
  // One channel, values summing to −3, gradients 1 and 0.5: 2 − 3 < 0 and 0.5 − 0.375 > 0.
  const { weights, undefinedAlpha } = gradCamPlusPlusWeights([-4, 1], [1, 0.5], 1, 2);
  assert.is(undefinedAlpha, 1);
  assert.ok(Math.abs(weights[0] - 0.25 / (0.5 - 0.375) * 0.5) < 1e-12);
});

/** Score-CAM by its definition, in float64, for the readout model with the layer on the input's grid. */
function scoreCamByHand(dims: [number, number, number], v: Float32Array, b: Float32Array, x: Float32Array, probability: boolean) {
  const [K, h, w] = dims;
  const hw = h * w;
  const classes = b.length;
  const score = (img: Float64Array) => {
    const logits = Array.from({ length: classes }, (_, c) => {
      let s = b[c];
      for (let i = 0; i < K * hw; i++) s += v[c * K * hw + i] * Math.max(0, img[i]);
      return s;
    });
    if (!probability) return logits[0];
    const m = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - m));
    return e[0] / e.reduce((p, q) => p + q, 0);
  };
  const base = score(new Float64Array(K * hw));
  const cam = new Float64Array(hw);
  let scored = 0;
  for (let k = 0; k < K; k++) {
    const a = Array.from({ length: hw }, (_, i) => Math.max(0, x[k * hw + i]));
    const lo = Math.min(...a);
    const hi = Math.max(...a);
    if (!(hi > lo)) continue;
    scored++;
    const masked = new Float64Array(K * hw);
    for (let c = 0; c < K; c++) for (let i = 0; i < hw; i++) masked[c * hw + i] = x[c * hw + i] * ((a[i] - lo) / (hi - lo));
    const wk = score(masked) - base;
    for (let i = 0; i < hw; i++) cam[i] += wk * a[i];
  }
  return { map: cam.map((e) => Math.max(0, e)), scored };
}

test('property: Score-CAM = ReLU(Σ_k (f(x ⊙ H_k) − f(0)) A_k) by its definition, raw and softmax scores, constant channels skipped, any batch size', async () => {
  const dims: [number, number, number] = [3, 6, 5];
  await fc.assert(fc.asyncProperty(floats(60, -1, 1), floats(2, -0.5, 0.5), floats(90, -1, 2), fc.integer({ min: 1, max: 5 }), async (v, b, x, bs) => {
    x.fill(0.5, 60, 90); // channel 2 is constant: no spatial information, not scored
    for (const probability of [false, true]) {
      const subject = readoutModel(dims, Float32Array.from({ length: 180 }, (_, i) => v[i % 60] * (i < 90 ? 1 : -0.5)), b, bs);
      const r = await scoreCam(subject, asInput(dims, x), cls0, { layer: 'A', upsample: 'none', score: probability ? 'probability' : 'raw' });
      const want = scoreCamByHand(dims, Float32Array.from({ length: 180 }, (_, i) => v[i % 60] * (i < 90 ? 1 : -0.5)), b, x, probability);
      assert.is(r.params.channelsScored, want.scored);
      assert.is(r.evaluations.forward, 2 + want.scored);
      let scale = 1e-9;
      for (const e of want.map) scale = Math.max(scale, e);
      for (let i = 0; i < 30; i++) assert.ok(Math.abs(r.map.data[i] - want.map[i]) <= 2e-5 * (1 + scale), `${probability} ${i}: ${r.map.data[i]} vs ${want.map[i]}`);
    }
  }), { seed: FC_SEED, numRuns: 15 });
});

test('Score-CAM: increase: false weighs by the plain masked score; a non-class target with score probability is refused', async () => {
  const dims: [number, number, number] = [1, 4, 4];
  const x = Float32Array.from({ length: 16 }, (_, i) => i / 16);
  const subject = readoutModel(dims, new Float32Array(16).fill(1), new Float32Array([2]));
  const inc = await scoreCam(subject, asInput(dims, x), cls0, { layer: 'A', upsample: 'none', score: 'raw' });
  const plain = await scoreCam(subject, asInput(dims, x), cls0, { layer: 'A', upsample: 'none', score: 'raw', increase: false });
  // One channel: f(x ⊙ H) = 2 + Σ x·H, the baseline f(0) = 2; the maps differ by the factor (2 + s)/s.
  let s = 0;
  for (let i = 0; i < 16; i++) s += x[i] * (x[i] / (15 / 16));
  for (let i = 1; i < 16; i++) assert.ok(Math.abs(plain.map.data[i] / inc.map.data[i] - (2 + s) / s) < 1e-5);
  assert.is(inc.params.baselineScore, 2);
  assert.is(plain.params.baselineScore, null);
  let err: unknown;
  try {
    await scoreCam(subject, asInput(dims, x), { kind: 'channel', tensor: 'A', channel: 0 } as never, { layer: 'A', score: 'probability' });
  } catch (e) {
    err = e;
  }
  assert.match(String((err as Error)?.message), /probability" needs a class target/);
});

test.run();
