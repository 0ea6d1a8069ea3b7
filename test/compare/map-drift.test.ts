import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';
import { mapDrift, spearman, ssim, topIou, type Map2d } from '../../src/compare/map-drift.ts';

// Quarter steps: exact in float, so scaling cannot merge or split ties (no denormals).
const value = fc.integer({ min: -200, max: 200 }).map((v) => v / 4);
const map = fc.record({ height: fc.integer({ min: 2, max: 12 }), width: fc.integer({ min: 2, max: 12 }) }).chain(({ height, width }) =>
  fc.array(value, { minLength: height * width, maxLength: height * width }).map((data): Map2d => ({ height, width, data })));
const pair = map.chain((a) => fc.array(value, { minLength: a.data.length, maxLength: a.data.length }).map((d) => [a, { ...a, data: d }] as const));

test('a map against itself, or any increasing affine copy of itself, scores 1 on every metric', () => {
  fc.assert(fc.property(map, fc.integer({ min: 1, max: 64 }), fc.integer({ min: -40, max: 40 }), (a, s, t) => {
    const b = { ...a, data: Array.from(a.data, (v) => v * s + t) };
    for (const d of [mapDrift(a, a), mapDrift(a, b)]) {
      assert.ok(Math.abs(d.spearman - 1) < 1e-9, `spearman ${d.spearman}`);
      assert.ok(Math.abs(d.ssim - 1) < 1e-6, `ssim ${d.ssim}`);
    }
    // Affine copies may reorder exact float ties, so IoU is exact for the map itself only.
    assert.is(mapDrift(a, a).topIou, 1);
  }), { seed: FC_SEED, numRuns: 200 });
});

test('every metric is symmetric and in range', () => {
  fc.assert(fc.property(pair, ([a, b]) => {
    const ab = mapDrift(a, b);
    const ba = mapDrift(b, a);
    assert.ok(Math.abs(ab.spearman - ba.spearman) < 1e-12 && Math.abs(ab.ssim - ba.ssim) < 1e-12);
    assert.ok(ab.spearman >= -1 - 1e-12 && ab.spearman <= 1 + 1e-12);
    assert.ok(ab.topIou >= 0 && ab.topIou <= 1);
    assert.ok(ab.ssim >= -1 - 1e-9 && ab.ssim <= 1 + 1e-9);
  }), { seed: FC_SEED, numRuns: 200 });
});

test('a reversed map has Spearman −1, disjoint top pixels and low SSIM', () => {
  const a: Map2d = { height: 4, width: 5, data: Array.from({ length: 20 }, (_, i) => i) };
  const b: Map2d = { ...a, data: Array.from({ length: 20 }, (_, i) => -i) };
  assert.ok(Math.abs(spearman(a, b) + 1) < 1e-12);
  assert.is(topIou(a, b, 0.25), 0);
  assert.ok(ssim(a, b) < 0);
});

test('top-k IoU counts the shared pixels: two of three top pixels shared → 2/4', () => {
  const a: Map2d = { height: 1, width: 6, data: [9, 8, 7, 0, 0, 0] };
  const b: Map2d = { height: 1, width: 6, data: [9, 8, 0, 7, 0, 0] };
  assert.is(topIou(a, b, 0.5), 0.5);
});

test('maps of different sizes or with NaN are refused', () => {
  const a: Map2d = { height: 2, width: 2, data: [1, 2, 3, 4] };
  assert.throws(() => spearman(a, { height: 1, width: 4, data: [1, 2, 3, 4] }), /one size/);
  assert.throws(() => ssim(a, { ...a, data: [1, NaN, 3, 4] }), /not finite/);
  assert.throws(() => topIou(a, a, 0), /fraction/);
});

test.run();
