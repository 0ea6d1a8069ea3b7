// VarGrad and GradientSHAP against closed forms — VarGrad is 0 where the gradient is constant (a
// linear model) and 4q²σ² on x ↦ q x²; GradientSHAP with a zero baseline is x ⊙ w on a linear
// model, and with uniform baselines x − map/w is a mean of baselines inside the input's range — then
// both on the PyTorch-exported shapes_cnn (seeded: same seed, same map).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import path from 'node:path';
import { additiveModel, linearModel } from '../groundtruth.ts';
import { varGrad } from '../../../../src/probes/attribution/methods/vargrad.ts';
import { gradientShap } from '../../../../src/probes/attribution/methods/gradient-shap.ts';
import { importOnnxFile } from '../../../../src/models/onnx-file.ts';
import { readImage, toModelInput } from '../../../../src/stimuli/image.ts';
import { subjectOf } from '../../../../src/probes/attribution/subject.ts';
import { FC_SEED } from '../../../seed.ts';

const DIMS: [number, number, number] = [2, 5, 6];
const D = 60;
const cls = { kind: 'class' as const, index: 0 };
const floats = (n: number, lo: number, hi: number) => fc.array(fc.float({ min: Math.fround(lo), max: Math.fround(hi), noNaN: true }), { minLength: n, maxLength: n }).map((a) => Float32Array.from(a));

test('property: on linear models VarGrad is exactly 0 and GradientSHAP (zero baseline) is x ⊙ w', async () => {
  await fc.assert(fc.asyncProperty(floats(D, -2, 2), floats(D, -1, 1), fc.integer({ min: 0, max: 2 ** 31 }), async (w, x, seed) => {
    const { subject } = linearModel(DIMS, w, new Float32Array([0.1]));
    const input = { dims: [1, ...DIMS], data: x };
    const v = await varGrad(subject, input, cls, { samples: 4, noise: 0.2, seed });
    assert.ok(v.map.data.every((e) => e === 0));
    const g = await gradientShap(subject, input, cls, { samples: 3, seed });
    for (let i = 0; i < D; i++) assert.ok(Math.abs(g.map.data[i] - x[i] * w[i]) < 1e-5 * (1 + Math.abs(x[i] * w[i])), `${i}`);
    // Uniform baselines: map = w ⊙ (x − mean baseline), a mean of draws inside [min x, max x].
    const u = await gradientShap(subject, input, cls, { samples: 3, baseline: 'uniform', seed });
    const lo = Math.min(...x);
    const hi = Math.max(...x);
    for (let i = 0; i < D; i++) {
      if (Math.abs(w[i]) < 1e-2) continue;
      const b = x[i] - u.map.data[i] / w[i];
      assert.ok(b >= lo - 1e-3 && b <= hi + 1e-3, `${i}: ${b} outside [${lo}, ${hi}]`);
    }
  }), { seed: FC_SEED, numRuns: 6 });
});

test('VarGrad on x ↦ Σ q x²: the gradient 2q(x + ε) has variance 4q²σ²', async () => {
  const q = Float32Array.from({ length: D }, (_, i) => 0.5 + (i % 5) / 5);
  const x = Float32Array.from({ length: D }, (_, i) => (i % 11) / 10);
  const { subject } = additiveModel(DIMS, new Float32Array(D), new Float32Array(D), q);
  const v = await varGrad(subject, { dims: [1, ...DIMS], data: x }, cls, { samples: 400, noise: 0.1, seed: 7 });
  const sigma = v.params.noiseStd as number;
  assert.ok(Math.abs(sigma - 0.1) < 1e-6);
  let ratio = 0;
  for (let i = 0; i < D; i++) ratio += v.map.data[i] / (4 * q[i] ** 2 * sigma ** 2) / D;
  // 400 draws per element, 60 elements: the mean ratio is within a few per cent of 1.
  assert.ok(Math.abs(ratio - 1) < 0.05, String(ratio));
});

test('shapes_cnn disk: both maps finite, seeded (same seed → same map, another seed → another)', async () => {
  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'fixtures', 'shapes_cnn');
  const model = importOnnxFile(path.join(dir, 'shapes_cnn.onnx'));
  const subject = subjectOf(model);
  const input = toModelInput(readImage(path.join(dir, 'shape_0_disk.png')), model.preprocess);
  const v1 = await varGrad(subject, input, cls, { samples: 3, seed: 1 });
  const v2 = await varGrad(subject, input, cls, { samples: 3, seed: 1 });
  assert.ok(v1.map.data.every((e) => Number.isFinite(e) && e >= 0) && v1.map.data.some((e) => e > 0));
  assert.equal(v1.map.data, v2.map.data);
  const g1 = await gradientShap(subject, input, cls, { samples: 3, seed: 1 });
  const g2 = await gradientShap(subject, input, cls, { samples: 3, seed: 2 });
  assert.ok(g1.map.data.every(Number.isFinite));
  assert.not.equal(g1.map.data, g2.map.data);
  assert.ok(v1.score > 0 && v1.score === g1.score);
});

test.run();
