// Single-value check semantics as properties: bounds, between, near ± tol, and change against a
// baseline (TFMA / MLflow: direction, absolute and relative size, baseline 0), NaN/Inf never pass.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { describeForm, formsOf, judge, ZERO_BASELINE_EPS, type ChangeSpec, type Form } from '../../src/check/forms.ts';
import { FC_SEED } from '../seed.ts';

const opts = { seed: FC_SEED, numRuns: 500 };
const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
const nonNeg = fc.double({ min: 0, max: 1e3, noNaN: true, noDefaultInfinity: true });
const passes = (f: Form, v: number, b?: number) => judge(f, v, b).margin >= 0;

test('bounds pass exactly when min ≤ observed ≤ max', () => {
  fc.assert(fc.property(finite, fc.option(finite, { nil: undefined }), fc.option(finite, { nil: undefined }), (v, min, max) => {
    fc.pre(min !== undefined || max !== undefined);
    const f: Form = { kind: 'bounds', min, max };
    assert.is(passes(f, v), (min === undefined || v >= min) && (max === undefined || v <= max));
  }), opts);
});

test('between [lo, hi] is inclusive at both ends and equals min/max bounds', () => {
  fc.assert(fc.property(finite, finite, finite, (v, a, b) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    assert.is(passes({ kind: 'between', low: lo, high: hi }, v), passes({ kind: 'bounds', min: lo, max: hi }, v));
    assert.ok(passes({ kind: 'between', low: lo, high: hi }, lo));
    assert.ok(passes({ kind: 'between', low: lo, high: hi }, hi));
  }), opts);
});

test('near passes exactly when |observed − near| ≤ tol + rtol·|near|', () => {
  fc.assert(fc.property(finite, finite, nonNeg, fc.double({ min: 0, max: 1, noNaN: true }), (v, near, tol, rtol) => {
    const f: Form = { kind: 'near', near, tol, rtol };
    assert.is(passes(f, v), Math.abs(v - near) <= tol + rtol * Math.abs(near));
  }), opts);
});

test('NaN, ±Infinity and missing observations fail every form, with the reason named', () => {
  const forms: Form[] = [
    { kind: 'bounds', min: -1e300 },
    { kind: 'between', low: -1e300, high: 1e300 },
    { kind: 'near', near: 0, tol: 1e300, rtol: 0 },
    { kind: 'change', change: { direction: 'none', absolute: 1e300 } },
  ];
  for (const f of forms) {
    for (const [v, word] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, 'Infinity'], [null, 'missing']] as const) {
      const j = judge(f, v, 0);
      assert.ok(j.margin < 0, `${f.kind} passed ${v}`);
      assert.match(j.reason ?? '', word);
    }
    if (f.kind === 'change') {
      const j = judge(f, 1, NaN);
      assert.ok(j.margin < 0);
      assert.match(j.reason ?? '', /baseline value is NaN/);
    }
  }
});

const direction = fc.constantFrom<ChangeSpec['direction']>('increase', 'decrease', 'none');

test('absolute change: increase needs c − b ≥ a, decrease b − c ≥ a, none |c − b| ≤ a', () => {
  fc.assert(fc.property(finite, finite, direction, fc.double({ min: -10, max: 10, noNaN: true }), (c, b, dir, a) => {
    const size = dir === 'none' ? Math.abs(a) : a;
    const f: Form = { kind: 'change', change: { direction: dir, absolute: size } };
    const d = c - b;
    const expected = dir === 'increase' ? d >= size : dir === 'decrease' ? -d >= size : Math.abs(d) <= size;
    assert.is(passes(f, c, b), expected);
  }), opts);
});

test('relative change divides by |baseline|; baseline 0 falls back to a strict 1e-10 comparison (MLflow)', () => {
  fc.assert(fc.property(finite, finite, direction, fc.double({ min: -2, max: 2, noNaN: true }), (c, b, dir, r) => {
    const size = dir === 'none' ? Math.abs(r) : r;
    const f: Form = { kind: 'change', change: { direction: dir, relative: size } };
    const d = c - b;
    let expected: boolean;
    if (b === 0) {
      expected = dir === 'increase' ? d >= ZERO_BASELINE_EPS : dir === 'decrease' ? -d >= ZERO_BASELINE_EPS : Math.abs(d) <= ZERO_BASELINE_EPS;
      assert.match(judge(f, c, b).note ?? '', /baseline is 0/);
    } else {
      const rel = d / Math.abs(b);
      expected = dir === 'increase' ? rel >= size : dir === 'decrease' ? -rel >= size : Math.abs(rel) <= size;
    }
    assert.is(passes(f, c, b), expected);
  }), { ...opts, examples: [[1, 0, 'increase', 0.5], [0, 0, 'increase', 0], [-1e-12, 0, 'none', 0], [-2, -1, 'increase', 0.5]] });
});

test('a negative baseline still reads a rise as an increase (|b| in the denominator)', () => {
  const f: Form = { kind: 'change', change: { direction: 'increase', relative: 0.5 } };
  assert.ok(passes(f, -0.4, -1), '−1 → −0.4 is a 60 % rise');
  assert.not.ok(passes(f, -1.6, -1), '−1 → −1.6 is a fall');
});

test('absolute and relative together must both hold', () => {
  fc.assert(fc.property(finite, finite.filter((b) => b !== 0), fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), (c, b, a, r) => {
    const both: Form = { kind: 'change', change: { direction: 'increase', absolute: a, relative: r } };
    const onlyA: Form = { kind: 'change', change: { direction: 'increase', absolute: a } };
    const onlyR: Form = { kind: 'change', change: { direction: 'increase', relative: r } };
    assert.is(passes(both, c, b), passes(onlyA, c, b) && passes(onlyR, c, b));
  }), opts);
});

test('"no regression" (increase ≥ −1e-10) passes an unchanged metric and fails any real drop', () => {
  const f: Form = { kind: 'change', change: { direction: 'increase', absolute: -1e-10 } };
  fc.assert(fc.property(finite, (b) => {
    assert.ok(passes(f, b, b));
    assert.not.ok(passes(f, b - 1e-3, b));
  }), opts);
});

test('each form present in an expectation becomes one check, in a fixed order, with readable wording', () => {
  const forms = formsOf({ near: 3, tol: 0.1, min: 0, change: { direction: 'none', absolute: 0.05 }, between: [0, 6] });
  assert.equal(forms.map((f) => f.kind), ['bounds', 'between', 'near', 'change']);
  assert.equal(forms.map(describeForm), ['≥ 0', 'in [0, 6]', '3 ± 0.1', '|change| ≤ 0.05 (absolute) vs baseline']);
  assert.is(describeForm({ kind: 'change', change: { direction: 'increase', absolute: 0.1, relative: 0.05 } }), 'increase ≥ 0.1 (absolute) and ≥ 5% (relative) vs baseline');
  assert.is(describeForm({ kind: 'near', near: 10, tol: 0.1, rtol: 0.01 }), '10 ± 0.2 (tol 0.1 + rtol 0.01·|10|)');
});

test('failure reasons say observed vs threshold', () => {
  assert.is(judge({ kind: 'bounds', min: 6 }, 4.4768).reason, 'observed 4.4768 < min 6');
  assert.is(judge({ kind: 'bounds', max: 1 }, 2).reason, 'observed 2 > max 1');
  assert.match(judge({ kind: 'change', change: { direction: 'increase', absolute: 1 } }, 1.5, 1).reason ?? '', /increase 0.5 < required 1 \(observed 1.5, baseline 1\)/);
});

test.run();
