// Mergeable states of dataset metrics: the states of the parts of any list, merged, are the state
// of the whole list (counts, minima, maxima, fractions and class hits exactly; sums to float
// order; sketch bins exactly), and a merged quantile lies within α·max(|x_lo|, |x_hi|) of numpy's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';
import { classMeanState, mergeStates, SKETCH_ALPHA, stateOf, valueOfState, type StateBy } from '../../src/datasets/mergeable.ts';
import { aggregate, quantile } from '../../src/datasets/aggregate.ts';

const value = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(0), fc.constant(null), fc.constant(Number.NaN), fc.integer({ min: -5, max: 5 }));
/** A list and cut points that split it into contiguous parts. */
const split = fc.array(value, { minLength: 1, maxLength: 200 }).chain((v) => fc.tuple(fc.constant(v), fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, v.length - 1) }), { maxLength: 5 })));
const parts = <T>(v: readonly T[], cuts: number[]) => {
  const at = [0, ...cuts.filter((c) => c < v.length).sort((a, b) => a - b), v.length];
  return at.slice(1).map((end, i) => v.slice(at[i], end));
};
const BYS: StateBy[] = ['mean', 'min', 'max', 'median', { quantile: 0.9 }, { quantile: 0.1 }, { fraction_above: 0.5 }];

test('merging the parts’ states gives the whole’s state: exact fields equal, sums to float order', () => {
  fc.assert(fc.property(split, fc.constantFrom(...BYS), ([v, cuts], by) => {
    const whole = stateOf(v, by);
    const merged = mergeStates(parts(v, cuts).map((p) => stateOf(p, by)));
    assert.is(merged.count, whole.count);
    assert.is(merged.min, whole.min);
    assert.is(merged.max, whole.max);
    assert.is(merged.above, whole.above);
    assert.equal(merged.sketch, whole.sketch, 'sketch bins add up exactly');
    const scale = v.reduce<number>((s, x) => s + (typeof x === 'number' && Number.isFinite(x) ? Math.abs(x) : 0), 0);
    assert.ok(Math.abs(merged.sum - whole.sum) <= 1e-12 * Math.max(1, scale));
    // Exact aggregates from a state are the aggregate of the values.
    const exact = aggregate(v, by as never);
    const got = valueOfState(merged);
    if (by === 'min' || by === 'max' || (typeof by === 'object' && 'fraction_above' in by)) assert.is(got.value, exact);
    if (by === 'mean') assert.ok(exact === null ? got.value === null : Math.abs(got.value! - exact) <= 1e-12 * Math.max(1, scale / whole.count));
  }), { seed: FC_SEED, numRuns: 300 });
});

test('strict states: one missing or non-finite value in any part voids the merged mean, min and max; none leaves them exact', () => {
  fc.assert(fc.property(split, fc.constantFrom<StateBy>('mean', 'min', 'max'), ([v, cuts], by) => {
    const merged = valueOfState(mergeStates(parts(v, cuts).map((p) => stateOf(p, by, true)))).value;
    const bad = v.some((x) => x === null || !Number.isFinite(x));
    if (bad) assert.is(merged, null, 'a NaN or missing value never passes through');
    else if (by !== 'mean') assert.is(merged, aggregate(v, by as never));
    else assert.ok(Math.abs(merged! - aggregate(v, 'mean')!) <= 1e-12 * Math.max(1, ...v.map((x) => Math.abs(x as number))));
  }), { seed: FC_SEED, numRuns: 300 });
});

test('a merged quantile lies within α·max(|x_lo|, |x_hi|) of the exact (numpy) quantile', () => {
  fc.assert(fc.property(split, fc.double({ min: 0, max: 1, noNaN: true }), ([v, cuts], q) => {
    const finite = v.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    const got = valueOfState(mergeStates(parts(v, cuts).map((p) => stateOf(p, { quantile: q })))).value;
    if (finite.length === 0) return got === null;
    const s = [...finite].sort((a, b) => a - b);
    const h = (s.length - 1) * q;
    const lo = s[Math.floor(h)];
    const hi = s[Math.ceil(h)];
    const exact = quantile(finite, q);
    const bound = SKETCH_ALPHA * Math.max(Math.abs(lo), Math.abs(hi)) * (1 + 1e-9) + 1e-300;
    assert.ok(Math.abs(got! - exact) <= bound, `q=${q}: ${got} vs exact ${exact} (bound ${bound})`);
    return true;
  }), { seed: FC_SEED, numRuns: 300 });
});

test('a class-balanced rate merges exactly, whatever the order the classes are met in', () => {
  const row = fc.record({ label: fc.constantFrom('a', 'b', 'c', 'd'), hit: fc.boolean() });
  fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 60 }).chain((v) => fc.tuple(fc.constant(v), fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, v.length - 1) }), { maxLength: 4 }))), ([v, cuts]) => {
    const whole = valueOfState(classMeanState(v)).value;
    const merged = valueOfState(mergeStates(parts(v, cuts).map(classMeanState))).value;
    assert.is(merged, whole);
  }), { seed: FC_SEED, numRuns: 300 });
});

test('states that do not fit together, or forged sketch bins, are refused', () => {
  assert.throws(() => mergeStates([stateOf([1], 'mean'), stateOf([1], 'median')]), /aggregate differently/);
  const forged = stateOf([1, 2], 'median');
  forged.sketch!.positive.push([1e9, 1]);
  assert.throws(() => mergeStates([forged]), /malformed bins/);
  assert.throws(() => mergeStates([]), /no states/);
});

test.run();
