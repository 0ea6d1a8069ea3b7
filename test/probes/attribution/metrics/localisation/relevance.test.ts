// Relevance mass, relevance rank, energy pointing and mask IoU: closed forms on planted maps, and
// their bounds as properties.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { boxRegion, evidence, relevanceMass, relevanceRank, thresholdIoU } from '../../../../../src/probes/attribution/metrics/localisation/relevance.ts';
import { FC_SEED } from '../../../../seed.ts';

test('closed forms on a 4×4 map with a 2×2 box', () => {
  const region = boxRegion([[0, 0, 1, 1]], 4, 4);
  assert.equal(Array.from(region), [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  // All evidence in the box: mass 1, rank 1, IoU 1 when the box is the top.
  const inside = Float64Array.from(region, (v) => v * 2);
  assert.is(relevanceMass(inside, region), 1);
  assert.is(relevanceRank(inside, region), 1);
  assert.is(thresholdIoU(inside, region, 0.5), 1);
  // Uniform evidence: mass = box area 4/16; the top 4 by index order are 0..3, two of them inside.
  const flat = new Float64Array(16).fill(1);
  assert.is(relevanceMass(flat, region), 0.25);
  assert.is(relevanceRank(flat, region), 0.5);
  assert.is(thresholdIoU(flat, region, 0.5), 0.25);
  // One hot pixel outside: mass 0; the top 4 are 15, then the tied zeros by index 0, 1, 2: two inside.
  const out = new Float64Array(16);
  out[15] = 1;
  assert.is(relevanceMass(out, region), 0);
  assert.is(relevanceRank(out, region), 0.5);
  assert.is(thresholdIoU(out, region, 0.5), 0);
  assert.is(relevanceMass(new Float64Array(16), region), null);
  // Evidence: Σ|a| over channels for [C,H,W], the positive part of a spatial map.
  assert.equal(Array.from(evidence({ dims: [2, 1, 2], data: Float32Array.from([1, -2, -3, 0]) })), [4, 2]);
  assert.equal(Array.from(evidence({ dims: [1, 2], data: Float32Array.from([-1, 2]) })), [0, 2]);
});

test('property: every measure lies in [0, 1]; a map that is the region scores 1', () => {
  fc.assert(fc.property(
    fc.array(fc.float({ min: 0, max: 10, noNaN: true }), { minLength: 36, maxLength: 36 }),
    fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })),
    (values, [a, b, c, d]) => {
      const region = boxRegion([[Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)]], 6, 6);
      const e = Float64Array.from(values);
      for (const v of [relevanceMass(e, region), relevanceRank(e, region), thresholdIoU(e, region, 0.5)]) assert.ok(v === null || (v >= 0 && v <= 1), String(v));
      const planted = Float64Array.from(region);
      assert.is(relevanceMass(planted, region), 1);
      assert.is(relevanceRank(planted, region), 1);
      assert.is(thresholdIoU(planted, region, 0.5), 1);
    },
  ), { seed: FC_SEED, numRuns: 200 });
});

test.run();
