// Inversion with the autodiff: an image the clean-room generator drew comes back (small MSE), a
// photograph does not (the out-of-domain gap), both in pixels and in shapes_cnn's features.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { buildGenerator } from '../../src/generators/network.ts';
import { invert } from '../../src/generators/inversion.ts';
import { noiseFeeds, runItems, sampleLatents } from '../../src/generators/sample.ts';
import { concatBatch } from '../../src/engine/tensor.ts';
import { loadModel } from '../../src/models/load.ts';
import { readImage, resize } from '../../src/stimuli/image.ts';
import { makeRng } from '../../src/util/rng.ts';

test('a generated image is recovered, a photograph is not', async () => {
  const gen = buildGenerator();
  const ctx = { device: 'cpu' as const, batch: 8 };
  const z = sampleLatents(makeRng(6), 2, 8);
  const drawn = (await runItems(gen.net, { z, ...noiseFeeds(gen, 2) }, ['image'], ctx)).image;
  const photo = resize(readImage(path.resolve('test/fixtures/images/chelsea.png')), 112, 112);
  const hw = 112 * 112;
  const p = new Float32Array(3 * hw);
  for (let c = 0; c < 3; c++) for (let i = 0; i < hw; i++) p[c * hw + i] = photo.data[i * 3 + c] / 255;
  const targets = concatBatch([drawn, { dims: [1, 3, 112, 112], data: p }]);
  const judge = await loadModel(path.resolve('test/fixtures/shapes_cnn/shapes_cnn.onnx'));
  const r = await invert(gen, targets, { steps: 60, lr: 0.1, layer: '/Relu_1_output_0' }, ctx, judge);
  assert.ok(r.mse[0] < 1e-3 && r.mse[1] < 1e-3, `in-domain MSE ${r.mse.slice(0, 2)}`);
  assert.ok(r.mse[2] > 20 * Math.max(r.mse[0], r.mse[1]), `photograph MSE ${r.mse[2]} vs in-domain ${r.mse.slice(0, 2)}`);
  assert.ok(r.lpips![2] > 5 * Math.max(r.lpips![0], r.lpips![1]), `LPIPS proxy ${r.lpips}`);
  console.log('inversion MSE', r.mse.map((v) => v.toExponential(2)).join(' '), 'LPIPS proxy', r.lpips!.map((v) => v.toFixed(4)).join(' '));
  assert.ok(r.mse.every(Number.isFinite) && r.lpips!.every(Number.isFinite));
});

test.run();
