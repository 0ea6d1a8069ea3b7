// Region perturbation on a linear model with a zero baseline: removing region R drops the score by
// exactly the sum of (w ⊙ x) over R, so the map of exact contributions removes regions greedily,
// no other map reaches a larger AOPC, and its AOPC is computed here by hand.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { regionOrder, regionPerturbation } from '../../../../../src/probes/attribution/metrics/faithfulness/region.ts';
import { linearModel } from '../../groundtruth.ts';
import { FC_SEED } from '../../../../seed.ts';

test('regions: a grid of squares ranked by their summed map, ties by index', () => {
  const map = { dims: [4, 6], data: Float32Array.from({ length: 24 }, (_, p) => ((p % 6) >= 3 ? 2 : 0) + (Math.floor(p / 6) >= 2 ? 1 : 0)) };
  // 3×3 regions on 4×6: [0 1 / 2 3], the bottom row cut to one pixel high; sums 3, 21, 3, 9.
  assert.equal(regionOrder(map, 4, 6, 3).order, [1, 3, 0, 2]);
});

test('property: linear model, zero baseline — exact contributions give the largest AOPC, equal to its value by hand', async () => {
  const [C, H, W] = [2, 6, 6];
  const D = C * H * W;
  await fc.assert(fc.asyncProperty(
    fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: D, maxLength: D }),
    fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: D, maxLength: D }),
    fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: H * W, maxLength: H * W }),
    fc.integer({ min: 1, max: 9 }),
    async (wv, xv, other, regions) => {
      const w = Float32Array.from(wv);
      const x = Float32Array.from(xv);
      const { subject } = linearModel([C, H, W], w, new Float32Array([0.5]));
      const input = { dims: [1, C, H, W], data: x };
      const exact = { dims: [C, H, W], data: Float32Array.from(w, (v, i) => v * x[i]) };
      const o = { patch: 2, regions, score: 'logit' as const };
      const t = { kind: 'class' as const, index: 0 };
      const base = new Float32Array(D);
      const best = await regionPerturbation(subject, input, t, exact, base, o);
      const rival = await regionPerturbation(subject, input, t, { dims: [H, W], data: Float32Array.from(other) }, base, o);
      assert.ok(best.aopc >= rival.aopc - 1e-5, `${best.aopc} < ${rival.aopc}`);
      // By hand: the drops are the largest region sums, accumulated.
      const sums = new Float64Array(9);
      for (let i = 0; i < D; i++) {
        const p = i % (H * W);
        sums[Math.floor(Math.floor(p / W) / 2) * 3 + Math.floor((p % W) / 2)] += exact.data[i];
      }
      const sorted = Array.from(sums).sort((a, b) => b - a);
      let drop = 0;
      let total = 0;
      for (let k = 1; k <= regions; k++) total += drop += sorted[k - 1];
      assert.ok(Math.abs(best.aopc - total / (regions + 1)) < 1e-4, `${best.aopc} vs ${total / (regions + 1)}`);
      assert.is(best.y.length, regions + 1);
    },
  ), { seed: FC_SEED, numRuns: 10 });
});

test.run();
