// Sparseness (Gini), entropy and effective complexity: their closed forms on one-hot and uniform
// maps and on a two-level map, their invariances (scale, pixel order), and their bounds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { complexity } from '../../../../../src/probes/attribution/metrics/complexity/complexity.ts';
import { FC_SEED } from '../../../../seed.ts';

const map = (values: number[]) => ({ dims: [1, values.length], data: Float32Array.from(values) });

test('closed forms: one pixel, uniform, two levels; an all-zero map has none', () => {
  const n = 16;
  const one = complexity(map(Array.from({ length: n }, (_, i) => (i === 5 ? 3 : 0))))!;
  assert.ok(Math.abs(one.sparseness - (1 - 1 / n)) < 1e-12);
  assert.is(one.entropy, 0);
  assert.is(one.effective, 1 / n);
  const flat = complexity(map(new Array(n).fill(-2)))!;
  assert.ok(Math.abs(flat.sparseness) < 1e-12);
  assert.ok(Math.abs(flat.entropy - Math.log(n)) < 1e-12);
  assert.is(flat.effective, 1);
  // Half the pixels at 1, half at 0: Gini = 1/2, entropy = ln(n/2), effective = 1/2.
  const half = complexity(map(Array.from({ length: n }, (_, i) => (i % 2 ? 1 : 0))))!;
  assert.ok(Math.abs(half.sparseness - 0.5) < 1e-12);
  assert.ok(Math.abs(half.entropy - Math.log(n / 2)) < 1e-12);
  assert.is(half.effective, 0.5);
  // [C, H, W] maps are reduced by Σ|a| over channels: +1 and −1 on one pixel is one pixel of 2.
  const chw = complexity({ dims: [2, 1, 4], data: Float32Array.from([1, 0, 0, 0, -1, 0, 0, 0]) })!;
  assert.is(chw.entropy, 0);
  assert.is(complexity(map([0, 0, 0])), null);
});

test('property: invariant to scale and pixel order; Gini in [0, 1 − 1/n], entropy in [0, ln n]', () => {
  fc.assert(fc.property(
    fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 64 }).filter((v) => v.some((x) => Math.abs(x) > 1e-3)),
    fc.float({ min: Math.fround(0.01), max: 100, noNaN: true }),
    (values, s) => {
      const c = complexity(map(values))!;
      const n = values.length;
      assert.ok(c.sparseness >= -1e-9 && c.sparseness <= 1 - 1 / n + 1e-9, String(c.sparseness));
      assert.ok(c.entropy >= -1e-9 && c.entropy <= Math.log(n) + 1e-9);
      const scaled = complexity(map([...values].reverse().map((v) => v * s)))!;
      assert.ok(Math.abs(scaled.sparseness - c.sparseness) < 1e-4);
      assert.ok(Math.abs(scaled.entropy - c.entropy) < 1e-4);
    },
  ), { seed: FC_SEED, numRuns: 200 });
});

test.run();
