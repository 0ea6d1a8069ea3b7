// The metrics added for issue 24 through a whole run on the PyTorch-exported shapes_cnn, for three
// methods on the disk: every value finite, and ordered as the literature says —
// - random logit (Sixt et al. 2020): gradient and gradient × input look alike whichever class they
//   explain (their maps follow the image), Grad-CAM's differ: lower similarity for Grad-CAM;
// - input invariance (Kindermans et al. 2017): the gradient and Grad-CAM are invariant to a shift
//   the first layer absorbs, gradient × input is not (the shift multiplies into it);
// - ROAD, IROF and region perturbation: Grad-CAM's coarse region map removes the disk first; the per-pixel gradient,
//   noisy in sign, removes it late;
// - non-sensitivity: the gradient is nowhere exactly zero (0 disagreements), Grad-CAM's ReLU zeroes
//   regions the model still reacts to.
// eMPRT is only asked to be finite: the gradient's entropy rises (0.48 measured), but Grad-CAM of the
// fully randomised model is all zeros after its ReLU, so its entropy falls to 0 (eMPRT −1): the
// metric reads a dead map as simpler, a known blind spot of complexity-based randomisation checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpecs } from '../../../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../../../src/probe/limits.ts';

const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'fixtures', 'shapes_cnn');
const NEW = ['road_morf', 'road_lerf', 'road_gap', 'irof', 'random_logit', 'random_logit_class', 'mprt_independent_mean', 'mprt_independent_max', 'non_sensitivity', 'input_invariance', 'input_invariance_score_change', 'emprt', 'smprt_top', 'smprt_final', 'region_aopc'];

test('shapes_cnn disk: the new metrics are finite, ordered between methods as published, and their checks can fail', async () => {
  const entry = (method: string, expect: string) => `  - id: ${method}
    image: ${shapes}/shape_0_disk.png
    target: { class: 0 }
    method: { ${method}: {} }
    measure:
      road: { steps: 4 }
      irof: { segments: 49 }
      random_logit: true
      randomization_independent: { layers: 3 }
      non_sensitivity: { patch: 32, samples: 1 }
      input_invariance: {}
      randomization_efficient: {}
      randomization_smooth: { steps: 2, samples: 4 }
      region_perturbation: { patch: 32, regions: 10, baseline: mean }
    expect: ${expect}
`;
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ng-quantus-')), 'q.yaml');
  fs.writeFileSync(f, `suite: quantus-breadth
model: ${shapes}/shapes_cnn.onnx
engine: { device: cpu }
seed: 3
masks:
${entry('gradient', '{ input_invariance: { max: 0.001 }, non_sensitivity: { max: 0 } }')}${entry('grad_cam', '{ random_logit: { max: 0 } }')}${entry('gradient_x_input', '{ input_invariance: { max: 0.001 } }')}`);
  const { report } = await runSpecs({ paths: [f], limits: { ...DEFAULT_LIMITS, allowOutside: true } });
  const [g, cam, gxi] = report.suites[0].entries.map((e) => {
    assert.is(e.error, undefined, JSON.stringify(e.error));
    const m = e.measurements as Record<string, number>;
    for (const k of NEW) assert.ok(Number.isFinite(m[k]), `${e.id}: ${k} = ${m[k]}`);
    for (const k of ['random_logit', 'mprt_independent_mean', 'mprt_independent_max', 'smprt_top', 'smprt_final']) assert.ok(m[k] >= -1 && m[k] <= 1, `${e.id}: ${k}`);
    assert.ok(m.non_sensitivity >= 0 && m.non_sensitivity <= 1);
    assert.ok(m.input_invariance_score_change < 1e-3, `${e.id}: the shifted model moves the score by ${m.input_invariance_score_change}`);
    console.log(`${e.id}: ${NEW.map((k) => `${k} ${m[k].toFixed(3)}`).join(', ')}`);
    return { m, passed: e.checks.map((c) => c.passed) };
  });
  assert.ok(cam.m.random_logit < g.m.random_logit && cam.m.random_logit < gxi.m.random_logit, 'Grad-CAM is the most class-sensitive');
  assert.ok(g.m.input_invariance < 1e-3 && cam.m.input_invariance < 1e-3 && gxi.m.input_invariance > 0.1);
  assert.ok(cam.m.road_gap > g.m.road_gap && cam.m.irof > g.m.irof && cam.m.region_aopc > g.m.region_aopc, 'Grad-CAM finds the disk before the gradient does');
  assert.ok(g.m.non_sensitivity === 0 && cam.m.non_sensitivity > 0);
  // Checks read the new metrics: the gradient passes both; gradient × input fails invariance.
  assert.equal([g.passed, cam.passed, gxi.passed], [[true, true], [true], [false]]);
});

test.run();
