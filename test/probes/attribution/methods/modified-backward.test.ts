// Guided Backprop, Guided Grad-CAM, DeepLIFT (rescale) and LRP — the modified backward passes —
// against their definitions written out in float64 on dense nets, against the gradient where they
// must agree with it, and their conservation laws as properties on random nets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { additiveModel, biasFreeReluNet, linearModel } from '../groundtruth.ts';
import { mlp, forward64, backward64 } from '../relu-mlp.ts';
import { gradientMethod } from '../../../../src/probes/attribution/methods/gradient.ts';
import { gradientXInput } from '../../../../src/probes/attribution/methods/gradient-x-input.ts';
import { gradCam } from '../../../../src/probes/attribution/methods/grad-cam.ts';
import { guidedBackpropMethod } from '../../../../src/probes/attribution/methods/guided-backprop.ts';
import { guidedGradCam } from '../../../../src/probes/attribution/methods/guided-grad-cam.ts';
import { deepLift } from '../../../../src/probes/attribution/methods/deeplift.ts';
import { lrp, type LrpRow } from '../../../../src/probes/attribution/methods/lrp.ts';
import { isNeurogateError, exitCodeFor } from '../../../../src/errors.ts';
import { makeRng, normal } from '../../../../src/util/rng.ts';
import type { Tensor } from '../../../../src/engine/tensor.ts';
import { FC_SEED } from '../../../seed.ts';

const DIMS: [number, number, number] = [1, 3, 4];
const D = 12;
const input = (data: ArrayLike<number>): Tensor => ({ dims: [1, ...DIMS], data: Float32Array.from(data) });
const cls = (index: number) => ({ kind: 'class' as const, index });
const opts = { seed: FC_SEED, numRuns: 12 };
const draw = (rng: () => number, n: number, s = 1) => Array.from({ length: n }, () => s * normal(rng));
const maxErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
};
const maxAbs = (a: ArrayLike<number>) => Math.max(1e-12, ...Array.from(a, Math.abs));
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

test('Guided Backprop on a ReLU MLP = its definition: at each ReLU, relu(g) where the input was positive', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 2 }), async (seed, k) => {
    const rng = makeRng(seed);
    const m = mlp(DIMS, [7, 5], 3, rng);
    const x = draw(rng, D);
    const { z } = forward64(m, Float32Array.from(x));
    const expected = backward64(m, k, (l, g) => g.map((v, j) => (z[l - 1][j] > 0 ? Math.max(0, v) : 0)));
    const r = await guidedBackpropMethod(m.subject, input(x), cls(k));
    assert.ok(maxErr(r.map.data, expected) < 1e-5 * maxAbs(expected), `guided BP off by ${maxErr(r.map.data, expected)}`);
  }), opts);
});

test('Guided Backprop on models without a ReLU (linear, tanh MLP) = the plain gradient', async () => {
  const rng = makeRng(FC_SEED);
  const w = Float32Array.from(draw(rng, 2 * D)), b = Float32Array.from(draw(rng, 2));
  const x = input(draw(rng, D));
  const lin = linearModel(DIMS, w, b);
  assert.equal(Array.from((await guidedBackpropMethod(lin.subject, x, cls(1))).map.data), Array.from((await gradientMethod(lin.subject, x, cls(1))).map.data));
  const tanh = mlp(DIMS, [6], 2, rng, { activation: 'Tanh' });
  assert.equal(Array.from((await guidedBackpropMethod(tanh.subject, x, cls(0))).map.data), Array.from((await gradientMethod(tanh.subject, x, cls(0))).map.data));
});

test('Guided Grad-CAM = Guided Backprop ⊙ the upsampled, ReLU\'d Grad-CAM map, per channel', async () => {
  const dims: [number, number, number] = [3, 16, 16];
  const net = biasFreeReluNet(dims, 3, makeRng(FC_SEED));
  const rng = makeRng(FC_SEED + 3);
  const x = { dims: [1, ...dims], data: Float32Array.from({ length: 768 }, () => normal(rng)) };
  const t = cls(2);
  const [ggc, gb, cam] = [await guidedGradCam(net.subject, x, t), await guidedBackpropMethod(net.subject, x, t), await gradCam(net.subject, x, t)];
  assert.equal(ggc.map.dims, [3, 16, 16]);
  assert.is(ggc.params.layer, 'r2');
  for (let c = 0; c < 3; c++) for (let i = 0; i < 256; i++) assert.is(ggc.map.data[c * 256 + i], Math.fround(gb.map.data[c * 256 + i] * cam.map.data[i]));
  assert.ok(ggc.map.data.some((v) => v !== 0));
});

