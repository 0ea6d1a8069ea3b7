// The smooth mask generator against a literal transcription of TorchRay's steps (unfold → nearest
// upsampling → kernel weights → softmax pooling → clamp → crop), and its adjoint against the
// directional derivative of that reference.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createMaskGenerator, roundHalfEven } from '../../../../src/probes/attribution/extremal/mask-generator.ts';
import { createParallelMaskGenerator, acquireMaskGenerator, releaseMaskWorkers } from '../../../../src/probes/attribution/extremal/mask-parallel.ts';
import { FC_SEED } from '../../../seed.ts';

/** TorchRay's MaskGenerator.generate, step by step, in float64 (no tables, no shortcuts). */
function reference(H: number, W: number, step: number, sigma: number, params: Float64Array, coldness = 20) {
  const margin = sigma;
  const pad = 1 + Math.ceil((margin + sigma) / step);
  const rad = 1 + Math.ceil(sigma / step);
  const KS = 2 * rad + 1;
  const hin = Math.ceil(H / step);
  const win = Math.ceil(W / step);
  const hmid = hin + 2 * pad - KS + 1;
  const wmid = win + 2 * pad - KS + 1;
  const hup = step * hmid;
  const wup = step * wmid;
  const hout = hup - step + 1;
  const wout = wup - step + 1;
  const kernel = (z: number) => Math.exp(-2 * Math.max(z - 0.5, 0) ** 2);
  const full = new Float64Array(hout * wout);
  for (let uy = 0; uy < hout; uy++) {
    for (let ux = 0; ux < wout; ux++) {
      // nearest upsampling of the unfolded grid: source cell floor(u · mid / up)
      const my = Math.floor((uy * hmid) / hup);
      const mx = Math.floor((ux * wmid) / wup);
      const vs: number[] = [];
      for (let ky = 0; ky < KS; ky++) {
        for (let kx = 0; kx < KS; kx++) {
          const py = my + ky - pad;
          const px = mx + kx - pad;
          const p = py >= 0 && py < hin && px >= 0 && px < win ? params[py * win + px] : 0;
          const iy = my + ky - pad;
          const ix = mx + kx - pad;
          const d = Math.hypot(uy - (margin + step * iy), ux - (margin + step * ix));
          vs.push(Math.fround(kernel(d / sigma)) * p);
        }
      }
      const m = Math.max(...vs);
      const e = vs.map((v) => Math.exp(coldness * (v - m)));
      const z = e.reduce((s, v) => s + v, 0);
      const q = vs.reduce((s, v, i) => s + v * e[i], 0) / z;
      full[uy * wout + ux] = Math.min(1, Math.max(0, q));
    }
  }
  return { full, hout, wout, hin, win, crop: roundHalfEven(margin) };
}

const paramArb = (n: number) => fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: n, maxLength: n });

test('TorchRay shapes for 224² with step 7, σ 21: 32×32 parameters, 260×260 full mask, 9×9 neighbourhood', () => {
  const g = createMaskGenerator(224, 224, { step: 7, sigma: 21 });
  assert.equal(g.shapeIn, [32, 32]);
  assert.equal(g.shapeOut, [260, 260]);
  assert.is(g.kernelSide, 9);
  assert.is(g.crop, 21);
});

test('the generated mask equals the literal TorchRay computation (params in {0, 1, (0,1)})', () => {
  for (const [H, W, step, sigma] of [[24, 20, 7, 21], [16, 16, 4, 5], [13, 9, 3, 5.5]] as const) {
    const g = createMaskGenerator(H, W, { step, sigma });
    const n = g.shapeIn[0] * g.shapeIn[1];
    fc.assert(fc.property(paramArb(n), (ps) => {
      const params = Float64Array.from(ps);
      const ref = reference(H, W, step, sigma, params);
      assert.equal([ref.hout, ref.wout], g.shapeOut);
      const full = new Float32Array(ref.hout * ref.wout);
      g.generate(params, full, g.newState());
      let err = 0;
      for (let i = 0; i < full.length; i++) err = Math.max(err, Math.abs(full[i] - ref.full[i]));
      assert.ok(err < 2e-7, `max error ${err} for ${H}×${W} step ${step} σ ${sigma}`);
      const cropped = new Float32Array(H * W);
      g.cropTo(full, cropped);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
        assert.ok(Math.abs(cropped[y * W + x] - ref.full[(y + ref.crop) * ref.wout + x + ref.crop]) < 2e-7);
      }
    }), { seed: FC_SEED, numRuns: 12 });
  }
});

test('a step too large for sigma is refused (TorchRay would return a smaller mask)', () => {
  assert.throws(() => createMaskGenerator(16, 16, { step: 4, sigma: 6 }), /no room/);
});

