// Layer-wise noise on the clean-room generator: the coarse input changes low frequencies, the fine
// input high ones, and neither moves the disk judge much.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import path from 'node:path';
import { buildGenerator } from '../../src/generators/network.ts';
import { chainModels } from '../../src/generators/chain.ts';
import { resolveJudge } from '../../src/generators/judge.ts';
import { bandShare, noiseScales, powerSpectrum } from '../../src/generators/noise.ts';
import { loadModel } from '../../src/models/load.ts';
import { makeRng } from '../../src/util/rng.ts';
import { FC_SEED } from '../seed.ts';

test('a pure grating puts its energy in its own band (property)', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 7 }), (kx, ky) => {
    const n = 16;
    const img = new Float64Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) img[y * n + x] = Math.cos((2 * Math.PI * (kx * x + ky * y)) / n);
    const f = Math.max(kx, ky) / n;
    return bandShare(powerSpectrum(img, n, n), n, n, f, f + 1e-6) > 0.999;
  }), { seed: FC_SEED, numRuns: 20 });
});

test('each noise input changes the image at its own scale only, and not the disk judge', async () => {
  const gen = buildGenerator();
  const chain = chainModels(gen, await loadModel(path.resolve('test/fixtures/shapes_cnn/shapes_cnn.onnx')));
  const disk = await resolveJudge(chain, { neuron: { layer: '/Relu_1_output_0', unit: 5 } }, 'test');
  const r = await noiseScales(chain, 6, makeRng(8), { device: 'cpu', batch: 8 }, [disk]);
  console.log(r.inputs.map((i) => `${i.name} [${i.band.map((b) => b.toFixed(4))}): ${i.scaleEffect.toFixed(3)}, judge ${i.judgeChange?.toFixed(3)}`).join('; '));
  assert.equal(r.inputs.map((i) => i.name), ['noise_coarse', 'noise_fine']);
  for (const i of r.inputs) {
    assert.ok(i.scaleEffect > 0.8, `${i.name}: ${i.scaleEffect} of the change in its band`);
    assert.ok(i.judgeChange! < 0.25, `${i.name}: judge changed by ${i.judgeChange}`);
  }
});

test.run();
