// The chain's adapter is the judge's own preprocessing: the tensor the judge receives from a
// generated image equals toModelInput of that image as 0..255 RGB, for any scale, mean, std and
// channel order (property); a size that is no whole multiple is refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import path from 'node:path';
import { buildGenerator } from '../../src/generators/network.ts';
import { chainModels } from '../../src/generators/chain.ts';
import { noiseFeeds, runItems, sampleLatents } from '../../src/generators/sample.ts';
import { loadModel } from '../../src/models/load.ts';
import { toModelInput } from '../../src/stimuli/image.ts';
import { makeRng } from '../../src/util/rng.ts';
import { FC_SEED } from '../seed.ts';

const judge = await loadModel(path.resolve('test/fixtures/shapes_cnn/shapes_cnn.onnx'));
const gen = buildGenerator({ size: 224, noiseFactor: 8 });
const ctx = { device: 'cpu' as const, batch: 2 };

test('the judge sees exactly its preprocessing of the generated image (property)', async () => {
  const chan = fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }));
  const std = fc.tuple(fc.double({ min: 0.1, max: 2, noNaN: true }), fc.double({ min: 0.1, max: 2, noNaN: true }), fc.double({ min: 0.1, max: 2, noNaN: true }));
  await fc.assert(fc.asyncProperty(chan, std, fc.boolean(), fc.constantFrom(1 / 255, 1 / 127.5, 1), fc.integer({ min: 1, max: 1e6 }), async (mean, sd, bgr, scale, seed) => {
    const pp = { ...judge.preprocess, mean, std: sd, channelOrder: bgr ? 'BGR' as const : 'RGB' as const, scale };
    const chain = chainModels(gen, { ...judge, preprocess: pp });
    const z = sampleLatents(makeRng(seed), 1, 8);
    const out = await runItems(chain.net, { z, ...noiseFeeds(gen, 1, { noise_fine: makeRng(seed + 1) }) }, ['image', chain.judgeTensor(judge.input.name)], ctx);
    const hw = 224 * 224;
    const rgb = new Float32Array(hw * 3);
    for (let c = 0; c < 3; c++) for (let i = 0; i < hw; i++) rgb[i * 3 + c] = 255 * out.image.data[c * hw + i];
    const want = toModelInput({ width: 224, height: 224, data: rgb }, pp).data;
    const got = out[chain.judgeTensor(judge.input.name)].data;
    let err = 0;
    for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(want[i] - got[i]) / (1 + Math.abs(want[i])));
    return err < 1e-4;
  }), { seed: FC_SEED, numRuns: 6 });
});

test('a generator size that is no whole multiple of the judge size is refused', () => {
  assert.throws(() => chainModels(buildGenerator({ size: 96, noiseFactor: 8 }), judge), (e: Error & { code?: string }) => e.code === 'E_CHAIN_SIZE');
});

test.run();