test('mask values lie in [0, 1] and all-ones parameters give an almost-one interior', () => {
  const g = createMaskGenerator(56, 56, { step: 7, sigma: 21 });
  const [h, w] = g.shapeIn;
  fc.assert(fc.property(paramArb(h * w), (ps) => {
    const full = new Float32Array(g.shapeOut[0] * g.shapeOut[1]);
    g.generate(Float64Array.from(ps), full, g.newState());
    for (const v of full) assert.ok(v >= 0 && v <= 1);
  }), { seed: FC_SEED, numRuns: 20 });
  const full = new Float32Array(g.shapeOut[0] * g.shapeOut[1]);
  g.generate(new Float64Array(h * w).fill(1), full, g.newState());
  const mid = Math.floor(g.shapeOut[0] / 2) * g.shapeOut[1] + Math.floor(g.shapeOut[1] / 2);
  assert.ok(full[mid] > 0.95 && full[mid] <= 1, `centre ${full[mid]}`);
});

test('the adjoint is the transpose of the derivative (central differences of the reference, random directions)', () => {
  const H = 20;
  const W = 17;
  const step = 5;
  const sigma = 6;
  const g = createMaskGenerator(H, W, { step, sigma });
  const n = g.shapeIn[0] * g.shapeIn[1];
  const nOut = g.shapeOut[0] * g.shapeOut[1];
  fc.assert(fc.property(
    fc.array(fc.double({ min: 0.05, max: 0.95, noNaN: true }), { minLength: n, maxLength: n }),
    fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
    fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: nOut, maxLength: nOut }),
    (ps, dir, up) => {
      const p = Float64Array.from(ps);
      const gOut = Float64Array.from(up);
      const state = g.newState();
      g.generate(p, new Float32Array(nOut), state);
      const gp = new Float64Array(n);
      g.adjoint(p, state, gOut, gp);
      // ⟨Jᵀ g, d⟩ vs ⟨g, (f(p + h d) − f(p − h d)) / 2h⟩ on the unclamped-in-practice float64 reference
      const h = 1e-5;
      const plus = reference(H, W, step, sigma, p.map((v, i) => v + h * dir[i])).full;
      const minus = reference(H, W, step, sigma, p.map((v, i) => v - h * dir[i])).full;
      let lhs = 0;
      for (let i = 0; i < n; i++) lhs += gp[i] * dir[i];
      let rhs = 0;
      for (let i = 0; i < nOut; i++) rhs += gOut[i] * ((plus[i] - minus[i]) / (2 * h));
      assert.ok(Math.abs(lhs - rhs) <= 1e-5 * (1 + Math.abs(rhs)), `⟨Jᵀg,d⟩ = ${lhs}, ⟨g,Jd⟩ = ${rhs}`);
    }), { seed: FC_SEED, numRuns: 10 });
});

test('the parallel generator gives bit-identical masks and gradients for any number of threads, and its pool reuses workers', async () => {
  const H = 40;
  const W = 33;
  const single = createMaskGenerator(H, W, { step: 4, sigma: 5 });
  const multi = await createParallelMaskGenerator(H, W, { step: 4, sigma: 5 }, 2, 3);
  try {
    assert.is(multi.threads, 3);
    const [h, w] = single.shapeIn;
    const nOut = single.shapeOut[0] * single.shapeOut[1];
    const s1 = single.newState();
    const s2 = multi.newState();
    multi.newState();
    assert.throws(() => multi.newState(), /state slots/);
    await fc.assert(fc.asyncProperty(paramArb(h * w), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: nOut, maxLength: nOut }), async (ps, gs) => {
      const p = Float64Array.from(ps);
      const f1 = new Float32Array(nOut);
      const f2 = new Float32Array(nOut);
      single.generate(p, f1, s1);
      multi.generate(p, f2, s2);
      assert.equal(Array.from(f2), Array.from(f1));
      const g1 = new Float64Array(h * w);
      const g2 = new Float64Array(h * w);
      single.adjoint(p, s1, Float64Array.from(gs), g1);
      multi.adjoint(p, s2, Float64Array.from(gs), g2);
      assert.equal(Array.from(g2), Array.from(g1));
    }), { seed: FC_SEED, numRuns: 10 });
  } finally {
    await multi.terminate();
  }
  const a = await acquireMaskGenerator(H, W, { step: 4, sigma: 5 }, 1, 2);
  await a.close();
  const b = await acquireMaskGenerator(H, W, { step: 4, sigma: 5 }, 1, 2);
  assert.is(b.threads, a.threads);
  b.newState();
  await b.close();
  await releaseMaskWorkers();
});

test.run();