test('DeepLIFT-rescale on a one-hidden-layer ReLU net = its definition: (x − x₀) ⊙ W1ᵀ(m ⊙ w2), m = Δrelu(z)/Δz', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 1 }), fc.float({ min: -1, max: 1, noNaN: true }), async (seed, k, base) => {
    const rng = makeRng(seed);
    const m = mlp(DIMS, [9], 2, rng);
    const x = Float32Array.from(draw(rng, D));
    const x0 = new Float32Array(D).fill(base);
    const [fx, f0] = [forward64(m, x), forward64(m, x0)];
    const mult = backward64(m, k, (l, g) => g.map((v, j) => {
      const dz = fx.z[l - 1][j] - f0.z[l - 1][j];
      return v * (Math.abs(dz) > 1e-6 ? (Math.max(0, fx.z[l - 1][j]) - Math.max(0, f0.z[l - 1][j])) / dz : fx.z[l - 1][j] > 0 ? 1 : 0);
    }));
    const expected = mult.map((v, i) => v * (x[i] - x0[i]));
    const r = await deepLift(m.subject, input(x), cls(k), { baseline: base });
    assert.ok(maxErr(r.map.data, expected) < 1e-5 * maxAbs(expected), `DeepLIFT off by ${maxErr(r.map.data, expected)}`);
    assert.equal(r.params.rule, 'rescale');
  }), opts);
});

test('DeepLIFT completeness: Σ attribution = F(x) − F(x₀) on random ReLU nets (dense with biases; conv + max pool + GAP)', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 3 }), fc.float({ min: -1, max: 1, noNaN: true }), async (seed, depth, base) => {
    const rng = makeRng(seed);
    const m = mlp(DIMS, Array.from({ length: depth }, () => 4 + Math.floor(rng() * 6)), 3, rng);
    const r = await deepLift(m.subject, input(draw(rng, D)), cls(seed % 3), { baseline: base });
    const c = r.completeness!;
    assert.ok(Math.abs(c.gap) < 1e-5 * (1 + Math.abs(c.delta) + Math.abs(c.sum)), `dense: Σ ${c.sum} vs Δ ${c.delta}`);
    const dims: [number, number, number] = [2, 8, 8];
    const net = biasFreeReluNet(dims, 3, rng);
    const q = await deepLift(net.subject, { dims: [1, ...dims], data: Float32Array.from(draw(rng, 128)) }, cls(seed % 3), { baseline: base });
    const cq = q.completeness!;
    assert.ok(Math.abs(cq.gap) < 1e-4 * (1 + Math.abs(cq.delta)), `conv: Σ ${cq.sum} vs Δ ${cq.delta}`);
  }), { ...opts, numRuns: 10 });
});

test('DeepLIFT refuses a product of two input-dependent tensors (exit 2, naming the op), instead of a silent gradient', async () => {
  const m = additiveModel(DIMS, new Float32Array(D).fill(1), new Float32Array(D), new Float32Array(D).fill(1));
  try {
    await deepLift(m.subject, input(new Float32Array(D).fill(0.5)), cls(0));
    assert.unreachable('no error');
  } catch (e) {
    assert.ok(isNeurogateError(e), String(e));
    assert.is(exitCodeFor(e), 2);
    assert.match((e as Error).message, /Mul \(node "sq"\)/);
  }
});

test('LRP-ε (ε → 0) = gradient × input: on a linear model with biases, and on bias-free ReLU nets', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
    const rng = makeRng(seed);
    const x = input(draw(rng, D));
    const lin = linearModel(DIMS, Float32Array.from(draw(rng, 2 * D)), Float32Array.from(draw(rng, 2)));
    const deep = mlp(DIMS, [8, 6], 2, rng, { bias: false });
    for (const s of [lin.subject, deep.subject]) {
      const [a, b] = [await lrp(s, x, cls(1), { composite: 'epsilon', rules: [{ rule: 'epsilon', epsilon: 0 }] }), await gradientXInput(s, x, cls(1))];
      assert.ok(maxErr(a.map.data, b.map.data) < 1e-5 * maxAbs(b.map.data), `LRP-ε off by ${maxErr(a.map.data, b.map.data)}`);
    }
  }), opts);
});

