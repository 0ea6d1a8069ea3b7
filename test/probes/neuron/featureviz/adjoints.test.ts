// Every linear piece of the feature-visualization pipeline against its adjoint: the dot-product
// test ⟨A·u, v⟩ = ⟨u, Aᵀ·v⟩ on random vectors (exact up to float64 rounding), plus what the
// Fourier map must equal (a hand-written inverse DFT) and finite differences through the sigmoid.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { fourierPlan, spectrumToImage, imageToSpectrumGrad, rfftFreqs } from '../../../../src/probes/neuron/featureviz/fourier.ts';
import { decorrelatedToRgb, rgbGradToDecorrelated, sigmoid, sigmoidGrad, COLOR_MATRIX } from '../../../../src/probes/neuron/featureviz/color.ts';
import { pad, jitter, affine, crop, applyAll, lucidTransforms, outputSize, type ImageBatch } from '../../../../src/probes/neuron/featureviz/transforms.ts';
import { makeRng, normal } from '../../../../src/util/rng.ts';
import { FC_SEED } from '../../../seed.ts';

const randn = (n: number, seed: number) => {
  const r = makeRng(seed);
  return Float64Array.from({ length: n }, () => normal(r));
};
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
const close = (a: number, b: number, rel = 1e-9) => Math.abs(a - b) <= rel * (1 + Math.abs(a) + Math.abs(b));

test('Fourier map: ⟨F·s, g⟩ = ⟨s, Fᵀ·g⟩ for odd and even sizes', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (h, w, seed) => {
    const p = fourierPlan(h, w);
    const n = 2 * 2 * h * p.wf; // (re, im) × 2 channels
    const s = randn(n, seed);
    const g = randn(2 * h * w, seed + 1);
    const img = spectrumToImage(p, s.subarray(0, n / 2), s.subarray(n / 2), 2);
    const { re, im } = imageToSpectrumGrad(p, g, 2);
    const back = new Float64Array(n);
    back.set(re);
    back.set(im, n / 2);
    assert.ok(close(dot(img, g), dot(s, back)), `${h}×${w}`);
  }), { seed: FC_SEED, numRuns: 60 });
});

test('Fourier map equals a direct inverse DFT of the Hermitian-completed spectrum (numpy irfft2 semantics)', () => {
  const h = 6;
  const w = 8;
  const p = fourierPlan(h, w);
  const re = randn(h * p.wf, 5);
  const im = randn(h * p.wf, 6);
  const img = spectrumToImage(p, re, im, 1);
  const freqs = rfftFreqs(h, w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Direct: complex ifft along y, then real irfft along x (Re of DC and Nyquist columns).
      let v = 0;
      for (let kx = 0; kx < p.wf; kx++) {
        let yr = 0;
        let yi = 0;
        for (let ky = 0; ky < h; ky++) {
          const s = 1 / Math.max(freqs[ky * p.wf + kx], 1 / 8);
          const t = (2 * Math.PI * ky * y) / h;
          yr += s * (re[ky * p.wf + kx] * Math.cos(t) - im[ky * p.wf + kx] * Math.sin(t));
          yi += s * (re[ky * p.wf + kx] * Math.sin(t) + im[ky * p.wf + kx] * Math.cos(t));
        }
        const t = (2 * Math.PI * kx * x) / w;
        const alpha = kx === 0 || kx === w / 2 ? 1 : 2;
        v += alpha * (yr * Math.cos(t) - yi * Math.sin(t));
      }
      assert.ok(close(img[y * w + x], v / (4 * Math.sqrt(h * w)), 1e-12), `(${y}, ${x})`);
    }
  }
});

test('colour decorrelation: adjoint by the dot-product test; the matrix is normalized by its largest column norm', () => {
  const n = 17;
  const x = randn(3 * n, 1);
  const g = randn(3 * n, 2);
  assert.ok(close(dot(decorrelatedToRgb(x, n), g), dot(x, rgbGradToDecorrelated(g, n))));
  const norms = [0, 1, 2].map((j) => Math.hypot(...COLOR_MATRIX.map((r) => r[j])));
  assert.ok(Math.abs(Math.max(...norms) - 1) < 1e-12);
});

test('sigmoid gradient matches central differences', () => {
  const x = randn(20, 3);
  const y = sigmoid(x);
  const g = sigmoidGrad(y, new Float64Array(20).fill(1));
  x.forEach((v, i) => {
    const e = 1e-6;
    const fd = (1 / (1 + Math.exp(-(v + e))) - 1 / (1 + Math.exp(-(v - e)))) / (2 * e);
    assert.ok(Math.abs(fd - g[i]) < 1e-8);
  });
});

const batch = (n: number, h: number, w: number, seed: number): ImageBatch => ({ n, channels: 3, h, w, data: randn(n * 3 * h * w, seed) });

test('pad, crop, jitter and the scale/rotate resampling pass the dot-product test (their affine parts removed)', () => {
  fc.assert(fc.property(
    fc.integer({ min: 4, max: 14 }), fc.integer({ min: 4, max: 14 }), fc.integer(),
    fc.double({ min: 0.8, max: 1.25, noNaN: true }), fc.double({ min: -30, max: 30, noNaN: true }),
    (h, w, seed, s, a) => {
      const x = batch(2, h, w, seed);
      const zero = { ...x, data: new Float64Array(x.data.length) };
      const rng = makeRng(seed);
      const cases = [
        (b: ImageBatch) => pad(3, 0.5)(b, rng),
        (b: ImageBatch) => crop(b, 1, 2, h - 3, w - 2),
        (b: ImageBatch) => affine(b, s, a, 0.5),
      ];
      for (const make of cases) {
        const ax = make(x);
        const a0 = make(zero);
        const lin = ax.out.data.map((v, i) => v - a0.out.data[i]); // remove the constant (fill) part
        const g = randn(lin.length, seed + 7);
        assert.ok(close(dot(lin, g), dot(x.data, ax.back(g))));
      }
      const jx = jitter(3)(x, makeRng(seed));
      const g = randn(jx.out.data.length, seed + 9);
      assert.ok(close(dot(jx.out.data, g), dot(x.data, jx.back(g))));
    }), { seed: FC_SEED, numRuns: 40 });
});

test('the Lucid chain maps 128² to 140² whatever is drawn, and its chained adjoint passes the dot-product test', () => {
  const ts = lucidTransforms();
  assert.equal(outputSize(ts, 128, 128), { h: 140, w: 140 });
  const x = batch(1, 20, 20, 4);
  const zero = { ...x, data: new Float64Array(x.data.length) };
  const t = applyAll(ts, x, makeRng(11));
  const t0 = applyAll(ts, zero, makeRng(11));
  const lin = t.out.data.map((v, i) => v - t0.out.data[i]);
  const g = randn(lin.length, 12);
  assert.ok(close(dot(lin, g), dot(x.data, t.back(g))));
  assert.equal(t.info.map((i) => Object.keys(i)[0]), ['pad', 'jitter', 'scale', 'jitter']);
});

test('an identity resampling (scale 1, angle 0) returns the image unchanged', () => {
  const x = batch(1, 7, 9, 3);
  const a = affine(x, 1, 0);
  a.out.data.forEach((v, i) => assert.ok(Math.abs(v - x.data[i]) < 1e-12));
});

test.run();
