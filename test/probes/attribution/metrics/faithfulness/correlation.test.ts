// Faithfulness correlation and monotonicity on a linear model with a zero baseline, where the score
// drop of removing pixels S is exactly Σ_{p∈S} (w ⊙ x)_p: the map w ⊙ x correlates at 1 and its
// negation at −1; monotonicity counts the pixels whose contribution is not negative. Then both
// through a whole run on the PyTorch-exported shapes_cnn.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { linearModel } from '../../groundtruth.ts';
import { faithfulnessCorrelation, monotonicity } from '../../../../../src/probes/attribution/metrics/faithfulness/correlation.ts';
import { makeRng } from '../../../../../src/util/rng.ts';
import { runSpecs } from '../../../../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../../../../src/probe/limits.ts';
import { FC_SEED } from '../../../../seed.ts';

const DIMS: [number, number, number] = [2, 4, 5];
const HW = 20;
const D = 40;
const cls = { kind: 'class' as const, index: 0 };

test('property: on a linear model, w ⊙ x correlates at +1, its negation at −1; monotonicity = share of non-negative pixel contributions', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.float({ min: Math.fround(0.2), max: 2, noNaN: true }), { minLength: D, maxLength: D }),
    fc.array(fc.boolean(), { minLength: HW, maxLength: HW }),
    fc.integer({ min: 0, max: 2 ** 31 }),
    async (mags, negative, seed) => {
      // Both channels of a pixel share its sign, so each pixel's contribution is bounded away from 0.
      const w = Float32Array.from(mags, (m, i) => (negative[i % HW] ? -m : m));
      const x = Float32Array.from({ length: D }, (_, i) => 0.5 + (i % 7) / 7);
      const { subject } = linearModel(DIMS, w, new Float32Array([0.3]));
      const input = { dims: [1, ...DIMS], data: x };
      const map = { dims: [...DIMS], data: Float32Array.from(w, (v, i) => v * x[i]) };
      const base = new Float32Array(D);
      const r = await faithfulnessCorrelation(subject, input, cls, map, base, { samples: 12, subset: 0.25 }, makeRng(seed));
      assert.ok(Math.abs(r - 1) < 1e-4, String(r));
      const neg = { dims: map.dims, data: map.data.map((v) => -v) };
      assert.ok(Math.abs((await faithfulnessCorrelation(subject, input, cls, neg, base, { samples: 12, subset: 0.25 }, makeRng(seed))) + 1) < 1e-4);
      const nonNegative = negative.filter((n) => !n).length;
      assert.is(await monotonicity(subject, input, cls, map, base, HW), nonNegative / HW);
    },
  ), { seed: FC_SEED, numRuns: 10 });
});

test('shapes_cnn, gradient × input on the disk: both metrics in range through a run, checks can fail', async () => {
  const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', '..', 'fixtures', 'shapes_cnn');
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ng-faithful-')), 'f.yaml');
  fs.writeFileSync(f, `suite: faithfulness
model: ${shapes}/shapes_cnn.onnx
engine: { device: cpu }
masks:
  - id: gxi
    image: ${shapes}/shape_0_disk.png
    target: { class: 0 }
    method: { gradient_x_input: {} }
    measure: { faithfulness_correlation: { samples: 16, subset: 0.1, baseline: mean }, monotonicity: { steps: 8 } }
    expect: { faithfulness_correlation: { min: -1 }, monotonicity: { min: 1.01 } }
`);
  const { report } = await runSpecs({ paths: [f], limits: { ...DEFAULT_LIMITS, allowOutside: true } });
  const e = report.suites[0].entries[0];
  const m = e.measurements as Record<string, number>;
  assert.ok(m.faithfulness_correlation >= -1 && m.faithfulness_correlation <= 1, String(m.faithfulness_correlation));
  assert.ok(m.monotonicity >= 0 && m.monotonicity <= 1, String(m.monotonicity));
  assert.equal(e.checks.map((c) => c.passed), [true, false]);
  console.log(`shapes_cnn disk, gradient × input: faithfulness_correlation ${m.faithfulness_correlation.toFixed(3)}, monotonicity ${m.monotonicity.toFixed(3)}`);
});

test.run();