// The logit layer keeps LRP-0: z⁺ (and αβ's α share) cannot carry a logit with no positive contribution
// (z⁺ = 0) — the reason composites put ε on dense layers. Below a ReLU, R ≠ 0 implies z⁺ > 0.
test('LRP conservation: relevance sums to F(x) on bias-free ReLU nets (conv, max pool, GAP, dense) for z⁺, αβ and γ on the convolutions', async () => {
  const top: LrpRow = { op: 'Gemm', rule: 'epsilon', epsilon: 0 };
  const conv: LrpRow[] = [{ rule: 'zplus' }, { rule: 'alpha_beta' }, { rule: 'alpha_beta', alpha: 1, beta: 0 }, { rule: 'gamma', gamma: 0.5 }, { rule: 'epsilon', epsilon: 0 }];
  const composites = conv.map((r): LrpRow[] => [top, { ...r, op: 'Conv' }]);
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(...composites), async (seed, rules) => {
    const rng = makeRng(seed);
    const dims: [number, number, number] = [2, 8, 8];
    const net = biasFreeReluNet(dims, 3, rng);
    const r = await lrp(net.subject, { dims: [1, ...dims], data: Float32Array.from(draw(rng, 128)) }, cls(seed % 3), { rules });
    assert.ok(r.map.data.every(Number.isFinite));
    const c = r.completeness!;
    assert.ok(Math.abs(c.gap) < 1e-4 * (1 + Math.abs(c.delta)), `${JSON.stringify(rules)}: Σ ${c.sum} vs F(x) ${c.delta}`);
  }), opts);
});

test('LRP z⁺ on a dense layer = its definition: R_i = Σ_j (x_i w_ij)⁺ / Σ_i′ (x_i′ w_i′j)⁺ · R_j', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
    const rng = makeRng(seed);
    const w = Float32Array.from(draw(rng, 2 * D)), x = Float32Array.from(draw(rng, D));
    const lin = linearModel(DIMS, w, Float32Array.from(draw(rng, 2)));
    const r = await lrp(lin.subject, input(x), cls(0), { rules: [{ rule: 'zplus' }] });
    const z = sum(Array.from(x, (v, i) => v * w[i])) + lin.b[0];
    const zp = sum(Array.from(x, (v, i) => Math.max(0, v * w[i])));
    const expected = Array.from(x, (v, i) => (Math.max(0, v * w[i]) / zp) * z);
    assert.ok(maxErr(r.map.data, expected) < 1e-5 * maxAbs(expected), `z⁺ off by ${maxErr(r.map.data, expected)}`);
  }), opts);
});

test('LRP: a rule row that matches no layer, or αβ with α − β ≠ 1, is refused (exit 2)', async () => {
  const m = mlp(DIMS, [5], 2, makeRng(FC_SEED));
  try {
    await lrp(m.subject, input(new Float32Array(D).fill(1)), cls(0), { rules: [{ layer: 'dense0', rule: 'gamma' }, { layer: 'dense9*', rule: 'zplus' }] });
    assert.unreachable('no error');
  } catch (e) {
    assert.is(exitCodeFor(e), 2);
    assert.match((e as Error).message, /#2 \(zplus "dense9\*"\)/);
  }
  try {
    await lrp(m.subject, input(new Float32Array(D).fill(1)), cls(0), { rules: [{ rule: 'alpha_beta', alpha: 2, beta: 2 }] });
    assert.unreachable('no error');
  } catch (e) {
    assert.is(exitCodeFor(e), 2);
    assert.match((e as Error).message, /α − β = 1/);
  }
  const ok = await lrp(m.subject, input(new Float32Array(D).fill(1)), cls(0), { rules: [{ layer: 'dense*', rule: 'gamma' }] });
  assert.is(ok.params.rules, 'gamma "dense*"');
});

test.run();
