// `properties: { linearity, dummy_input }` through a whole run on the PyTorch-exported shapes_cnn
// (square scene, class 1). Measured: linearity 2.9e-7 (gradient), 1.1e-7 (IG, weights [1, −1]),
// 2.4e-7 (SmoothGrad, one seed), 3.3e-8 (occlusion), 3.2e-8 (Grad-CAM without ReLU) and 0.48 with
// it; dummy_input exactly 0 for the gradient methods, 0.046 for 32-pixel occlusion windows that
// straddle the 8-pixel border, 0.006 for Grad-CAM (its upsampled map spills onto the border).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { validateSpecs } from '../../../../../src/run/index.ts';
import { SpecError } from '../../../../../src/suite/issues.ts';
import { limits, runShapes as run, shapes, specDir as dir } from './shapes-run.ts';

const entry = (id: string, method: string, properties: string, seed = '', target = '{ class: 1 }') => `  - id: ${id}
    image: ${shapes}/shape_1_square.png
    target: ${target}
${seed}    method: { ${method} }
    properties: ${properties}
    expect: { score: { min: 0 } }
`;

test('linearity and dummy input on the shapes CNN: round-off for linear methods, the CAM’s ReLU and upsampling show', async () => {
  const m = await run(
    entry('grad', 'gradient: {}', '{ linearity: {}, dummy_input: {} }')
    + entry('ig', 'integrated_gradients: { steps: 16 }', '{ linearity: { weights: [1, -1] }, dummy_input: {} }')
    + entry('sg', 'smoothgrad: { samples: 4 }', '{ linearity: {}, dummy_input: {} }', '    seed: 3\n')
    + entry('sg2', 'smoothgrad: { samples: 4 }', '{ linearity: {}, dummy_input: {} }', '    seed: 3\n')
    + entry('occ', 'occlusion: { window: [32, 32], stride: [32, 32] }', '{ linearity: {}, dummy_input: {} }')
    + entry('cam', 'grad_cam: {}', '{ linearity: { weights: [1, -1] }, dummy_input: {} }')
    + entry('camlin', 'grad_cam: { relu: false }', '{ linearity: { weights: [1, -1] } }'),
  );
  for (const id of ['grad', 'ig', 'sg', 'occ', 'camlin']) {
    assert.ok(m[id].linearity < 1e-5, `${id}: linearity ${m[id].linearity}`);
    assert.ok(m[id].linearity_score_change < 1e-5 * Math.abs(m[id].score), `${id}: ${m[id].linearity_score_change}`);
  }
  assert.ok(m.cam.linearity > 0.1, `the ReLU on Grad-CAM's map: ${m.cam.linearity}`);
  for (const id of ['grad', 'ig', 'sg']) assert.is(m[id].dummy_input, 0, id);
  for (const id of ['grad', 'ig', 'sg', 'occ', 'cam']) assert.is(m[id].dummy_input_score_change, 0, id);
  assert.ok(m.occ.dummy_input > 0 && m.occ.dummy_input < m.occ.dummy_input_area, `windows straddle the border: ${m.occ.dummy_input}`);
  assert.ok(m.cam.dummy_input > 0, `the upsampled CAM spills onto the border: ${m.cam.dummy_input}`);
  assert.is(m.grad.dummy_input_area, 1 - 224 ** 2 / 240 ** 2);
  assert.equal(m.sg, m.sg2, 'the same seed gives the same values');
});

test('linearity refuses, at its spec line, a target that is no class and a class that is not the model’s', async () => {
  const f = path.join(dir, 'refused.yaml');
  fs.writeFileSync(f, `suite: refused
model: ${shapes}/shapes_cnn.onnx
masks:
${entry('c', 'gradient: {}', '{ linearity: {} }', '', '{ contrastive: 1 }')}${entry('o', 'gradient: {}', '{ linearity: { other: 7 } }')}`);
  const err = await validateSpecs([f], { limits }).then(() => undefined, (e: unknown) => e);
  assert.instance(err, SpecError);
  const issues = (err as SpecError).issues.map((i) => `${i.where} ${i.message}`);
  assert.is(issues.length, 2, issues.join('\n'));
  assert.match(issues[0], /refused\.yaml:\d+:\d+.*linearity combines two class logits; the entry explains a contrastive target/);
  assert.match(issues[1], /class 7 does not exist: the model has 3 classes/);
});

test.run();
