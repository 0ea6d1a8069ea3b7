// The pieces extremal perturbation is built from: TorchRay's Gaussian kernel and pyramid, the
// pyramid interpolation and its adjoint (and the one-pass form the optimisation loop uses), and the
// ranking area constraint.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { gaussianKernel, blurPlanes, blurMany, perturbationPyramid, perturbationPyramidFast } from '../../../../src/probes/attribution/blur.ts';
import { applyPyramid, applyPyramidAdjoint, perturbKeepingLevels, levelAdjoint } from '../../../../src/probes/attribution/extremal/perturbation.ts';
import { areaPenalty, referenceZeros, selectKth, selectKthFloat32 } from '../../../../src/probes/attribution/extremal/area.ts';
import { flipRows } from '../../../../src/probes/attribution/maps.ts';
import { FC_SEED } from '../../../seed.ts';

test('Gaussian kernel: half-width ⌈4σ⌉, sums to 1, symmetric; σ = 0 is the identity', () => {
  fc.assert(fc.property(fc.double({ min: 0.1, max: 25, noNaN: true }), (s) => {
    const k = gaussianKernel(s);
    assert.is(k.length, 2 * Math.ceil(4 * s) + 1);
    assert.ok(Math.abs(k.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    for (let i = 0; i < k.length; i++) assert.ok(Math.abs(k[i] - k[k.length - 1 - i]) < 1e-15);
  }), { seed: FC_SEED, numRuns: 50 });
  assert.equal(Array.from(gaussianKernel(0)), [1]);
});

test('blur is self-adjoint (zero padding, symmetric kernel): ⟨Bx, y⟩ = ⟨x, By⟩', () => {
  fc.assert(fc.property(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 3, max: 12 }), fc.double({ min: 0.3, max: 4, noNaN: true }), fc.integer(), (H, W, s, seed) => {
    let r = seed >>> 0;
    const rnd = () => ((r = (r * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
    const x = Float32Array.from({ length: H * W }, rnd);
    const y = Float32Array.from({ length: H * W }, rnd);
    const bx = blurPlanes(x, 1, H, W, s);
    const by = blurPlanes(y, 1, H, W, s);
    let a = 0;
    let b = 0;
    for (let i = 0; i < H * W; i++) {
      a += bx[i] * y[i];
      b += x[i] * by[i];
    }
    assert.ok(Math.abs(a - b) < 1e-5, `${a} vs ${b}`);
  }), { seed: FC_SEED, numRuns: 30 });
});

test('the onnxruntime blur equals the JS definition (float32 tolerance), for pyramids too', async () => {
  const H = 40;
  const W = 33;
  const x = Float32Array.from({ length: 3 * H * W }, (_, i) => Math.sin(0.37 * i) + 0.5);
  const sig = [0, 0.7, 3, 11.5];
  const fast = await blurMany(x, 3, H, W, sig);
  sig.forEach((s, i) => {
    const slow = blurPlanes(x, 3, H, W, s);
    for (let k = 0; k < slow.length; k++) assert.ok(Math.abs(fast[i][k] - slow[k]) < 1e-5, `σ ${s} at ${k}: ${fast[i][k]} vs ${slow[k]}`);
  });
  const a = perturbationPyramid(x, 3, H, W, 8, 'blur', 20);
  const b = await perturbationPyramidFast(x, 3, H, W, 8, 'blur', 20);
  a.forEach((lvl, l) => lvl.forEach((v, k) => assert.ok(Math.abs(v - b[l][k]) < 1e-5)));
});

test('pyramid: level L−1 is the input, level 0 the most blurred; mask 1 gives the input, 0 the blur', () => {
  const H = 10;
  const W = 9;
  const x = Float32Array.from({ length: 2 * H * W }, (_, i) => Math.sin(i));
  const pyr = perturbationPyramid(x, 2, H, W, 8, 'blur', 3);
  assert.equal(Array.from(pyr[7]), Array.from(x));
  assert.equal(Array.from(pyr[0]), Array.from(blurPlanes(x, 2, H, W, 3)));
  const out = new Float32Array(x.length);
  applyPyramid(pyr, new Float32Array(H * W).fill(1), H * W, out);
  assert.equal(Array.from(out), Array.from(x));
  applyPyramid(pyr, new Float32Array(H * W), H * W, out);
  assert.equal(Array.from(out), Array.from(pyr[0]));
  const fade = perturbationPyramid(x, 2, H, W, 5, 'fade', 3);
  applyPyramid(fade, new Float32Array(H * W).fill(0.5), H * W, out);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(out[i] - 0.5 * x[i]) < 1e-6);
});

test('pyramid adjoint matches finite differences away from level boundaries', () => {
  const H = 6;
  const W = 7;
  const HW = H * W;
  const x = Float32Array.from({ length: 3 * HW }, (_, i) => Math.cos(0.7 * i));
  const pyr = perturbationPyramid(x, 3, H, W, 8, 'blur', 2);
  fc.assert(fc.property(fc.array(fc.double({ min: 0.01, max: 0.99, noNaN: true }), { minLength: HW, maxLength: HW }), (ms) => {
    // keep away from level boundaries k/7 where the interpolation has a kink
    const m = Float32Array.from(ms, (v) => (Math.floor(v * 7) + 0.5) / 7);
    const g = Float32Array.from({ length: 3 * HW }, (_, i) => Math.sin(1.3 * i));
    const gm = new Float64Array(HW);
    applyPyramidAdjoint(pyr, m, HW, g, gm);
    const h = 1e-3;
    const a = new Float32Array(3 * HW);
    const b = new Float32Array(3 * HW);
    for (let p = 0; p < HW; p += 5) {
      const mp = Float32Array.from(m);
      const mm = Float32Array.from(m);
      mp[p] += h;
      mm[p] -= h;
      applyPyramid(pyr, mp, HW, a);
      applyPyramid(pyr, mm, HW, b);
      let fd = 0;
      for (let i = 0; i < 3 * HW; i++) fd += (g[i] * (a[i] - b[i])) / (2 * h);
      assert.ok(Math.abs(fd - gm[p]) < 1e-3 * (1 + Math.abs(fd)), `pixel ${p}: ${gm[p]} vs ${fd}`);
    }
  }), { seed: FC_SEED, numRuns: 10 });
});

test('the one-pass perturbation equals applyPyramid then the flip, and its adjoint equals applyPyramidAdjoint, bit for bit', () => {
  const H = 5;
  const W = 6;
  const HW = H * W;
  const x = Float32Array.from({ length: 3 * HW }, (_, i) => Math.sin(0.9 * i) * 3);
  const pyr = perturbationPyramid(x, 3, H, W, 6, 'blur', 2);
  const maskArb = fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: HW, maxLength: HW });
  const gradArb = fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 3 * HW, maxLength: 3 * HW });
  fc.assert(fc.property(maskArb, gradArb, fc.boolean(), (ms, gs, flip) => {
    const m = Float32Array.from(ms);
    const want = new Float32Array(3 * HW);
    applyPyramid(pyr, m, HW, want);
    if (flip) flipRows(want, W);
    const got = new Float32Array(3 * HW);
    const levels = new Uint8Array(HW);
    perturbKeepingLevels(pyr, m, H, W, flip, got, levels);
    assert.equal(Array.from(got), Array.from(want));
    // the gradient arrives for the (possibly mirrored) image the model saw
    const g = Float32Array.from(gs);
    const unflipped = Float32Array.from(g);
    if (flip) flipRows(unflipped, W);
    const a = new Float64Array(HW).fill(0.25);
    const b = new Float64Array(HW).fill(0.25);
    applyPyramidAdjoint(pyr, m, HW, unflipped, a, -1);
    levelAdjoint(pyr, levels, H, W, flip, g, b, -1);
    assert.equal(Array.from(b), Array.from(a));
  }), { seed: FC_SEED, numRuns: 100 });
});

