// Reading any ONNX graph as a generator: the latent, noise inputs, image output and its range.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createModel, floatTensorProto, int64TensorProto, node } from '../../src/engine/graph.ts';
import { describeGenerator } from '../../src/generators/load.ts';
import { runItems, sampleLatents, toUnit } from '../../src/generators/sample.ts';
import { makeRng } from '../../src/util/rng.ts';

function tanhGenerator(withNoise: boolean) {
  const nodes = [
    node('MatMul', ['latent', 'w'], ['flat']),
    node('Reshape', ['flat', 'shape'], ['pre']),
    ...(withNoise ? [node('Add', ['pre', 'noise'], ['noisy']), node('Tanh', ['noisy'], ['img'])] : [node('Tanh', ['pre'], ['img'])]),
  ];
  return createModel({
    inputs: [{ name: 'latent', dims: ['N', 4] }, ...(withNoise ? [{ name: 'noise', dims: ['N', 3, 2, 2] }] : [])],
    outputs: [{ name: 'img', dims: ['N', 3, 2, 2] }],
    nodes,
    initializers: [floatTensorProto('w', { dims: [4, 12], data: Float32Array.from({ length: 48 }, (_, i) => Math.sin(i)) }), int64TensorProto('shape', [4], [-1, 3, 2, 2])],
  });
}

test('a tanh generator reads as latent [N, 4], noise [3, 2, 2], image 3×2×2 in [−1, 1], mapped to 0..1', async () => {
  const g = describeGenerator(tanhGenerator(true), 'tanh.onnx');
  assert.equal(g.latent, { name: 'latent', size: 4 });
  assert.equal(g.noise, [{ name: 'noise', dims: [3, 2, 2] }]);
  assert.equal(g.image, { name: 'img', channels: 3, height: 2, width: 2 });
  assert.equal(g.range, [-1, 1]);
  const z = sampleLatents(makeRng(1), 5, 4);
  const out = await runItems(g.net, { latent: z, noise: { dims: [5, 3, 2, 2], data: new Float32Array(60) } }, ['img'], { device: 'cpu', batch: 2 });
  const unit = toUnit(g, out.img);
  assert.ok(unit.data.every((v) => v >= 0 && v <= 1), 'mapped to 0..1');
  assert.ok(unit.data.some((v) => v < 0.4) && unit.data.some((v) => v > 0.6), 'uses the range');
});

test('an explicit range wins; a graph with two vector inputs is refused', () => {
  assert.equal(describeGenerator(tanhGenerator(false), 'x', [0, 255]).range, [0, 255]);
  const two = tanhGenerator(false);
  two.graph.input.push({ ...two.graph.input[0], name: 'other' });
  assert.throws(() => describeGenerator(two, 'two.onnx'), (e: Error & { code?: string }) => e.code === 'E_GENERATOR_LATENT' && /2 \(inputs/.test(e.message));
});

test.run();
