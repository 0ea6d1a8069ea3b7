// `maxPoolTies: 'first'` against onnxruntime's own rule: its MaxPool Indices output names the input
// each window's gradient goes to in its MaxPoolGrad (and PyTorch's max_pool backward picks the same
// first maximum). On inputs drawn from {0, 1, 2}, most windows tie; the gradient must be exactly the
// upstream weights scattered to those indices — for the shapes CNN's 2×2/2 pool and an overlapping,
// padded 3×3/2 pool (InceptionV3's kind).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createModel, node } from '../../src/engine/graph.ts';
import { makeNet } from '../../src/engine/net.ts';
import { run } from '../../src/engine/session.ts';
import { gradient, weighted } from '../../src/engine/autodiff/index.ts';
import { makeRng } from '../../src/util/rng.ts';

const POOLS = {
  'shapes CNN 2×2/2': { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } },
  'overlapping 3×3/2, pad 1': { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] } },
};

for (const [name, attrs] of Object.entries(POOLS)) {
  test(`first-maximum ties equal onnxruntime's MaxPool Indices: ${name}`, async () => {
    const dims = [2, 3, 9, 10];
    const net = makeNet(createModel({
      // The Indices are int64; a Cast lets them leave through a float output (exact below 2²⁴).
      inputs: [{ name: 'x', dims }], outputs: [{ name: 'y' }, { name: 'idx' }], initializers: [],
      nodes: [node('MaxPool', ['x'], ['y', 'idx64'], attrs), node('Cast', ['idx64'], ['idx'], { to: { i: 1 } })],
    }), `maxpool ${name}`);
    const rng = makeRng(11);
    const x = { dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => Math.floor(rng() * 3)) };
    const ort = await run(net, { x }, ['y', 'idx']);
    const w = Float32Array.from(ort.y.data, () => Math.round(rng() * 8) - 4);
    // The objective's weights broadcast over the batch: item 0's gradient is w scattered to item 0's indices.
    const per = x.data.length / dims[0];
    const outPer = w.length / dims[0];
    const upstream = weighted({ y: { dims: [1, ...ort.y.dims.slice(1)], data: w.subarray(0, outPer) } });
    const r = await gradient(net, { input: { x }, objective: upstream, wrt: ['x'], maxPoolTies: 'first' });
    const want = new Float32Array(per);
    for (let o = 0; o < outPer; o++) want[Number(ort.idx.data[o])] += w[o];
    assert.equal(Array.from(r.grads.x.data.subarray(0, per)), Array.from(want));
    let ties = 0;
    const split = await gradient(net, { input: { x }, objective: upstream, wrt: ['x'] });
    for (let i = 0; i < per; i++) if (split.grads.x.data[i] !== want[i]) ties++;
    assert.ok(ties > 0, 'the input has ties, so split differs somewhere');
  });
}

test.run();
