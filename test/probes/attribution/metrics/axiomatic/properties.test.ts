// The user-runnable properties on closed-form models. Sensitivity-n: on a linear model the drop
// when S is zeroed is exactly Σ_S w·x, so gradient × input (zero baseline) correlates 1 at every n,
// while the plain gradient (w, blind to x) does not. Implementation invariance: a re-exported copy
// is the same network, so the map is bit-identical; a model with no Conv has no channel permutation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { sensitivityN } from '../../../../../src/probes/attribution/metrics/faithfulness/sensitivity-n.ts';
import { implementationInvariance, mutantSubject, relativeMaxChange } from '../../../../../src/probes/attribution/metrics/axiomatic/implementation.ts';
import { gradientXInput } from '../../../../../src/probes/attribution/methods/gradient-x-input.ts';
import { gradientMethod } from '../../../../../src/probes/attribution/methods/gradient.ts';
import { linearModel } from '../../groundtruth.ts';
import { makeRng, normal } from '../../../../../src/util/rng.ts';

const dims: [number, number, number] = [2, 6, 6];
const D = 72;
const t = { kind: 'class' as const, index: 1 };
const o = { fractions: [0.05, 0.3, 0.7], samples: 12, baseline: 0 };

function linearCase(seed: number) {
  const rng = makeRng(seed);
  const m = linearModel(dims, Float32Array.from({ length: 2 * D }, () => normal(rng)), Float32Array.from([0.3, -0.7]));
  const input = { dims: [1, ...dims], data: Float32Array.from({ length: D }, () => normal(rng)) };
  return { m, input };
}

test('sensitivity-n on a linear model: gradient × input correlates 1 at every n; the gradient does not', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 }), async (seed) => {
    const { m, input } = linearCase(seed);
    const gxi = await gradientXInput(m.subject, input, t);
    const r = await sensitivityN(m.subject, input, t, gxi.map, o, seed);
    assert.is(r.byN.length, 3);
    for (const v of r.byN) assert.ok(v > 1 - 1e-5, `ρ ${v}`);
    const g = await gradientMethod(m.subject, input, t);
    const rg = await sensitivityN(m.subject, input, t, g.map, o, seed);
    assert.ok(rg.min < 0.99, `the gradient ignores x, ρ ${rg.min}`);
  }), { numRuns: 4 });
});

test('sensitivity-n: the same seed draws the same subsets; a baseline the model does not zero against breaks it', async () => {
  const { m, input } = linearCase(5);
  const gxi = await gradientXInput(m.subject, input, t);
  assert.equal(await sensitivityN(m.subject, input, t, gxi.map, o, 9), await sensitivityN(m.subject, input, t, gxi.map, o, 9));
  const shifted = await sensitivityN(m.subject, input, t, gxi.map, { ...o, baseline: 2 }, 9);
  assert.ok(shifted.min < 0.99, `ρ ${shifted.min}`);
});

test('implementation invariance: a re-exported copy gives the identical map and score', async () => {
  const { m, input } = linearCase(7);
  const a = await gradientXInput(m.subject, input, t);
  const other = mutantSubject(m.subject, 'reexport', 1);
  assert.is.not(other.net.hash, m.subject.net.hash);
  const r = await implementationInvariance(m.subject, other, input, t, a.map, (s, x) => gradientXInput(s, x, t));
  assert.equal(r, { mapChange: 0, scoreChange: 0 });
});

test('implementation invariance: a model without a Conv has no channel permutation (a clear error)', () => {
  const { m } = linearCase(7);
  assert.throws(() => mutantSubject(m.subject, 'permute-channels', 1), /no Conv output can be permuted/);
});

test('relative change: max |b − a| ÷ max |a|, the raw difference when a is 0', () => {
  assert.is(relativeMaxChange([1, -4, 2], [1, -3, 2.5]), 0.25);
  assert.is(relativeMaxChange([0, 0], [0, 0.5]), 0.5);
});

test.run();
