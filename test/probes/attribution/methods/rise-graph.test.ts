// RISE's masks made inside the model's graph (rise-net.ts) against their JS definition (riseMasks):
// on linear models the saliency map has a closed form in the masks, so rise() must reproduce
// Σ_i (w·(x ⊙ M_i) + b)·M_i / (N·p) computed from riseMasks with the same seed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { linearModel } from '../groundtruth.ts';
import { rise, riseMasks } from '../../../../src/probes/attribution/methods/rise.ts';
import { makeRng, normal } from '../../../../src/util/rng.ts';
import { FC_SEED } from '../../../seed.ts';

/** The saliency of a linear model from the JS masks, in float64. */
function reference(w: Float32Array, b: number, x: Float32Array, dims: [number, number, number], masks: number, cells: number, p: number, seed: number): Float64Array {
  const [C, H, W] = dims;
  const HW = H * W;
  const gen = riseMasks(H, W, cells, p, makeRng(seed));
  const m = new Float32Array(HW);
  const sal = new Float64Array(HW);
  for (let i = 0; i < masks; i++) {
    gen.next(m);
    let s = b;
    for (let c = 0; c < C; c++) for (let k = 0; k < HW; k++) s += w[c * HW + k] * x[c * HW + k] * m[k];
    for (let k = 0; k < HW; k++) sal[k] += s * m[k];
  }
  return sal.map((v) => v / (masks * p));
}

test('in-graph RISE masks equal the JS masks: the saliency of linear models matches its closed form (rel. 1e-5)', async () => {
  await fc.assert(fc.asyncProperty(
    fc.integer({ min: 5, max: 23 }), fc.integer({ min: 5, max: 23 }), fc.integer({ min: 2, max: 6 }),
    fc.double({ min: 0.1, max: 0.9, noNaN: true }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1e6 }),
    async (H, W, cells, p, masks, seed) => {
      const dims: [number, number, number] = [2, H, W];
      const D = 2 * H * W;
      const rng = makeRng(seed + 1);
      const w = Float32Array.from({ length: D }, () => normal(rng));
      const x = Float32Array.from({ length: D }, () => normal(rng));
      const b = normal(rng);
      const model = linearModel(dims, w, new Float32Array([b]));
      // Batches of 7 so that the last one is partial and the draws cross batch borders.
      const subject = { ...model.subject, batchSize: 7 };
      const r = await rise(subject, { dims: [1, ...dims], data: x }, { kind: 'class', index: 0 }, { masks, cells, p, seed, score: 'raw' });
      const ref = reference(w, b, x, dims, masks, cells, p, seed);
      let scale = 0;
      for (const v of ref) scale = Math.max(scale, Math.abs(v));
      for (let k = 0; k < ref.length; k++) {
        assert.ok(Math.abs(r.map.data[k] - ref[k]) <= 1e-5 * (scale + 1), `pixel ${k}: ${r.map.data[k]} vs ${ref[k]} (scale ${scale})`);
      }
    }), { seed: FC_SEED, numRuns: 15 });
});

test.run();
