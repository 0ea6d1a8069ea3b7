import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { withinTolerance, allowedError, toleranceFor, DEFAULT_TOLERANCES } from '../../src/golden/tolerance.ts';
import { compareNumeric } from '../../src/golden/numeric.ts';
import { NeurogateError } from '../../src/errors.ts';

import { FC_SEED } from '../seed.ts';

const params = { seed: FC_SEED, numRuns: 300 };

const tolArb = fc.record({ atol: fc.double({ min: 0, max: 1, noNaN: true }), rtol: fc.double({ min: 0, max: 1, noNaN: true }) });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
const anyNumber = fc.oneof(finite, fc.constantFrom(NaN, Infinity, -Infinity, 0, -0));

test('within tolerance exactly when |a − e| ≤ atol + rtol·|e| (finite values)', () => {
  fc.assert(fc.property(finite, finite, tolArb, (a, e, tol) => {
    assert.is(withinTolerance(a, e, tol), Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e));
  }), params);
});

test('a value always matches itself; a looser tolerance never rejects what a tighter one accepted', () => {
  fc.assert(fc.property(finite, finite, tolArb, fc.double({ min: 0, max: 10, noNaN: true }), (a, e, tol, more) => {
    assert.ok(withinTolerance(e, e, { atol: 0, rtol: 0 }));
    if (withinTolerance(a, e, tol)) assert.ok(withinTolerance(a, e, { atol: tol.atol + more, rtol: tol.rtol + more }));
  }), params);
});

test('a NaN or an infinity on either side never matches, whatever the tolerance (+∞ vs +∞ included)', () => {
  fc.assert(fc.property(anyNumber, anyNumber, tolArb, (a, e, tol) => {
    if (!Number.isFinite(a) || !Number.isFinite(e)) assert.not.ok(withinTolerance(a, e, tol), `${a} vs ${e}`);
  }), params);
  // A huge tolerance must not make ∞ match a finite value (atol + rtol·∞ = ∞), nor itself.
  assert.not.ok(withinTolerance(1, Infinity, { atol: 1e300, rtol: 1 }));
  assert.not.ok(withinTolerance(Infinity, Infinity, { atol: 0, rtol: 0 }));
  assert.not.ok(withinTolerance(-Infinity, -Infinity, { atol: 1e300, rtol: 1e300 }));
  assert.not.ok(withinTolerance(NaN, NaN, { atol: 1, rtol: 1 }));
});

test('the boundary counts as inside (≤), one step past it does not', () => {
  assert.ok(withinTolerance(1.5, 1, { atol: 0.25, rtol: 0.25 }));
  assert.not.ok(withinTolerance(1.5 + 2 ** -40, 1, { atol: 0.25, rtol: 0.25 }));
  assert.is(allowedError(-4, { atol: 0.5, rtol: 0.25 }), 1.5);
});

test('per-device defaults: GPU engines looser than CPU; overrides apply; bad tolerances are refused', () => {
  assert.ok(DEFAULT_TOLERANCES.webgpu.atol > DEFAULT_TOLERANCES.cpu.atol);
  assert.equal(toleranceFor('cpu', { rtol: 0.5 }), { atol: DEFAULT_TOLERANCES.cpu.atol, rtol: 0.5 });
  assert.equal(toleranceFor('tpu'), DEFAULT_TOLERANCES.webgpu);
  for (const bad of [{ atol: -1 }, { rtol: NaN }, { atol: Infinity }]) {
    try {
      toleranceFor('cpu', bad, 'spec.yaml:3:5');
      assert.unreachable('accepted a bad tolerance');
    } catch (e) {
      assert.instance(e, NeurogateError);
      assert.is((e as NeurogateError).code, 'E_TOLERANCE');
      assert.is((e as NeurogateError).where, 'spec.yaml:3:5');
    }
  }
});

test('arrays compare elementwise: mismatches counted, the worst element is the one furthest past its allowance', () => {
  fc.assert(fc.property(fc.array(fc.tuple(anyNumber, anyNumber), { minLength: 1, maxLength: 40 }), tolArb, (pairs, tol) => {
    const a = pairs.map((p) => p[0]);
    const e = pairs.map((p) => p[1]);
    const r = compareNumeric(a, e, tol);
    const bad = pairs.filter(([x, y]) => !withinTolerance(x, y, tol)).length;
    assert.is(r.mismatches, bad);
    assert.is(r.passed, bad === 0);
    assert.is(r.count, pairs.length);
    const w = r.worst!;
    assert.ok(w.index >= 0 && w.index < pairs.length);
    // When anything fails, the worst element is a failing one, and no finite failure exceeds it.
    if (bad > 0) {
      assert.not.ok(withinTolerance(a[w.index], e[w.index], tol));
      const ratio = (i: number) => Math.abs(a[i] - e[i]) / allowedError(e[i], tol);
      if (Number.isFinite(a[w.index]) && Number.isFinite(e[w.index]) && allowedError(e[w.index], tol) > 0) {
        for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]) && Number.isFinite(e[i]) && !withinTolerance(a[i], e[i], tol)) assert.ok(ratio(i) <= ratio(w.index));
      }
    }
  }), params);
});

test('sizes are checked before any element; Float32Array and scalars compare too', () => {
  const r = compareNumeric([1, 2, 3], [1, 2], { atol: 1, rtol: 0 });
  assert.not.ok(r.passed);
  assert.equal(r.sizeMismatch, { actual: 3, expected: 2 });
  const f = Float32Array.from([0.1, 0.2]);
  assert.ok(compareNumeric(f, [0.1, 0.2], { atol: 1e-7, rtol: 0 }).passed);
  assert.not.ok(compareNumeric(f, [0.1, 0.2], { atol: 0, rtol: 0 }).passed, 'float32 rounding is visible at zero tolerance');
  const s = compareNumeric(2, 2.5, { atol: 0.1, rtol: 0 });
  assert.equal([s.passed, s.worst?.index, s.worst?.absDiff], [false, 0, 0.5]);
});

test.run();
