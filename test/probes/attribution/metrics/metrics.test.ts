// Metrics with known answers: rank correlation, total variation, pointing distance, deletion curves
// on linear models (greedy order is optimal), infidelity 0 for exact linear attributions,
// max-sensitivity 0 for constant gradients, input invariance of the gradient but not of
// gradient × input, and model randomisation separating a model-dependent map from an edge map.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import path from 'node:path';
import { spearman, ranks } from '../../../../src/probes/attribution/metrics/spearman.ts';
import { totalVariation, maskArea, completenessGap, argmax2d } from '../../../../src/probes/attribution/metrics/simple.ts';
import { distanceTo, pointingAccuracy, pointingHit } from '../../../../src/probes/attribution/metrics/localisation/pointing.ts';
import { perturbationCurve, randomMap } from '../../../../src/probes/attribution/metrics/faithfulness/deletion.ts';
import { infidelity, maxSensitivity } from '../../../../src/probes/attribution/metrics/robustness/robustness.ts';
import { inputInvariance } from '../../../../src/probes/attribution/metrics/axiomatic/invariance.ts';
import { modelRandomization, layersTopDown } from '../../../../src/probes/attribution/metrics/randomisation/randomization.ts';
import { topFractionMask, randomMasks } from '../../../../src/probes/attribution/metrics/faithfulness/preservation.ts';
import { linearModel, biasFreeReluNet } from '../groundtruth.ts';
import { gradientMethod } from '../../../../src/probes/attribution/methods/gradient.ts';
import { gradientXInput } from '../../../../src/probes/attribution/methods/gradient-x-input.ts';
import { subjectOf } from '../../../../src/probes/attribution/subject.ts';
import type { Attribution } from '../../../../src/probes/attribution/types.ts';
import { importOnnxFile } from '../../../../src/models/onnx-file.ts';
import { readImage, toModelInput } from '../../../../src/stimuli/image.ts';
import { makeRng, normal } from '../../../../src/util/rng.ts';
import { FC_SEED } from '../../../seed.ts';

const opts = { seed: FC_SEED, numRuns: 30 };
const DIMS: [number, number, number] = [2, 6, 5];
const D = 60;
const floats = (n: number, lo = -2, hi = 2) => fc.array(fc.float({ min: lo, max: hi, noNaN: true }), { minLength: n, maxLength: n }).map((a) => Float32Array.from(a));

test('spearman: 1 under monotone maps, −1 reversed, ties get average ranks', () => {
  fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 3, maxLength: 50 }), (a) => {
    assert.ok(Math.abs(spearman(a, a.map((v) => v ** 3 + 7 * v)) - 1) < 1e-12);
    assert.ok(Math.abs(spearman(a, a.map((v) => -v)) + 1) < 1e-12);
  }), opts);
  assert.equal(Array.from(ranks([5, 1, 5, 3])), [3.5, 1, 3.5, 2]);
  assert.is(spearman([1, 1, 1], [1, 2, 3]), 0);
});

