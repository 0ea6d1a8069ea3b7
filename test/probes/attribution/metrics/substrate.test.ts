// The baselines of deletion and insertion curves: black pixels through the model's preprocessing,
// the image's per-channel mean, seeded noise, a Gaussian blur (RISE's σ = 5 by default).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../../../seed.ts';
import { substrate, SUBSTRATE_DEFAULTS } from '../../../../src/probes/attribution/metrics/faithfulness/substrate.ts';
import { blurPlanes } from '../../../../src/probes/attribution/blur.ts';
import type { Preprocess } from '../../../../src/models/types.ts';
import { makeRng } from '../../../../src/util/rng.ts';

const H = 6;
const W = 5;
const pre: Preprocess = { height: H, width: W, scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channelOrder: 'RGB', sourceLayout: 'NCHW' };

test('published defaults: deletion to black, insertion from a σ = 5 blur', () => {
  assert.equal(SUBSTRATE_DEFAULTS, { deletion: 'black', insertion: 'blur', blurSigma: 5 });
});

test('black is a black image through the preprocessing; mean is the per-channel mean; blur is the Gaussian blur', () => {
  fc.assert(fc.property(fc.array(fc.float({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }), { minLength: 3 * H * W, maxLength: 3 * H * W }), (xs) => {
    const input = { dims: [1, 3, H, W], data: Float32Array.from(xs) };
    const black = substrate(input, pre, 'black');
    for (let c = 0; c < 3; c++) for (let i = 0; i < H * W; i++) assert.ok(Math.abs(black[c * H * W + i] + pre.mean[c] / pre.std[c]) < 1e-5);
    const mean = substrate(input, pre, 'mean');
    for (let c = 0; c < 3; c++) {
      const want = xs.slice(c * H * W, (c + 1) * H * W).reduce((a, b) => a + b, 0) / (H * W);
      for (let i = 0; i < H * W; i++) assert.ok(Math.abs(mean[c * H * W + i] - want) < 1e-5);
    }
    assert.equal(substrate(input, pre, 'blur', { blurSigma: 2 }), blurPlanes(input.data, 3, H, W, 2));
  }), { seed: FC_SEED, numRuns: 50 });
});

test('noise is seeded pixel noise through the preprocessing: same seed, same image; inside the model\'s range', () => {
  const input = { dims: [1, 3, H, W], data: new Float32Array(3 * H * W) };
  const a = substrate(input, pre, 'noise', { rng: makeRng(3) });
  assert.equal(a, substrate(input, pre, 'noise', { rng: makeRng(3) }));
  assert.not.equal(a, substrate(input, pre, 'noise', { rng: makeRng(4) }));
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < H * W; i++) {
      const v = a[c * H * W + i];
      assert.ok(v >= -pre.mean[c] / pre.std[c] - 1e-5 && v <= (1 - pre.mean[c]) / pre.std[c] + 1e-5);
    }
  }
});

test.run();
