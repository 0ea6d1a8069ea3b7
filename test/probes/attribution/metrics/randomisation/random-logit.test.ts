// The random-logit test and independent randomisation on closed-form models. On a linear model the
// gradient of class k is the weight row w_k, so the random-logit similarity is Spearman ρ of |w_t|
// and |w_other| exactly, and 1 when every class's row is a multiple of the target's. One weighted
// layer re-drawn alone is the one-step cascade; a model-independent map (the input) never moves.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { otherClass, randomLogit } from '../../../../../src/probes/attribution/metrics/randomisation/random-logit.ts';
import { independentRandomization, modelRandomization } from '../../../../../src/probes/attribution/metrics/randomisation/randomization.ts';
import { spearman } from '../../../../../src/probes/attribution/metrics/spearman.ts';
import { gradientMethod } from '../../../../../src/probes/attribution/methods/gradient.ts';
import type { Attribution, Subject, Target } from '../../../../../src/probes/attribution/types.ts';
import type { Tensor } from '../../../../../src/engine/tensor.ts';
import { biasFreeReluNet, linearModel } from '../../groundtruth.ts';
import { makeRng, normal } from '../../../../../src/util/rng.ts';
import { FC_SEED } from '../../../../seed.ts';

const DIMS: [number, number, number] = [2, 4, 5];
const D = 40;
const cls = (index: number): Target => ({ kind: 'class', index });
const gradientOf = (t: Target) => (s: Subject, x: Tensor, other?: Target) => gradientMethod(s, x, other ?? t);

test('property: the other class is never the target, always a class, and every other class is drawn', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 50 }), fc.nat(), (classes, i) => {
    const index = i % classes;
    const seen = new Set<number>();
    for (let k = 0; k < 400; k++) {
      const o = otherClass(index, classes, k / 400);
      assert.ok(o !== index && o >= 0 && o < classes && Number.isInteger(o));
      seen.add(o);
    }
    assert.is(seen.size, classes - 1);
  }), { seed: FC_SEED, numRuns: 50 });
});

test('property: linear model — random-logit similarity is ρ(Σ_c |w_t|, Σ_c |w_other|); 1 when the rows are multiples', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 0, max: 2 ** 31 }), async (wSeed, seed) => {
    const rng = makeRng(wSeed);
    const w = Float32Array.from({ length: 3 * D }, () => normal(rng));
    const x = { dims: [1, ...DIMS], data: Float32Array.from({ length: D }, () => normal(rng)) };
    const { subject } = linearModel(DIMS, w, new Float32Array(3));
    const a = await gradientMethod(subject, x, cls(1));
    const r = await randomLogit(subject, x, cls(1), a.map, gradientOf(cls(1)), seed);
    if ('refused' in r) return assert.unreachable(r.refused);
    assert.ok(r.other === 0 || r.other === 2);
    // |a| summed over the two channels, as the test ranks it.
    const row = (k: number) => Float64Array.from({ length: D / 2 }, (_, p) => Math.abs(w[k * D + p]) + Math.abs(w[k * D + D / 2 + p]));
    assert.ok(Math.abs(r.similarity - spearman(row(1), row(r.other))) < 1e-12, `${r.similarity}`);
    // Every row a multiple of row 0: whatever class is drawn, |a| ranks the pixels the same way.
    const blind = Float32Array.from({ length: 3 * D }, (_, i) => [1, -3, 0.5][Math.floor(i / D)] * w[i % D]);
    const m = linearModel(DIMS, blind, new Float32Array(3));
    const b = await gradientMethod(m.subject, x, cls(0));
    const rb = await randomLogit(m.subject, x, cls(0), b.map, gradientOf(cls(0)), seed);
    if ('refused' in rb) return assert.unreachable(rb.refused);
    assert.ok(Math.abs(rb.similarity - 1) < 1e-12, `blind ${rb.similarity}`);
  }), { seed: FC_SEED, numRuns: 8 });
});

test('random logit is refused for a target that is not a class, and for a one-class model', async () => {
  const rng = makeRng(2);
  const x = { dims: [1, ...DIMS], data: Float32Array.from({ length: D }, () => normal(rng)) };
  const net = biasFreeReluNet(DIMS, 3, makeRng(4));
  const unit: Target = { kind: 'channel', tensor: 'r2', channel: 0 };
  const r = await randomLogit(net.subject, x, unit, { dims: [4, 5], data: new Float32Array(20) }, gradientOf(unit), 1);
  assert.ok('refused' in r && /channel/.test(r.refused));
  const one = linearModel(DIMS, Float32Array.from({ length: D }, () => normal(rng)), new Float32Array(1));
  const r1 = await randomLogit(one.subject, x, cls(0), { dims: [4, 5], data: new Float32Array(20) }, gradientOf(cls(0)), 1);
  assert.ok('refused' in r1 && /1 class/.test(r1.refused));
});

test('independent randomisation: one layer alone equals the one-step cascade; layers picked from the top; the input map never moves', async () => {
  const rng = makeRng(6);
  const x = { dims: [1, ...DIMS], data: Float32Array.from({ length: D }, () => normal(rng)) };
  const lin = linearModel(DIMS, Float32Array.from({ length: 2 * D }, () => normal(rng)), new Float32Array(2));
  const ind = await independentRandomization(lin.subject, x, cls(0), gradientOf(cls(0)), 4, 11);
  const cas = await modelRandomization(lin.subject, x, cls(0), gradientOf(cls(0)), { steps: 1, seed: 11 });
  assert.is(ind.points.length, 1);
  assert.is(ind.points[0].spearman, cas.points[0].spearman);
  assert.ok(ind.points[0].spearman < 1);
  const net = biasFreeReluNet(DIMS, 2, makeRng(8));
  const all = await independentRandomization(net.subject, x, cls(0), gradientOf(cls(0)), 3, 5);
  assert.equal(all.points.map((p) => p.layers), [1, 2, 3]);
  const two = await independentRandomization(net.subject, x, cls(0), gradientOf(cls(0)), 2, 5);
  assert.equal(two.points.map((p) => p.layers), [1, 3]);
  // The same seed draws the same weights: the top and bottom points agree with the full run.
  assert.equal(two.points.map((p) => p.spearman), [all.points[0].spearman, all.points[2].spearman]);
  const inputMap = async (_s: Subject, xx: Tensor) => ({ method: 'gradient', target: cls(0), map: { dims: [...DIMS], data: xx.data }, params: {}, score: 0, evaluations: { forward: 0, backward: 0 } }) as Attribution;
  for (const p of (await independentRandomization(net.subject, x, cls(0), inputMap, 3, 5)).points) assert.is(p.spearman, 1);
});

test.run();
