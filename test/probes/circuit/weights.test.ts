// Weight views on hand-made models: kernels found through concat offsets, inputs ranked by their
// positive weight, expanded weights that equal running the linear path, and the PNG rendering.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createModel, floatTensorProto, node, readWeight } from '../../../src/engine/graph.ts';
import { makeNet } from '../../../src/engine/net.ts';
import { run } from '../../../src/engine/session.ts';
import { tensor, type Tensor } from '../../../src/engine/tensor.ts';
import { makeRng } from '../../../src/util/rng.ts';
import { expandedThroughBottleneck, kernelGridImage, kernelsInto, strongestInputs, weightArtifacts } from '../../../src/probes/circuit/weights.ts';

function rand(dims: number[], seed: number): Tensor {
  const r = makeRng(seed);
  const t = tensor(dims);
  for (let i = 0; i < t.data.length; i++) t.data[i] = r() * 2 - 1;
  return t;
}

const S = 9;

/**
 * x[3] → b = conv1×1(4, no bias) → BN (γ, var; mean 0, β 0) [→ Relu when `relu`] → k = conv3×3(2)
 * and a side branch s = conv1×1(3)(x); out = Concat(s, k) (k's units are channels 3–4).
 */
function bottleneckNet(relu: boolean) {
  const nodes = [
    node('Conv', ['x', 'B/W'], ['b'], { kernel_shape: { ints: [1, 1] } }, 'bottleneck'),
    node('BatchNormalization', ['b', 'g', 'beta', 'mu', 'var'], ['bn'], { epsilon: { f: 1e-3 } }, 'bn'),
  ];
  if (relu) nodes.push(node('Relu', ['bn'], ['br'], {}, 'relu'));
  nodes.push(
    node('Conv', [relu ? 'br' : 'bn', 'K/W'], ['k'], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }, 'five'),
    node('Conv', ['x', 'S/W'], ['s'], { kernel_shape: { ints: [1, 1] } }, 'side'),
    node('Concat', ['s', 'k'], ['out'], { axis: { i: 1 } }, 'cat'),
  );
  return createModel({
    inputs: [{ name: 'x', dims: [1, 3, S, S] }],
    outputs: [{ name: 'out' }],
    nodes,
    initializers: [
      floatTensorProto('B/W', rand([4, 3, 1, 1], 1)),
      floatTensorProto('g', tensor([4], [1.5, 0.5, 2, 1])), floatTensorProto('beta', tensor([4])), floatTensorProto('mu', tensor([4])), floatTensorProto('var', tensor([4], [1, 4, 0.25, 1])),
      floatTensorProto('K/W', rand([2, 4, 3, 3], 2)), floatTensorProto('S/W', rand([3, 3, 1, 1], 3)),
    ],
  });
}

test('kernels into a concat unit come from the right branch conv and channel', () => {
  const m = bottleneckNet(false);
  const k = kernelsInto(m, 'out', 4);
  assert.is(k.conv, 'five');
  assert.is(k.channel, 1);
  assert.is(k.input, 'bn');
  const w = readWeight(m, 'K/W');
  assert.equal(Array.from(k.kernels[2].data), Array.from(w.data.subarray((1 * 4 + 2) * 9, (1 * 4 + 3) * 9)));
  const ranked = strongestInputs(m, 'out', 4);
  assert.is(ranked.length, 4);
  for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1].positive >= ranked[i].positive);
  const p0 = Array.from(k.kernels[ranked[0].input].data).filter((v) => v > 0).reduce((a, v) => a + v, 0);
  assert.ok(Math.abs(p0 - ranked[0].positive) < 1e-6);
});

test('expanded weights through a 1×1 bottleneck with BN folded equal running the linear path', async () => {
  const m = bottleneckNet(false);
  const ex = expandedThroughBottleneck(m, 'out', 3);
  assert.is(ex.approximate, false);
  assert.ok(ex.notes.some((n) => /folded/.test(n)));
  assert.is(ex.input, 'x');
  // Unit 3 of `out` on a one-hot input at the centre of channel i is the expanded kernel, flipped
  // (a cross-correlation reads the input at offset −d for kernel entry d).
  for (let i = 0; i < 3; i++) {
    const x = tensor([1, 3, S, S]);
    const c = (S - 1) / 2;
    x.data[(i * S + c) * S + c] = 1;
    const y = (await run(makeNet(m, 'bottleneck'), { x }, ['out'])).out;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const got = y.data[(3 * S + c - dy) * S + c - dx];
      const want = ex.kernels[i].data[(dy + 1) * 3 + dx + 1];
      assert.ok(Math.abs(got - want) < 1e-5, `input ${i} offset (${dy}, ${dx}): ${got} vs ${want}`);
    }
  }
  assert.ok(expandedThroughBottleneck(bottleneckNet(true), 'out', 3).approximate);
});

test('kernel grid image: one tile per kernel, the largest positive weight pure red, the largest negative pure blue', () => {
  const k1 = { kh: 2, kw: 2, data: new Float32Array([2, 0, -1, 0]) };
  const k2 = { kh: 2, kw: 2, data: new Float32Array([0, -2, 1, 0]) };
  const img = kernelGridImage([k1, k2], 4, 8);
  assert.is(img.width, 2 * (2 * 4 + 2) + 2);
  assert.is(img.height, 2 * 4 + 4);
  const px = (x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
  assert.equal(px(2, 2), [255, 0, 0]);
  assert.equal(px(2 + 10 + 4, 2), [0, 0, 255]);
  assert.equal(px(2 + 4, 2), [255, 255, 255]);
  const arts = weightArtifacts(bottleneckNet(false), 'out', 3, 'original', 4);
  assert.equal(arts.map((a) => a.name), ['weights-3-original', 'expanded-3-original']);
  assert.ok(arts.every((a) => a.type === 'image' && Buffer.from(a.pngBase64, 'base64').subarray(1, 4).toString() === 'PNG'));
});

test.run();
