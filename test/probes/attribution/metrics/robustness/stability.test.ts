// Average sensitivity and the local Lipschitz estimate in closed form on a linear model: the
// gradient map does not move (both 0); gradient × input moves by w ⊙ δ, so with |w| = c everywhere
// the Lipschitz estimate is exactly c and the average change is c · mean ‖δ‖. Then through a run on
// shapes_cnn.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { linearModel } from '../../groundtruth.ts';
import { stability } from '../../../../../src/probes/attribution/metrics/robustness/stability.ts';
import { gradientMethod } from '../../../../../src/probes/attribution/methods/gradient.ts';
import { gradientXInput } from '../../../../../src/probes/attribution/methods/gradient-x-input.ts';
import { runSpecs } from '../../../../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../../../../src/probe/limits.ts';
import type { Subject } from '../../../../../src/probes/attribution/types.ts';
import type { Tensor } from '../../../../../src/engine/tensor.ts';
import { FC_SEED } from '../../../../seed.ts';

const DIMS: [number, number, number] = [1, 4, 5];
const cls = { kind: 'class' as const, index: 0 };

test('property: linear model — gradient: 0 and 0; gradient × input with |w| = c: Lipschitz c', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
    fc.float({ min: Math.fround(0.1), max: 3, noNaN: true }),
    fc.integer({ min: 0, max: 2 ** 31 }),
    async (signs, c, seed) => {
      const w = Float32Array.from(signs, (s) => (s ? c : -c));
      const { subject } = linearModel(DIMS, w, new Float32Array([0]));
      const input = { dims: [1, ...DIMS], data: Float32Array.from({ length: 20 }, (_, i) => i / 20) };
      const o = { radius: 0.05, samples: 4 };
      const g = await stability(subject, input, (s: Subject, x: Tensor) => gradientMethod(s, x, cls), o, seed);
      assert.equal([g.avg, g.lipschitz], [0, 0]);
      const gx = await stability(subject, input, (s: Subject, x: Tensor) => gradientXInput(s, x, cls), o, seed);
      assert.ok(Math.abs(gx.lipschitz - c) < 1e-3 * c, `${gx.lipschitz} vs ${c}`);
      // ‖w ⊙ δ‖ = c ‖δ‖ ≤ c · radius · √n.
      assert.ok(gx.avg > 0 && gx.avg <= c * 0.05 * Math.sqrt(20) * (1 + 1e-4));
    },
  ), { seed: FC_SEED, numRuns: 6 });
});

test('shapes_cnn: gradient stability through a run; a check on it can fail', async () => {
  const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', '..', 'fixtures', 'shapes_cnn');
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ng-stability-')), 's.yaml');
  fs.writeFileSync(f, `suite: stability
model: ${shapes}/shapes_cnn.onnx
engine: { device: cpu }
masks:
  - id: grad
    image: ${shapes}/shape_0_disk.png
    target: { class: 0 }
    method: { gradient: {} }
    measure: { stability: { samples: 2 } }
    expect: { avg_sensitivity: { min: 0 }, local_lipschitz: { max: 0 } }
`);
  const { report } = await runSpecs({ paths: [f], limits: { ...DEFAULT_LIMITS, allowOutside: true } });
  const e = report.suites[0].entries[0];
  const m = e.measurements as Record<string, number>;
  assert.ok(m.avg_sensitivity > 0 && Number.isFinite(m.local_lipschitz) && m.local_lipschitz > 0, JSON.stringify(m));
  assert.equal(e.checks.map((c) => c.passed), [true, false]);
});

test.run();
