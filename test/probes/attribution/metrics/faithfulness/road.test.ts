// ROAD's noisy linear imputation in closed form: a removed pixel is the weighted mean of its
// neighbours (1/6 direct, 1/12 diagonal, out-of-image ones dropped), so a linear ramp is imputed
// exactly wherever the whole neighbourhood lies in the image, and the noise has the asked std.
// Then the curves on a linear model that reads only a planted patch: LeRF keeps the score exactly
// until the patch is reached, MoRF equals the model on the imputed image.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { linearImpute, roadCurves } from '../../../../../src/probes/attribution/metrics/faithfulness/road.ts';
import { linearModel } from '../../groundtruth.ts';
import { makeRng } from '../../../../../src/util/rng.ts';
import { FC_SEED } from '../../../../seed.ts';

test('property: a linear ramp with interior pixels removed is imputed exactly (noise 0)', () => {
  fc.assert(fc.property(
    fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }),
    fc.array(fc.boolean(), { minLength: 18 * 18, maxLength: 18 * 18 }),
    (a, b, c, holes) => {
      const [H, W] = [20, 20];
      const ramp = Float32Array.from({ length: 2 * H * W }, (_, i) => {
        const p = i % (H * W);
        return (i < H * W ? 1 : -2) * (a * Math.floor(p / W) + b * (p % W)) + c;
      });
      const removed = new Uint8Array(H * W);
      holes.forEach((h, k) => (removed[(1 + Math.floor(k / 18)) * W + 1 + (k % 18)] = h ? 1 : 0));
      const out = linearImpute(ramp, 2, H, W, removed, 0, makeRng(1));
      for (let i = 0; i < out.length; i++) assert.ok(Math.abs(out[i] - ramp[i]) < 1e-3, `${i}: ${out[i]} vs ${ramp[i]}`);
    },
  ), { seed: FC_SEED, numRuns: 20 });
});

test('an isolated hole is the weighted mean of its neighbours; at a corner, of the three in the image', () => {
  const [H, W] = [4, 5];
  const v = Float32Array.from({ length: H * W }, (_, i) => (i * 7919) % 13);
  const at = (y: number, x: number) => v[y * W + x];
  const removed = new Uint8Array(H * W);
  removed[1 * W + 2] = 1;
  removed[0] = 1;
  const out = linearImpute(v, 1, H, W, removed, 0, makeRng(1));
  const direct = at(0, 2) + at(2, 2) + at(1, 1) + at(1, 3);
  const diagonal = at(0, 1) + at(0, 3) + at(2, 1) + at(2, 3);
  assert.ok(Math.abs(out[1 * W + 2] - (direct / 6 + diagonal / 12)) < 1e-5);
  const corner = (at(0, 1) / 6 + at(1, 0) / 6 + at(1, 1) / 12) / (5 / 12);
  assert.ok(Math.abs(out[0] - corner) < 1e-5, `${out[0]} vs ${corner}`);
});

test('the imputation noise has the asked std; every pixel removed is refused', () => {
  const [H, W] = [40, 40];
  const v = new Float32Array(H * W).fill(0.5);
  const removed = Uint8Array.from({ length: H * W }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const out = linearImpute(v, 1, H, W, removed, 0.05, makeRng(9));
  let s = 0;
  let n = 0;
  for (let i = 0; i < out.length; i++) if (removed[i]) {
    s += (out[i] - 0.5) ** 2;
    n++;
  } else assert.is(out[i], v[i]);
  assert.ok(Math.abs(Math.sqrt(s / n) - 0.05) < 0.005, String(Math.sqrt(s / n)));
  assert.throws(() => linearImpute(v, 1, H, W, new Uint8Array(H * W).fill(1), 0, makeRng(1)), /every pixel/);
});

test('property: linear model reading a planted patch — LeRF keeps the score until the patch, MoRF scores the imputed image', async () => {
  const [C, H, W] = [1, 8, 8];
  const HW = H * W;
  await fc.assert(fc.asyncProperty(
    fc.array(fc.float({ min: Math.fround(0.1), max: 2, noNaN: true }), { minLength: 4, maxLength: 4 }),
    fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: HW, maxLength: HW }),
    async (patchWeights, pixels) => {
      // The patch: the 2×2 block at rows 3–4, columns 5–6 (4 of 64 pixels, under the first 10% step).
      const patch = [3 * W + 5, 3 * W + 6, 4 * W + 5, 4 * W + 6];
      const w = new Float32Array(HW);
      patch.forEach((p, k) => (w[p] = patchWeights[k]));
      const { subject } = linearModel([C, H, W], w, new Float32Array([0.2]));
      const input = { dims: [1, C, H, W], data: Float32Array.from(pixels) };
      // The map ranks the patch first, then every other pixel by position.
      const map = { dims: [H, W], data: Float32Array.from({ length: HW }, (_, p) => (patch.includes(p) ? 10 : 1 - p / HW)) };
      const f = 0.2 + patch.reduce((s, p) => s + w[p] * pixels[p], 0);
      const steps = 8;
      const c = await roadCurves(subject, input, { kind: 'class', index: 0 }, map, { steps, noise: 0, score: 'logit' }, makeRng(3));
      assert.equal(c.x, Array.from({ length: steps }, (_, k) => Math.round((k * HW) / steps) / HW));
      // LeRF removes the last pixels first: the patch is among the removed only at the last steps.
      for (let k = 0; k < steps; k++) if (Math.round((k * HW) / steps) <= HW - patch.length) assert.ok(Math.abs(c.lerf[k] - f) < 1e-4, `lerf ${k}: ${c.lerf[k]} vs ${f}`);
      // MoRF: the model on the image with the first n pixels imputed.
      for (let k = 0; k < steps; k++) {
        const removed = new Uint8Array(HW);
        const n = Math.round((k * HW) / steps);
        const order = Array.from({ length: HW }, (_, p) => p).sort((p, q) => map.data[q] - map.data[p] || p - q);
        for (let j = 0; j < n; j++) removed[order[j]] = 1;
        const imputed = linearImpute(input.data, C, H, W, removed, 0, makeRng(1));
        const expected = 0.2 + patch.reduce((s, p) => s + w[p] * imputed[p], 0);
        assert.ok(Math.abs(c.morf[k] - expected) < 1e-4, `morf ${k}: ${c.morf[k]} vs ${expected}`);
      }
    },
  ), { seed: FC_SEED, numRuns: 6 });
});

test.run();
