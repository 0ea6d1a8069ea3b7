import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';
import { maxSimilarityMatching, minCostAssignment } from '../../src/compare/hungarian.ts';

/** Cheapest assignment by trying every injective map of the smaller side into the larger. */
function bruteForce(cost: number[][]): number {
  const n = cost.length;
  const m = cost[0].length;
  const rows = n <= m;
  const small = rows ? n : m;
  const large = rows ? m : n;
  const at = (i: number, j: number) => (rows ? cost[i][j] : cost[j][i]);
  let best = Infinity;
  const used = new Array<boolean>(large).fill(false);
  const go = (i: number, acc: number) => {
    if (i === small) { best = Math.min(best, acc); return; }
    for (let j = 0; j < large; j++) {
      if (used[j]) continue;
      used[j] = true;
      go(i + 1, acc + at(i, j));
      used[j] = false;
    }
  };
  go(0, 0);
  return best;
}

const matrix = fc.integer({ min: 1, max: 6 }).chain((n) => fc.integer({ min: 1, max: 6 }).chain((m) =>
  fc.array(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: m, maxLength: m }), { minLength: n, maxLength: n })));

test('the assignment is one-to-one, pairs min(n, m) rows, and costs exactly the brute-force optimum', () => {
  fc.assert(fc.property(matrix, (cost) => {
    const a = minCostAssignment(cost);
    const n = cost.length;
    const m = cost[0].length;
    assert.is(a.length, n);
    const cols = a.filter((j) => j >= 0);
    assert.is(cols.length, Math.min(n, m));
    assert.is(new Set(cols).size, cols.length);
    const total = a.reduce((s, j, i) => (j >= 0 ? s + cost[i][j] : s), 0);
    const best = bruteForce(cost);
    assert.ok(Math.abs(total - best) <= 1e-9 * (1 + Math.abs(best)), `total ${total} vs optimum ${best}`);
  }), { seed: FC_SEED, numRuns: 300 });
});

test('maximum similarity: a permuted identity-like matrix is matched back to its permutation', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 12 }).chain((n) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })), (perm) => {
    const n = perm.length;
    const sim = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (perm[i] === j ? 1 : 0.5 - 0.01 * Math.abs(i - j))));
    const pairs = maxSimilarityMatching(sim);
    assert.equal(pairs, perm.map((j, i) => [i, j]));
  }), { seed: FC_SEED, numRuns: 200 });
});

test('greedy would fail here; the optimum takes the second-best pair', () => {
  // Greedy takes (0,0) = 10 first and is left with (1,1) = 1: 11. The optimum is 9 + 8 = 17.
  assert.equal(maxSimilarityMatching([[10, 9], [8, 1]]), [[0, 1], [1, 0]]);
});

test('empty and non-finite input', () => {
  assert.equal(minCostAssignment([]), []);
  assert.equal(minCostAssignment([[], []]), [-1, -1]);
  assert.throws(() => minCostAssignment([[1, Number.NaN]]), /not finite/);
  assert.throws(() => minCostAssignment([[1, 2], [3]]), /columns/);
});

test.run();