test('selectKthFloat32 (radix selection) returns the k-th smallest value and leaves the values as they were', () => {
  const value = fc.oneof(fc.constant(0), fc.constant(-0), fc.constant(1), fc.constant(0.5), fc.float({ noNaN: true }));
  fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 300 }), fc.nat(), (vs, kk) => {
    const a = Float32Array.from(vs);
    const k = kk % a.length;
    const sorted = Float32Array.from(a).sort();
    const before = Array.from(a);
    const got = selectKthFloat32(a, k);
    assert.ok(got === sorted[k], `rank ${k}: ${got} vs ${sorted[k]}`);
    assert.equal(Array.from(a), before);
  }), { seed: FC_SEED, numRuns: 300 });
  assert.throws(() => selectKthFloat32(new Float32Array(3), 3), /rank 3/);
});

test('selectKth returns the k-th smallest value', () => {
  fc.assert(fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 200 }), fc.nat(), (vs, kk) => {
    const k = kk % vs.length;
    const sorted = Float32Array.from(vs).sort();
    assert.is(selectKth(Float32Array.from(vs), k), sorted[k]);
  }), { seed: FC_SEED, numRuns: 200 });
});

test('area penalty equals TorchRay\'s mean((sort(m) − r)²), gradient ranks ties by index', () => {
  fc.assert(fc.property(
    fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.constant(0.5), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 300 }),
    fc.double({ min: 0.001, max: 0.999, noNaN: true }),
    (vs, area) => {
      const m = Float32Array.from(vs);
      const n = m.length;
      const zeros = referenceZeros(n, area);
      assert.is(zeros, Math.trunc(n * (1 - area)));
      // literal: stable argsort, reference of zeros then ones
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => m[a] - m[b] || a - b);
      let expected = 0;
      const grad = new Float64Array(n);
      order.forEach((i, rank) => {
        const r = rank < zeros ? 0 : 1;
        expected += (m[i] - r) ** 2;
        grad[i] = (2 * (m[i] - r)) / n;
      });
      expected /= n;
      const got = new Float64Array(n);
      const value = areaPenalty(m, zeros, got);
      assert.ok(Math.abs(value - expected) < 1e-9, `${value} vs ${expected}`);
      for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i] - grad[i]) < 1e-12);
    }), { seed: FC_SEED, numRuns: 300 });
});

test.run();
