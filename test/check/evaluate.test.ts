// Checks over cases and repeats as properties: `mostly` (a fraction of cases), k-of-n over
// repeats, the deciding value reported as "observed", and failures that are never silent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { evaluate, missingMetric, needed } from '../../src/check/evaluate.ts';
import { formsOf, judge, type ExpectationSpec } from '../../src/check/forms.ts';
import { FC_SEED } from '../seed.ts';

const opts = { seed: FC_SEED, numRuns: 400 };
const value = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, null) },
);
const grid = (maxRepeats: number) => fc.integer({ min: 1, max: 12 }).chain((cases) =>
  fc.array(fc.array(value, { minLength: cases, maxLength: cases }), { minLength: 1, maxLength: maxRepeats }));
const fraction = fc.double({ min: 0.01, max: 1, noNaN: true });
const passesOne = (e: ExpectationSpec, v: number | null) => judge(formsOf(e)[0], v).margin >= 0;

test('needed(): ⌈fraction·n⌉, at least 1, exact for fractions that float arithmetic rounds up', () => {
  assert.is(needed(0.7, 10), 7);
  assert.is(needed(0.3, 10), 3);
  assert.is(needed(1, 13), 13);
  assert.is(needed(0.01, 5), 1);
  fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (k, n) => {
    fc.pre(k <= n);
    assert.is(needed(k / n, n), k);
  }), opts);
});

test('mostly: a run passes exactly when at least ⌈mostly·cases⌉ cases pass', () => {
  fc.assert(fc.property(grid(1), fraction, fc.double({ min: -5, max: 5, noNaN: true }), ([row], mostly, min) => {
    const e: ExpectationSpec = { min, mostly };
    const [r] = evaluate('m', e, { values: [row] });
    const passing = row.filter((v) => passesOne(e, v)).length;
    assert.is(r.passed, passing >= needed(mostly, row.length));
  }), opts);
});

test('k-of-n: the check passes exactly when at least k repeats pass (each with its own mostly)', () => {
  fc.assert(fc.property(grid(8), fraction, fc.double({ min: -5, max: 5, noNaN: true }), fc.integer({ min: 1, max: 8 }), (values, mostly, max, kRaw) => {
    const k = Math.min(kRaw, values.length);
    const e: ExpectationSpec = { max, mostly, k };
    const [r] = evaluate('m', e, { values });
    const repeatsPassing = values.filter((row) => row.filter((v) => passesOne(e, v)).length >= needed(mostly, row.length)).length;
    assert.is(r.passed, repeatsPassing >= k);
    assert.is((r.threshold as { k: number }).k, k);
    assert.is((r.threshold as { n: number }).n, values.length);
  }), opts);
});

test('"observed" is the deciding value: the check passes exactly when that value passes alone', () => {
  fc.assert(fc.property(grid(5), fraction, fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }), (values, mostly, near, tol) => {
    const e: ExpectationSpec = { near, tol, rtol: 0, mostly };
    const [r] = evaluate('m', e, { values });
    if (r.observed === null) assert.not.ok(r.passed, 'an unmeasurable deciding value never passes');
    else assert.is(r.passed, passesOne(e, r.observed));
  }), opts);
});

test('every result names metric, expectation and threshold; every failure says why', () => {
  fc.assert(fc.property(grid(4), fc.double({ min: -5, max: 5, noNaN: true }), (values, min) => {
    for (const r of evaluate('activation.mean', { min, between: [-1, 1] }, { values, cases: values[0].map((_, i) => `img${i}`) }, 'f.yaml:3:4')) {
      assert.is(r.metric, 'activation.mean');
      assert.ok(r.expectation.length > 0);
      assert.ok(Object.keys(r.threshold).length > 0);
      assert.is(r.where, 'f.yaml:3:4');
      if (!r.passed) assert.ok((r.reason ?? '').length > 0, 'a failure without a reason');
      if (r.observed !== null) assert.ok(Number.isFinite(r.observed));
    }
  }), opts);
});

test('a NaN among the cases fails an all-cases check and names the case', () => {
  const [r] = evaluate('activation', { min: 0 }, { values: [[1, NaN, 2]], cases: ['a.png · unit 1', 'b.png · unit 1', 'c.png · unit 1'] });
  assert.not.ok(r.passed);
  assert.is(r.observed, null);
  assert.match(r.reason!, /2 of 3 cases pass, 3 needed/);
  assert.match(r.reason!, /b\.png · unit 1: observed value is NaN/);
});

test('a passing fractional check explains how it passed', () => {
  const [r] = evaluate('activation', { max: 0.1, mostly: 0.75 }, { values: [[0, 0, 0, 5]] });
  assert.ok(r.passed);
  assert.is(r.reason, '3 of 4 cases pass, 3 needed');
  assert.is(r.expectation, '≤ 0.1 for ≥ 75% of 4 cases');
});

test('change checks carry the baseline value of the deciding case', () => {
  const [r] = evaluate('activation', { change: { direction: 'increase', absolute: 0.5 } }, { values: [[2, 1.2]], baseline: [[1, 1]] });
  assert.not.ok(r.passed);
  assert.is(r.observed, 1.2);
  assert.is(r.baseline, 1);
  assert.match(r.reason!, /increase 0.2 < required 0.5/);
});

test('a missing baseline value fails a change check', () => {
  const [r] = evaluate('activation', { change: { direction: 'none', absolute: 1 } }, { values: [[2]] });
  assert.not.ok(r.passed);
  assert.match(r.reason!, /baseline value is missing/);
});

test('no values at all fail, and an expectation on a metric the probe did not produce fails (never skips)', () => {
  const [empty] = evaluate('activation', { min: 0 }, { values: [] });
  assert.not.ok(empty.passed);
  assert.match(empty.reason!, /no values/);
  const missing = missingMetric('tuning.peak_deg', { near: 90, tol: 5, max: 100 }, ['activation', 'activation.mean'], 'x.yaml:1:1');
  assert.is(missing.length, 2);
  for (const r of missing) {
    assert.not.ok(r.passed);
    assert.is(r.observed, null);
    assert.match(r.reason!, /did not produce `tuning\.peak_deg` \(it produced: activation, activation\.mean\)/);
  }
});

test.run();
