// Linearity and dummy input on closed-form models. Linear model: the gradient of a·f_i + b·f_j is
// a·w_i + b·w_j, so the appended logit's map is the weighted sum of the two maps to round-off; Grad-CAM
// without its ReLU is linear in the target too, with it (and opposite weights) it is not. Dummy
// input: the bordered network crops its border before the first layer, so its score is the
// original's bit for bit and every gradient method gives the border exactly nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { combinedSubject, linearity, runnerUp, LINEARITY_DEFAULTS } from '../../../../../src/probes/attribution/metrics/axiomatic/linearity.ts';
import { borderedInput, borderedSubject, borderShare, dummyInput } from '../../../../../src/probes/attribution/metrics/axiomatic/dummy.ts';
import { gradientMethod } from '../../../../../src/probes/attribution/methods/gradient.ts';
import { gradientXInput } from '../../../../../src/probes/attribution/methods/gradient-x-input.ts';
import { integratedGradients } from '../../../../../src/probes/attribution/methods/integrated-gradients.ts';
import { gradCam } from '../../../../../src/probes/attribution/methods/grad-cam.ts';
import { scoreOne } from '../../../../../src/probes/attribution/forward.ts';
import type { Subject, Target } from '../../../../../src/probes/attribution/types.ts';
import type { Tensor } from '../../../../../src/engine/tensor.ts';
import { biasFreeReluNet, linearModel } from '../../groundtruth.ts';
import { makeRng, normal } from '../../../../../src/util/rng.ts';

const dims: [number, number, number] = [2, 8, 8];
const D = 128;
const K = 3;

function image(seed: number, d = dims): Tensor {
  const rng = makeRng(seed);
  return { dims: [1, ...d], data: Float32Array.from({ length: d[0] * d[1] * d[2] }, () => normal(rng)) };
}

function linearCase(seed: number) {
  const rng = makeRng(seed);
  return linearModel(dims, Float32Array.from({ length: K * D }, () => normal(rng)), Float32Array.from({ length: K }, () => normal(rng)));
}

const cls = (index: number): Target => ({ kind: 'class', index });

async function rejects(p: () => Promise<unknown>, message: RegExp): Promise<void> {
  const outcome = await p().then(() => undefined, (err: Error) => err);
  assert.ok(outcome, 'expected a rejection');
  assert.match(outcome.message, message);
}

test('the appended logit is a·logit_i + b·logit_j, and the model’s own logits are unchanged', async () => {
  const m = linearCase(3);
  const x = image(4);
  const sum = combinedSubject(m.subject, K, 0, 2, 0.5, -2);
  const [f0, f2, fs, f1] = await Promise.all([scoreOne(m.subject, cls(0), x), scoreOne(m.subject, cls(2), x), scoreOne(sum, cls(K), x), scoreOne(sum, cls(1), x)]);
  assert.ok(Math.abs(fs.score - (0.5 * f0.score - 2 * f2.score)) < 1e-5 * (1 + Math.abs(fs.score)), `${fs.score}`);
  assert.is(f1.score, (await scoreOne(m.subject, cls(1), x)).score);
});

test('linearity on a linear model: the gradient’s map of a·f_i + b·f_j is a·w_i + b·w_j (round-off only)', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 }), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), async (seed, a, b) => {
    fc.pre(Math.abs(a) + Math.abs(b) > 0.1);
    const m = linearCase(seed);
    const x = image(seed + 1);
    const explain = (s: Subject, input: Tensor, t: Target = cls(1)) => gradientMethod(s, input, t);
    const map = (await explain(m.subject, x)).map;
    for (let k = 0; k < D; k++) assert.ok(Math.abs(map.data[k] - m.w[D + k]) < 1e-6);
    const r = await linearity(m.subject, x, cls(1), map, explain, { weights: [a, b] });
    assert.ok(r.error < 1e-5, `error ${r.error}`);
    assert.ok(r.scoreChange < 1e-4, `score change ${r.scoreChange}`);
    assert.ok(r.other !== 1);
  }), { numRuns: 6 });
});

test('linearity on a ReLU network: gradient × input and IG hold it; Grad-CAM holds it without its ReLU, not with it', async () => {
  const net = biasFreeReluNet(dims, K, makeRng(21));
  const x = image(22);
  const at = async (method: (s: Subject, x: Tensor, t: Target) => Promise<{ map: Tensor }>, weights: [number, number]) => {
    const explain = (s: Subject, input: Tensor, t: Target = cls(0)) => method(s, input, t) as never;
    return linearity(net.subject, x, cls(0), (await method(net.subject, x, cls(0))).map, explain, { weights, other: 1 });
  };
  assert.ok((await at(gradientXInput, [1, 1])).error < 1e-5);
  assert.ok((await at((s, i, t) => integratedGradients(s, i, t, { steps: 16 }), [2, -1])).error < 1e-5);
  const camLinear = await at((s, i, t) => gradCam(s, i, t, { layer: 'r2', relu: false }), [1, -1]);
  assert.ok(camLinear.error < 1e-5, `no ReLU: ${camLinear.error}`);
  const cam = await at((s, i, t) => gradCam(s, i, t, { layer: 'r2' }), [1, -1]);
  assert.ok(cam.error > 0.05, `the ReLU on the map breaks linearity: ${cam.error}`);
});

