// sMPRT's smoothing in closed form: the gradient of a linear model is the same on every noisy copy,
// so smoothing leaves it exactly and the smooth cascade equals the plain one; a map linear in the
// input commutes with the smoothing (the mean of w ⊙ (x + n) is w ⊙ the mean of x + n); the noise
// has the asked std relative to the input's range.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { smoothedExplain } from '../../../../../src/probes/attribution/metrics/randomisation/smooth.ts';
import { modelRandomization } from '../../../../../src/probes/attribution/metrics/randomisation/randomization.ts';
import { gradientMethod } from '../../../../../src/probes/attribution/methods/gradient.ts';
import type { Attribution, Subject, Target } from '../../../../../src/probes/attribution/types.ts';
import type { Tensor } from '../../../../../src/engine/tensor.ts';
import { linearModel } from '../../groundtruth.ts';
import { makeRng, normal } from '../../../../../src/util/rng.ts';

const DIMS: [number, number, number] = [1, 5, 6];
const cls: Target = { kind: 'class', index: 0 };
const mapOf = (data: Float32Array) => ({ method: 'planted', target: cls, map: { dims: [5, 6], data }, params: {}, score: 0, evaluations: { forward: 0, backward: 0 } }) as Attribution;

test('linear model: the smoothed gradient is the gradient, and the smooth cascade equals the plain one', async () => {
  const rng = makeRng(1);
  const x = { dims: [1, ...DIMS], data: Float32Array.from({ length: 30 }, () => normal(rng)) };
  const { subject } = linearModel(DIMS, Float32Array.from({ length: 60 }, () => normal(rng)), new Float32Array(2));
  const explain = (s: Subject, xx: Tensor, t?: Target) => gradientMethod(s, xx, t ?? cls);
  const smooth = smoothedExplain(explain, x, 5, 0.1, 3);
  assert.equal(Array.from((await smooth(subject, x)).map.data), Array.from((await explain(subject, x)).map.data));
  const plain = await modelRandomization(subject, x, cls, explain, { steps: 1, seed: 9 });
  const smoothed = await modelRandomization(subject, x, cls, smooth, { steps: 1, seed: 9 });
  assert.is(smoothed.points[0].spearman, plain.points[0].spearman);
});

test('a map linear in the input commutes with smoothing; the noise std is the fraction of the range', async () => {
  const x = { dims: [1, ...DIMS], data: Float32Array.from({ length: 30 }, (_, i) => i / 29) };
  const w = Float32Array.from({ length: 30 }, (_, i) => (i % 3) - 1);
  const identity = smoothedExplain(async (_s, xx) => mapOf(Float32Array.from(xx.data)), x, 400, 0.2, 5);
  const weighted = smoothedExplain(async (_s, xx) => mapOf(Float32Array.from(xx.data, (v, i) => w[i] * v)), x, 400, 0.2, 5);
  const s = {} as Subject;
  const mean = (await identity(s, x)).map.data;
  const wm = (await weighted(s, x)).map.data;
  for (let i = 0; i < 30; i++) assert.ok(Math.abs(wm[i] - w[i] * mean[i]) < 1e-5, `${i}`);
  // The mean of 400 copies with std 0.2 (range 1) lies within 4σ/√400 = 0.04 of x.
  for (let i = 0; i < 30; i++) assert.ok(Math.abs(mean[i] - x.data[i]) < 0.04, `${i}: ${mean[i]}`);
  // One copy: x + n, and n has std 0.2 over the 30 values (loosely: 30 draws).
  const one = (await smoothedExplain(async (_s, xx) => mapOf(Float32Array.from(xx.data)), x, 1, 0.2, 5)(s, x)).map.data;
  const sd = Math.sqrt(one.reduce((acc, v, i) => acc + (v - x.data[i]) ** 2, 0) / 30);
  assert.ok(sd > 0.12 && sd < 0.28, String(sd));
});

test.run();
