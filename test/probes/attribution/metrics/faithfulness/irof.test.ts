// IROF and its superpixels. SLIC with a large compactness is the plain grid; with the default one
// no segment crosses a sharp colour edge. On a linear model with equal-sized (grid) segments the
// score drop of removing a set of segments is the sum of their contributions, so the map of exact
// contributions removes them greedily and no other map reaches a larger area over the curve; its
// value is computed here by hand.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { slic, SLIC_DEFAULTS } from '../../../../../src/probes/attribution/metrics/faithfulness/superpixels.ts';
import { irofCurve, segmentOrder } from '../../../../../src/probes/attribution/metrics/faithfulness/irof.ts';
import { linearModel } from '../../groundtruth.ts';
import { FC_SEED } from '../../../../seed.ts';

test('SLIC with a large compactness is the grid; segments are numbered by first pixel', () => {
  const [H, W] = [12, 12];
  const img = Float32Array.from({ length: 3 * H * W }, (_, i) => ((i * 2654435761) % 1000) / 1000);
  const seg = slic(img, 3, H, W, { segments: 9, compactness: 1e6, iterations: 5 });
  assert.is(seg.count, 9);
  for (let p = 0; p < H * W; p++) assert.is(seg.labels[p], Math.floor(Math.floor(p / W) / 4) * 3 + Math.floor((p % W) / 4), `pixel ${p}`);
});

test('property: with the default compactness no segment crosses a sharp vertical edge', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 22 }), fc.integer({ min: 2, max: 22 }), (edgeX, edgeY) => {
    const [H, W] = [24, 24];
    // Left of the edge dark, right bright; a dim horizontal band below edgeY on the left too.
    const img = Float32Array.from({ length: 3 * H * W }, (_, i) => {
      const p = i % (H * W);
      const x = p % W;
      const y = Math.floor(p / W);
      return x >= edgeX ? 1 : y >= edgeY ? 0.5 : 0;
    });
    const seg = slic(img, 3, H, W, { ...SLIC_DEFAULTS, segments: 36 });
    const side = new Map<number, number>();
    for (let p = 0; p < H * W; p++) {
      const s = (p % W) >= edgeX ? 1 : 0;
      const seen = side.get(seg.labels[p]);
      if (seen === undefined) side.set(seg.labels[p], s);
      else assert.is(seen, s, `segment ${seg.labels[p]} crosses the edge at x = ${edgeX}`);
    }
  }), { seed: FC_SEED, numRuns: 30 });
});

test('property: on a linear model with grid segments, the exact contributions give the largest IROF, and its value by hand', async () => {
  const [C, H, W] = [1, 8, 8];
  const HW = H * W;
  const seg = slic(new Float32Array(HW), C, H, W, { segments: 16, compactness: 1e6, iterations: 2 });
  assert.is(seg.count, 16);
  await fc.assert(fc.asyncProperty(
    fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: HW, maxLength: HW }),
    fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: HW, maxLength: HW }),
    fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: HW, maxLength: HW }),
    async (wv, xv, other) => {
      const w = Float32Array.from(wv);
      const x = Float32Array.from(xv);
      // A bias that keeps the score positive whatever is removed: the curve divides by f(x).
      const bias = 2 + w.reduce((s, v) => s + Math.abs(v), 0);
      const { subject } = linearModel([C, H, W], w, new Float32Array([bias]));
      const input = { dims: [1, C, H, W], data: x };
      const mean = x.reduce((s, v) => s + v, 0) / HW;
      const base = new Float32Array(HW).fill(mean);
      const exact = { dims: [H, W], data: Float32Array.from(w, (v, p) => v * (x[p] - mean)) };
      const t = { kind: 'class' as const, index: 0 };
      const best = await irofCurve(subject, input, t, exact, seg, base, 'logit');
      const rival = await irofCurve(subject, input, t, { dims: [H, W], data: Float32Array.from(other) }, seg, base, 'logit');
      assert.ok(best.aoc >= rival.aoc - 1e-5, `exact ${best.aoc} < other ${rival.aoc}`);
      // By hand: f after removing the first k segments of the order, over f(x).
      const f0 = bias + w.reduce((s, v, p) => s + v * x[p], 0);
      const order = segmentOrder(exact, seg);
      const drop = order.map((k) => exact.data.reduce((s, v, p) => s + (seg.labels[p] === k ? v : 0), 0));
      const y = [1];
      let removed = 0;
      for (const d of drop) y.push((f0 - (removed += d)) / f0);
      let area = 0;
      for (let k = 1; k < y.length; k++) area += (y[k] + y[k - 1]) / 2 / seg.count;
      assert.ok(Math.abs(best.aoc - (1 - area)) < 1e-4, `${best.aoc} vs ${1 - area}`);
    },
  ), { seed: FC_SEED, numRuns: 10 });
});

test.run();
