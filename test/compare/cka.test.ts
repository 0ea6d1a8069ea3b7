import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';
import { featuresOf, linearCka, type Features } from '../../src/compare/cka.ts';
import { makeRng } from '../../src/util/rng.ts';

/** n×d features drawn from a seeded Gaussian-ish generator. */
function randomFeatures(n: number, d: number, seed: number): Features {
  const rng = makeRng(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rng() + rng() + rng() - 1.5;
  return { n, dim: d, data };
}

/** A random d×d orthogonal matrix: Gram–Schmidt on a random square matrix. */
function randomOrthogonal(d: number, seed: number): Float64Array {
  const q = randomFeatures(d, d, seed).data as Float64Array;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += q[i * d + k] * q[j * d + k];
      for (let k = 0; k < d; k++) q[i * d + k] -= dot * q[j * d + k];
    }
    let norm = 0;
    for (let k = 0; k < d; k++) norm += q[i * d + k] ** 2;
    norm = Math.sqrt(norm);
    for (let k = 0; k < d; k++) q[i * d + k] /= norm;
  }
  return q;
}

/** X·Q·s + shift: rotated, scaled, translated copy of the features. */
function transform(x: Features, q: Float64Array, scale: number, shift: number): Features {
  const { n, dim } = x;
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += x.data[i * dim + k] * q[k * dim + j];
    out[i * dim + j] = s * scale + shift;
  }
  return { n, dim, data: out };
}

const shape = fc.record({ n: fc.integer({ min: 4, max: 16 }), d: fc.integer({ min: 1, max: 8 }), e: fc.integer({ min: 1, max: 8 }), seed: fc.integer({ min: 1, max: 1e6 }) });

for (const debiased of [false, true]) {
  const name = debiased ? 'debiased CKA' : 'linear CKA';

  test(`${name}: CKA(X, X) = 1 and CKA is symmetric`, () => {
    fc.assert(fc.property(shape, ({ n, d, e, seed }) => {
      const x = randomFeatures(n, d, seed);
      const y = randomFeatures(n, e, seed + 1);
      assert.ok(Math.abs(linearCka(x, x, { debiased }) - 1) < 1e-9);
      const xy = linearCka(x, y, { debiased });
      const yx = linearCka(y, x, { debiased });
      assert.ok(Math.abs(xy - yx) < 1e-12, `${xy} vs ${yx}`);
      if (!debiased) assert.ok(xy >= -1e-12 && xy <= 1 + 1e-9, `biased CKA ${xy} outside [0, 1]`);
    }), { seed: FC_SEED, numRuns: 100 });
  });

  test(`${name}: invariant to orthogonal transforms, isotropic scaling and translation of either side`, () => {
    fc.assert(fc.property(shape, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true }), ({ n, d, e, seed }, scale, shift) => {
      const x = randomFeatures(n, d, seed);
      const y = randomFeatures(n, e, seed + 1);
      const before = linearCka(x, y, { debiased });
      const after = linearCka(transform(x, randomOrthogonal(d, seed + 2), scale, shift * scale), y, { debiased });
      assert.ok(Math.abs(before - after) < 1e-8, `${before} vs ${after}`);
    }), { seed: FC_SEED, numRuns: 100 });
  });
}

test('linear CKA of one feature each is the squared Pearson correlation', () => {
  fc.assert(fc.property(fc.integer({ min: 3, max: 30 }), fc.integer({ min: 1, max: 1e6 }), (n, seed) => {
    const x = randomFeatures(n, 1, seed).data;
    const y = randomFeatures(n, 1, seed + 7).data;
    const mean = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0) / n;
    const mx = mean(x);
    const my = mean(y);
    let sxy = 0, sxx = 0, syy = 0;
    for (let i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; syy += (y[i] - my) ** 2; }
    const r2 = (sxy * sxy) / (sxx * syy);
    assert.ok(Math.abs(linearCka({ n, dim: 1, data: x }, { n, dim: 1, data: y }) - r2) < 1e-9);
  }), { seed: FC_SEED, numRuns: 100 });
});

test('the debiased estimator stays near 0 for independent wide representations where the biased one does not', () => {
  // Few inputs, many features: biased CKA of unrelated data is far from 0 (Kornblith et al. 2019).
  // Averaged over 20 draws: the debiased estimate is unbiased, so its mean sits near 0.
  let biased = 0;
  let debiased = 0;
  for (let s = 0; s < 20; s++) {
    const x = randomFeatures(10, 400, 100 + 2 * s);
    const y = randomFeatures(10, 400, 101 + 2 * s);
    biased += linearCka(x, y) / 20;
    debiased += linearCka(x, y, { debiased: true }) / 20;
  }
  assert.ok(biased > 0.5, `biased ${biased}`);
  assert.ok(Math.abs(debiased) < 0.05, `debiased ${debiased}`);
});

test('a representation with no variance has no CKA (NaN), and bad input is refused', () => {
  const flat = { n: 5, dim: 3, data: new Float32Array(15).fill(2) };
  assert.ok(Number.isNaN(linearCka(flat, randomFeatures(5, 3, 1))));
  assert.throws(() => linearCka(randomFeatures(5, 3, 1), randomFeatures(6, 3, 1)), /same inputs/);
  assert.throws(() => linearCka(randomFeatures(3, 3, 1), randomFeatures(3, 3, 2), { debiased: true }), /at least 4/);
  const bad = randomFeatures(5, 3, 1);
  bad.data[4] = NaN;
  assert.throws(() => linearCka(bad, randomFeatures(5, 3, 2)), /not finite/);
  assert.equal(featuresOf([2, 3, 2], new Float32Array(12)).dim, 6);
});

test.run();
