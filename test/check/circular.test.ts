// `near` with `circular:` — angles wrap: the distance is the shorter way round the circle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { circularDistance, judge, formsOf } from '../../src/check/forms.ts';
import { FC_SEED } from '../seed.ts';

test('circular distance is symmetric, at most half the period, and invariant to whole turns', () => {
  fc.assert(fc.property(fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.integer({ min: -5, max: 5 }), (a, b, k) => {
    const d = circularDistance(a, b, 360);
    assert.ok(d >= 0 && d <= 180 + 1e-9);
    assert.ok(Math.abs(d - circularDistance(b, a, 360)) < 1e-7);
    assert.ok(Math.abs(d - circularDistance(a + 360 * k, b, 360)) < 1e-6);
  }), { seed: FC_SEED });
});

test('a peak at 359° is near 3.3° within 12° on the circle, but not on the line', () => {
  const [circ] = formsOf({ near: 3.3, tol: 12, circular: 360 });
  const [line] = formsOf({ near: 3.3, tol: 12 });
  assert.ok(judge(circ, 359).margin >= 0);
  assert.ok(judge(line, 359).margin < 0);
  assert.ok(judge(circ, 20).margin < 0, '16.7° away fails');
  assert.match(judge(circ, 200).reason!, /from 3.3/);
});

test.run();