test('total variation: 0 for constant maps, 1 for a checkerboard, invariant to affine rescaling', () => {
  assert.is(totalVariation({ dims: [4, 4], data: new Float32Array(16).fill(3) }), 0);
  const cb = Float32Array.from({ length: 36 }, (_, i) => ((Math.floor(i / 6) + (i % 6)) % 2));
  assert.ok(Math.abs(totalVariation({ dims: [6, 6], data: cb }) - 1) < 1e-12);
  fc.assert(fc.property(floats(30), fc.double({ min: 0.1, max: 10, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), (m, s, o) => {
    const a = totalVariation({ dims: [5, 6], data: m });
    const b = totalVariation({ dims: [5, 6], data: m.map((v) => v * s + o) });
    assert.ok(Math.abs(a - b) < 1e-4);
  }), opts);
});

test('pointing: distance to a box is 0 inside, Euclidean outside; to a mask, the nearest pixel; accuracy is the mean over classes', () => {
  assert.is(distanceTo(5, 5, { box: [2, 2, 8, 8] }), 0);
  assert.is(distanceTo(0, 12, { box: [2, 2, 8, 8] }), Math.hypot(2, 4));
  const mask = new Float32Array(100);
  mask[3 * 10 + 7] = 1;
  assert.is(distanceTo(0, 3, { mask: { dims: [10, 10], data: mask } }), 5);
  const map = new Float32Array(100);
  map[3 * 10 + 9] = 2;
  assert.equal(argmax2d({ dims: [10, 10], data: map }), [3, 9]);
  assert.ok(pointingHit({ dims: [10, 10], data: map }, { mask: { dims: [10, 10], data: mask } }, { tolerance: 2 }).hit);
  assert.not.ok(pointingHit({ dims: [10, 10], data: map }, { mask: { dims: [10, 10], data: mask } }, { tolerance: 1.5 }).hit);
  const acc = pointingAccuracy([{ label: 'a', hit: true }, { label: 'a', hit: true }, { label: 'a', hit: true }, { label: 'b', hit: false }]);
  assert.is(acc.accuracy, 0.5);
  assert.is(acc.hitRate, 0.75);
});

test('top-fraction and random masks have exactly the requested area', () => {
  fc.assert(fc.property(floats(400), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (m, a) => {
    const mask = topFractionMask({ dims: [20, 20], data: m }, a);
    assert.is(mask.data.reduce((s, v) => s + v, 0), Math.round(a * 400));
  }), opts);
  for (const mk of randomMasks(32, 24, 0.15, 5, makeRng(FC_SEED))) assert.ok(Math.abs(maskArea(mk) - Math.round(0.15 * 768) / 768) < 1e-9);
});

test('deletion on a linear model with positive weights: the gradient × input order is never worse than a random order', async () => {
  await fc.assert(fc.asyncProperty(floats(D, 0, 1), floats(D, 0, 2), fc.integer(), async (w, x, seed) => {
    const m = linearModel(DIMS, w, new Float32Array([0]));
    const input = { dims: [1, ...DIMS], data: x };
    const gxi = await gradientXInput(m.subject, input, { kind: 'class', index: 0 });
    const best = await perturbationCurve(m.subject, input, { kind: 'class', index: 0 }, gxi.map, 'deletion', { steps: 10, score: 'raw' });
    const rnd = await perturbationCurve(m.subject, input, { kind: 'class', index: 0 }, randomMap(6, 5, makeRng(seed)), 'deletion', { steps: 10, score: 'raw' });
    assert.ok(best.auc <= rnd.auc + 1e-4, `gxi ${best.auc} vs random ${rnd.auc}`);
    assert.is(best.y.length, 11);
    assert.ok(Math.abs(best.y[0] - gxi.score) < 1e-4 && Math.abs(best.y[10]) < 1e-4);
  }), { ...opts, numRuns: 8 });
});

test('infidelity is 0 for the exact attribution of a linear model (its gradient), > 0 for a wrong one', async () => {
  await fc.assert(fc.asyncProperty(floats(D), floats(D), async (w, x) => {
    const m = linearModel(DIMS, w, new Float32Array([0.3]));
    const input = { dims: [1, ...DIMS], data: x };
    const g = await gradientMethod(m.subject, input, { kind: 'class', index: 0 });
    const exact = await infidelity(m.subject, input, { kind: 'class', index: 0 }, g.map, { noise: 0.1, samples: 6 });
    assert.ok(exact.value < 1e-8, `infidelity ${exact.value}`);
    const wrong = await infidelity(m.subject, input, { kind: 'class', index: 0 }, { dims: g.map.dims, data: g.map.data.map((v) => -v) }, { noise: 0.1, samples: 6 });
    assert.ok(wrong.value > exact.value);
  }), { ...opts, numRuns: 5 });
});

test('max-sensitivity: 0 for the constant gradient of a linear model, > 0 on a ReLU network', async () => {
  const rng = makeRng(FC_SEED);
  const w = Float32Array.from({ length: D }, () => normal(rng));
  const x = { dims: [1, ...DIMS], data: Float32Array.from({ length: D }, () => normal(rng)) };
  const lin = linearModel(DIMS, w, new Float32Array([0]));
  const s0 = await maxSensitivity(lin.subject, x, (s, xx) => gradientMethod(s, xx, { kind: 'class', index: 0 }), { samples: 4, seed: 1 });
  assert.is(s0.max, 0);
  const net = biasFreeReluNet(DIMS, 2, makeRng(3));
  const s1 = await maxSensitivity(net.subject, x, (s, xx) => gradientMethod(s, xx, { kind: 'class', index: 0 }), { samples: 4, seed: 1, radius: 0.5 });
  assert.ok(s1.max > 0 && s1.relative > 0);
});

test('completeness gap: Σa − (F(x) − F(x′))', () => {
  assert.is(completenessGap({ dims: [2], data: new Float32Array([1, 2]) }, 5, 1), -1);
});

const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'fixtures', 'shapes_cnn');
const shapes = importOnnxFile(path.join(dir, 'shapes_cnn.onnx'));
const shapesSubject = subjectOf(shapes);
const disk = toModelInput(readImage(path.join(dir, 'shape_0_disk.png')), shapes.preprocess);

test('input invariance on shapes_cnn: the shifted model matches; the gradient is invariant, gradient × input is not', async () => {
  const t = { kind: 'class' as const, index: 0 };
  const g = await inputInvariance(shapesSubject, disk, t, (s, x) => gradientMethod(s, x, t), 0.3);
  assert.ok(g.scoreChange < 1e-3, `the shifted model changes the score by ${g.scoreChange}`);
  assert.ok(g.mapChange < 1e-3, `gradient changed by ${g.mapChange}`);
  const gx = await inputInvariance(shapesSubject, disk, t, (s, x) => gradientXInput(s, x, t), 0.3);
  assert.ok(gx.mapChange > 0.1, `gradient × input changed only by ${gx.mapChange}`);
});

test('model randomisation on shapes_cnn: the gradient decorrelates, a model-independent map (the input) does not', async () => {
  const t = { kind: 'class' as const, index: 0 };
  const layers = layersTopDown(shapesSubject, t);
  assert.ok(layers.length >= 7, `${layers.length} weighted layers`);
  assert.ok(layers[0].weights.length >= 1);
  const grad = await modelRandomization(shapesSubject, disk, t, (s, x) => gradientMethod(s, x, t), { steps: 3, seed: 5 });
  assert.is(grad.points.length, 3);
  assert.is(grad.points[2].layers, layers.length);
  assert.ok(grad.points[2].spearman < 0.5, `final ρ ${grad.points[2].spearman}`);
  const edge = await modelRandomization(shapesSubject, disk, t, async (s, x) => ({ method: 'gradient', target: t, map: { dims: [3, 224, 224], data: x.data }, params: {}, score: 0, evaluations: { forward: 0, backward: 0 } }) as Attribution, { steps: 2, seed: 5 });
  for (const p of edge.points) assert.ok(Math.abs(p.spearman - 1) < 1e-12);
});

test.run();
