import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { familyMetrics } from '../../../src/probes/neuron/family.ts';
import { FC_SEED } from '../../seed.ts';

test('n evenly tiled peaks (any rotation): every gap is 360/n, gap ratio 1, uniformity 1', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 24 }), fc.double({ min: -720, max: 720, noNaN: true }), (n, rot) => {
    const m = familyMetrics(Array.from({ length: n }, (_, i) => rot + (360 * i) / n));
    assert.ok(m.gapsDeg.every((g) => Math.abs(g - 360 / n) < 1e-6));
    assert.ok(Math.abs(m.gapRatio - 1) < 1e-6);
    assert.ok(Math.abs(m.uniformity - 1) < 1e-9);
    assert.ok(m.rayleighZ < 1e-9);
  }), { seed: FC_SEED, numRuns: 100 });
});

test('gaps always sum to 360, the largest is at least 360/n, and the order of peaks does not matter', () => {
  fc.assert(fc.property(fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { minLength: 1, maxLength: 30 }), (peaks) => {
    const m = familyMetrics(peaks);
    assert.ok(Math.abs(m.gapsDeg.reduce((s, g) => s + g, 0) - 360) < 1e-6);
    assert.ok(m.largestGapDeg >= 360 / peaks.length - 1e-9);
    assert.ok(m.gapRatio >= 1 - 1e-9 && m.gapRatio <= peaks.length + 1e-9);
    assert.ok(m.uniformity >= -1e-12 && m.uniformity <= 1 + 1e-12);
    const r = familyMetrics([...peaks].reverse());
    assert.ok(Math.abs(r.largestGapDeg - m.largestGapDeg) < 1e-9);
  }), { seed: FC_SEED, numRuns: 200 });
});

test('peaks bunched in one quadrant leave a large gap and low uniformity', () => {
  const m = familyMetrics([10, 20, 30, 40, 50, 60, 70, 80]);
  assert.ok(Math.abs(m.largestGapDeg - 290) < 1e-9);
  assert.ok(m.uniformity < 0.3);
  assert.ok(m.rayleighZ > 4);
  assert.ok(Math.abs(m.minSeparationDeg - 10) < 1e-9);
  assert.ok(Math.abs(familyMetrics([359, 1]).minSeparationDeg - 2) < 1e-9);
});

test('no peaks is an error', () => {
  assert.throws(() => familyMetrics([]), /no peaks/);
});

test.run();
