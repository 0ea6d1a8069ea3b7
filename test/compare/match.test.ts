import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';
import { correlationMatrix, fractionMatched, matchUnits, profilesOf, type UnitProfiles } from '../../src/compare/match.ts';
import { makeRng } from '../../src/util/rng.ts';

function randomProfiles(units: number, samples: number, seed: number): UnitProfiles {
  const rng = makeRng(seed);
  return { units, samples, data: Float32Array.from({ length: units * samples }, () => rng() * 2 - 1) };
}

function permuted(p: UnitProfiles, perm: readonly number[], scale = 1, noise = 0, seed = 1): UnitProfiles {
  const rng = makeRng(seed);
  const data = new Float32Array(p.data.length);
  // candidate unit perm[u] carries baseline unit u
  for (let u = 0; u < p.units; u++) for (let s = 0; s < p.samples; s++) data[perm[u] * p.samples + s] = p.data[u * p.samples + s] * scale + noise * (rng() * 2 - 1);
  return { ...p, data };
}

const permutation = fc.integer({ min: 1, max: 24 }).chain((n) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }));

test('matching recovers any permutation of units exactly, with correlation 1, whatever the positive scale', () => {
  fc.assert(fc.property(permutation, fc.integer({ min: 1, max: 1e6 }), fc.double({ min: 0.01, max: 100, noNaN: true }), (perm, seed, scale) => {
    const a = randomProfiles(perm.length, 40, seed);
    const m = matchUnits(a, permuted(a, perm, scale));
    m.pairs.forEach((p, u) => {
      assert.is(p.baseline, u);
      assert.is(p.candidate, perm[u]);
      assert.ok(Math.abs(p.correlation - 1) < 1e-6);
    });
    assert.is(fractionMatched(m, 0.99), 1);
  }), { seed: FC_SEED, numRuns: 100 });
});

test('noise lowers the matched correlation; correlations stay in [−1, 1]', () => {
  const a = randomProfiles(16, 60, 3);
  const perm = [...Array(16).keys()].reverse();
  const mean = (noise: number) => { const m = matchUnits(a, permuted(a, perm, 1, noise, 9)); return m.pairs.reduce((s, p) => s + p.correlation, 0) / 16; };
  const levels = [0, 0.3, 1, 3].map(mean);
  for (let i = 1; i < levels.length; i++) assert.ok(levels[i] < levels[i - 1], `noise levels ${levels.join(', ')}`);
  for (const row of correlationMatrix(a, randomProfiles(10, 60, 4))) for (const r of row) assert.ok(r >= -1 - 1e-9 && r <= 1 + 1e-9);
});

test('fewer candidate units: left-over baseline units are unmatched; constant units are silent with correlation 0', () => {
  const a = randomProfiles(5, 20, 7);
  const b = { units: 3, samples: 20, data: a.data.slice(0, 60) };
  b.data.fill(4, 40, 60); // candidate unit 2 is constant
  const m = matchUnits(a, b);
  assert.is(m.pairs.filter((p) => p.candidate < 0).length, 2);
  assert.is(m.silent.candidate, 1);
  assert.is(m.pairs[0].candidate, 0);
  assert.is(m.pairs[1].candidate, 1);
  assert.is(fractionMatched(m, 0.99), 2 / 5);
  assert.throws(() => matchUnits(a, randomProfiles(5, 21, 1)), /same probe set/);
});

test('a unit constant in both versions at the same value is matched with correlation 1, at another value with 0', () => {
  const a = randomProfiles(3, 10, 5);
  a.data.fill(0, 0, 10); // unit 0 dead
  const same = matchUnits(a, { ...a, data: a.data.slice() });
  assert.is(same.pairs[0].candidate, 0);
  assert.is(same.pairs[0].correlation, 1);
  const b = { ...a, data: a.data.slice() };
  b.data.fill(2, 0, 10);
  assert.is(matchUnits(a, b).pairs[0].correlation, 0);
});

test('profiles pool each map to a grid: a [1, 1, 4, 4] map on a 2×2 grid gives the four quadrant means', () => {
  const data = Float32Array.from({ length: 16 }, (_, i) => i);
  const p = profilesOf([1, 1, 4, 4], data, 2);
  assert.equal(Array.from(p.data), [2.5, 4.5, 10.5, 12.5]);
  assert.is(profilesOf([3, 2], new Float32Array(6)).samples, 3);
  assert.throws(() => profilesOf([1, 2, 3], new Float32Array(6)), /expected/);
});

test.run();
