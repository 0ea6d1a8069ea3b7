// The heatmap detector on planted data: maps that differ in a known statistic are told apart
// (AUC ≈ 1); maps from one distribution are not (AUC within its sampling error of 0.5); and the
// ROC helpers agree with their definitions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../../seed.ts';
import { auc, chanceAucStandardError, detect, heldOutSplit, mapStatistics, pooledMap, recover, tprAtFpr } from '../../../src/probes/adversarial/detect.ts';
import type { Tensor } from '../../../src/engine/tensor.ts';
import { makeRng, normal, type Rng } from '../../../src/util/rng.ts';

const S = 24;

/** A smooth blob map at a random place; `noise` adds pixel noise of that size (what attacks do to gradient maps). */
function blobMap(rng: Rng, noise: number, cx?: number): Tensor {
  const x0 = cx ?? 4 + rng() * (S - 8), y0 = 4 + rng() * (S - 8), r = 2 + 3 * rng();
  const data = new Float32Array(S * S);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) data[y * S + x] = Math.exp(-((x - x0) ** 2 + (y - y0) ** 2) / (2 * r * r)) + noise * Math.abs(normal(rng));
  return { dims: [S, S], data };
}

test('auc is P(pos > neg) with ties ½, and tpr@5%fpr counts positives above the 95th percentile of negatives', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 20 }), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 20 }), (p, n) => {
    let want = 0;
    for (const a of p) for (const b of n) want += a > b ? 1 : a === b ? 0.5 : 0;
    assert.ok(Math.abs(auc(p, n) - want / (p.length * n.length)) < 1e-12);
    const t = tprAtFpr(p, n, 0.05);
    assert.ok(t >= 0 && t <= 1);
  }), { seed: FC_SEED, numRuns: 200 });
  assert.is(tprAtFpr([5, 6, 7], Array.from({ length: 20 }, (_, i) => i / 10)), 1);
  assert.is(tprAtFpr([0.5], Array.from({ length: 20 }, (_, i) => i / 10)), 0);
});

test('the split is seeded, disjoint, covers every item and leaves both halves non-empty', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 200 }), fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, seed, f) => {
    const a = heldOutSplit(n, makeRng(seed), f);
    assert.equal(a, heldOutSplit(n, makeRng(seed), f));
    assert.ok(a.train.length > 0 && a.test.length > 0);
    assert.equal([...a.train, ...a.test].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i));
  }), { seed: FC_SEED, numRuns: 100 });
});

test('planted: attacked maps carry pixel noise the clean ones lack → held-out AUC ≈ 1 and TPR at 5 % FPR ≈ 1', () => {
  const rng = makeRng(3);
  const clean = Array.from({ length: 60 }, () => mapStatistics(blobMap(rng, 0.01)));
  const attacked = Array.from({ length: 60 }, () => mapStatistics(blobMap(rng, 0.3)));
  const d = detect(clean, attacked, makeRng(4));
  assert.ok(d.auc >= 0.99, `AUC ${d.auc}`);
  assert.ok(d.tprAt5Fpr >= 0.95, `TPR ${d.tprAt5Fpr}`);
  assert.is(d.heldOut, 30);
});

test('null: both maps from one distribution → AUC within 3 standard errors of 0.5, over many seeds', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
    const rng = makeRng(seed);
    const clean = Array.from({ length: 80 }, () => mapStatistics(blobMap(rng, 0.1)));
    const attacked = Array.from({ length: 80 }, () => mapStatistics(blobMap(rng, 0.1)));
    const d = detect(clean, attacked, makeRng(seed + 1));
    assert.ok(Math.abs(d.auc - 0.5) <= 3 * d.chanceSe, `AUC ${d.auc} is ${(Math.abs(d.auc - 0.5) / d.chanceSe).toFixed(1)} SE from 0.5`);
  }), { seed: FC_SEED, numRuns: 10 });
});

test('ε = 0: the attacked map is the clean map → every held-out score ties → AUC exactly 0.5', () => {
  const rng = makeRng(5);
  const maps = Array.from({ length: 20 }, () => mapStatistics(blobMap(rng, 0.1)));
  assert.is(detect(maps, maps.map((r) => [...r]), makeRng(6)).auc, 0.5);
});

test('recovery: the class is where the blob sits → held-out accuracy ≈ 1; labels independent of the map → near chance', () => {
  const rng = makeRng(8);
  const labels = Array.from({ length: 90 }, (_, i) => i % 3);
  const placed = labels.map((y) => pooledMap(blobMap(rng, 0.05, 5 + 7 * y)));
  const r = recover(placed, labels, labels.map(() => true), 3, makeRng(9));
  assert.ok(r.accuracy! >= 0.95, `accuracy ${r.accuracy}`);
  const shuffled = labels.map(() => Math.floor(rng() * 3));
  const n = recover(placed, shuffled, labels.map(() => true), 3, makeRng(9));
  assert.ok(n.accuracy! <= 0.6, `accuracy ${n.accuracy} on labels the maps do not carry`);
  assert.is(recover(placed, labels, labels.map(() => false), 3, makeRng(9)).accuracy, null);
});

test('map statistics are finite, scale-free but for the first, and defined on an all-zero map', () => {
  const m = blobMap(makeRng(1), 0.1);
  const a = mapStatistics(m), b = mapStatistics({ dims: m.dims, data: m.data.map((v) => v * 7) });
  assert.ok(Math.abs(b[0] - a[0] - Math.log(7)) < 1e-6);
  for (let j = 1; j < a.length; j++) assert.ok(Math.abs(a[j] - b[j]) < 1e-6, `statistic ${j}: ${a[j]} vs ${b[j]}`);
  assert.ok(mapStatistics({ dims: [4, 4], data: new Float32Array(16) }).every(Number.isFinite));
});

test.run();
