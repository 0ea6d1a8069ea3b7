// eMPRT in closed form: the histogram entropy is 0 for a constant map and ln k for values spread
// evenly over k of the bins; a map that does not depend on the model rises by 0; a planted method
// whose map has two equal levels on the trained model and four on the randomised one rises by
// (ln 4 − ln 2) / ln 2 = 1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { discreteEntropy, efficientRandomization } from '../../../../../src/probes/attribution/metrics/randomisation/efficient.ts';
import type { Attribution, Subject } from '../../../../../src/probes/attribution/types.ts';
import type { Tensor } from '../../../../../src/engine/tensor.ts';
import { biasFreeReluNet } from '../../groundtruth.ts';
import { makeRng, normal } from '../../../../../src/util/rng.ts';
import { FC_SEED } from '../../../../seed.ts';

test('property: discrete entropy — 0 for a constant, ln k for k equally filled levels spanning the range', () => {
  assert.is(discreteEntropy(new Float32Array(50).fill(3), 100), 0);
  fc.assert(fc.property(fc.integer({ min: 2, max: 20 }), fc.integer({ min: 1, max: 30 }), fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 0.1, max: 10, noNaN: true }), (k, per, lo, span) => {
    // Level j at lo + j·span/(k − 1): with k bins each level lands in its own bin (the last one closed).
    const v = Array.from({ length: k * per }, (_, i) => lo + ((i % k) * span) / (k - 1));
    assert.ok(Math.abs(discreteEntropy(v, k) - Math.log(k)) < 1e-9);
  }), { seed: FC_SEED, numRuns: 40 });
});

test('eMPRT: a model-independent map rises by 0; a planted two-level → four-level map by exactly 1', async () => {
  const dims: [number, number, number] = [1, 6, 6];
  const rng = makeRng(4);
  const x = { dims: [1, ...dims], data: Float32Array.from({ length: 36 }, () => normal(rng)) };
  const net = biasFreeReluNet(dims, 2, makeRng(2));
  const t = { kind: 'class' as const, index: 0 };
  const attribution = (data: Float32Array) => ({ method: 'planted', target: t, map: { dims: [6, 6], data }, params: {}, score: 0, evaluations: { forward: 0, backward: 0 } }) as Attribution;
  const input = await efficientRandomization(net.subject, x, t, async (_s: Subject, xx: Tensor) => attribution(xx.data), 100, 7);
  assert.is(input.value, 0);
  // The planted method tells the trained model from the randomised one by the net's name, as a method reading the weights would by its map.
  const planted = async (s: Subject) => attribution(Float32Array.from({ length: 36 }, (_, i) => (s.net.where.includes('randomised') ? i % 4 : i % 2)));
  const r = await efficientRandomization(net.subject, x, t, planted, 4, 7);
  assert.ok(Math.abs(r.original - Math.log(2)) < 1e-12 && Math.abs(r.randomised - Math.log(4)) < 1e-12);
  assert.ok(Math.abs((r.value ?? NaN) - 1) < 1e-12);
  const constant = await efficientRandomization(net.subject, x, t, async () => attribution(new Float32Array(36)), 10, 7);
  assert.is(constant.value, null);
});

test.run();