test('linearity: the runner-up is the best other class; a class that cannot be combined is a clear error', async () => {
  fc.assert(fc.property(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 2, maxLength: 20 }), fc.nat(), (logits, k) => {
    const i = k % logits.length;
    const j = runnerUp(logits, i);
    assert.ok(j !== i && j >= 0);
    for (let c = 0; c < logits.length; c++) if (c !== i) assert.ok(logits[j] >= logits[c]);
  }));
  const m = linearCase(5);
  const x = image(6);
  const explain = (s: Subject, input: Tensor, t: Target = cls(0)) => gradientMethod(s, input, t);
  const map = (await explain(m.subject, x)).map;
  await rejects(() => linearity(m.subject, x, cls(0), map, explain, { ...LINEARITY_DEFAULTS, other: 0 }), /cannot be combined/);
  await rejects(() => linearity(m.subject, x, cls(0), map, explain, { ...LINEARITY_DEFAULTS, other: K }), /cannot be combined/);
  await rejects(() => linearity(m.subject, x, { kind: 'contrastive', index: 0 }, map, explain, LINEARITY_DEFAULTS), /explains a contrastive target/);
});

test('dummy input: the bordered input holds the image inside seeded noise; the same seed, the same border', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 5 }), (seed, border) => {
    const x = image(seed, [3, 5, 7]);
    const b = borderedInput(x, border, makeRng(seed));
    assert.equal(b.dims, [1, 3, 5 + 2 * border, 7 + 2 * border]);
    const Wp = 7 + 2 * border;
    const Hp = 5 + 2 * border;
    for (let c = 0; c < 3; c++) for (let y = 0; y < 5; y++) for (let xx = 0; xx < 7; xx++) assert.is(b.data[(c * Hp + y + border) * Wp + xx + border], x.data[(c * 5 + y) * 7 + xx]);
    assert.equal(borderedInput(x, border, makeRng(seed)).data, b.data);
    assert.not.equal(borderedInput(x, border, makeRng(seed + 1)).data, b.data);
  }), { numRuns: 20 });
});

test('dummy input: border share of a uniform map is the border’s share of pixels; 0 for a map that is 0', () => {
  assert.is(borderShare({ dims: [4, 4], data: new Float32Array(16).fill(-2) }, 1), 12 / 16);
  assert.is(borderShare({ dims: [4, 4], data: new Float32Array(16) }, 1), 0);
  const inner = new Float32Array(16);
  inner[5] = 3;
  assert.is(borderShare({ dims: [4, 4], data: inner }, 1), 0);
});

test('dummy input on a ReLU network: the same score bit for bit, and no gradient method credits the border', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 4 }), async (seed, border) => {
    const net = biasFreeReluNet(dims, K, makeRng(seed));
    const x = image(seed + 1);
    for (const method of [gradientMethod, gradientXInput, (s: Subject, i: Tensor, t: Target) => integratedGradients(s, i, t, { steps: 8 })]) {
      const r = await dummyInput(net.subject, x, cls(2), (s, i, t = cls(2)) => method(s, i, t), border, makeRng(seed));
      assert.is(r.share, 0);
      assert.is(r.scoreChange, 0);
      assert.is(r.area, 1 - 64 / (8 + 2 * border) ** 2);
    }
  }), { numRuns: 4 });
});

test('dummy input: Grad-CAM, upsampled over the whole bordered input, puts mass on the border the model never reads', async () => {
  const net = biasFreeReluNet(dims, K, makeRng(31));
  const x = image(32);
  const r = await dummyInput(net.subject, x, cls(0), (s, i, t = cls(0)) => gradCam(s, i, t, { layer: 'r2', relu: false }), 4, makeRng(1));
  assert.ok(r.share > 0.1, `share ${r.share}`);
  assert.is(r.scoreChange, 0);
});

test('dummy input: a model whose input is not a graph input is refused with a clear error', () => {
  const m = linearCase(1);
  assert.throws(() => borderedSubject({ ...m.subject, input: 'nope' }, 2), /no graph input "nope"/);
});

test.run();
