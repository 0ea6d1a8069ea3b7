// InterFaceGAN on the clean-room generator judged by shapes_cnn: the "disk present" boundary is
// found, its normal is the planted slot direction, a walk along it is monotone and leaves the bars alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import path from 'node:path';
import { buildGenerator } from '../../src/generators/network.ts';
import { chainModels } from '../../src/generators/chain.ts';
import { resolveJudge } from '../../src/generators/judge.ts';
import { findDirection, logisticRegression } from '../../src/generators/direction.ts';
import { loadModel } from '../../src/models/load.ts';
import { makeRng, normal } from '../../src/util/rng.ts';
import { FC_SEED } from '../seed.ts';

test('logistic regression recovers a separating direction (property)', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 2, max: 6 }), (seed, d) => {
    const rng = makeRng(seed);
    const truth = Array.from({ length: d }, () => normal(rng));
    const n = 200;
    const x = Float32Array.from({ length: n * d }, () => normal(rng));
    const y = Array.from({ length: n }, (_, i) => (truth.reduce((s, t, k) => s + t * x[i * d + k], 0) > 0 ? 1 : 0));
    const { w } = logisticRegression(x, d, y);
    const cos = w.reduce((s, v, k) => s + v * truth[k], 0) / (Math.hypot(...w) * Math.hypot(...truth));
    return cos > 0.9;
  }), { seed: FC_SEED, numRuns: 20 });
});

test('the disk direction: accuracy ≥ 0.95, the planted slot direction, a monotone walk, bars untouched', async () => {
  const gen = buildGenerator();
  const chain = chainModels(gen, await loadModel(path.resolve('test/fixtures/shapes_cnn/shapes_cnn.onnx')));
  const disk = await resolveJudge(chain, { neuron: { layer: '/Relu_1_output_0', unit: 5 } }, 'test');
  const hbar = await resolveJudge(chain, { concept: { layer: 'parts', unit: 1 } }, 'test');
  const r = await findDirection(chain, [disk, hbar], { train: 96, test: 64, walk: { steps: 7, span: 3, bases: 4 } }, makeRng(5), { device: 'cpu', batch: 16 });
  assert.ok(r.accuracy >= 0.95, `accuracy ${r.accuracy}`);
  const cos = r.normal.reduce((s, v, k) => s + v * gen.directions[0][k], 0);
  assert.ok(cos > 0.9, `cosine with the planted direction ${cos}`);
  assert.ok(r.monotonicity > 0.95, `walk ρ ${r.monotonicity}: ${r.walk[0].map((v) => v.toFixed(2)).join(' ')}`);
  assert.ok(r.entanglement[0] < 0.05, `bar area change ÷ disk change ${r.entanglement[0]}`);
});

test.run();
