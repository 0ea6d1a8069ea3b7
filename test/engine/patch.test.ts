// The in-graph patch: readers of the patched tensor see the original on the channels left alone and
// the fed values on the patched ones, bit for bit, and everything downstream is recomputed from that.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createModel, floatTensorProto, node } from '../../src/engine/graph.ts';
import { makeNet } from '../../src/engine/net.ts';
import { dependsOn, patchedModel } from '../../src/engine/patch.ts';
import { run } from '../../src/engine/session.ts';
import { tensor, type Tensor } from '../../src/engine/tensor.ts';
import { makeRng } from '../../src/util/rng.ts';
import { errorOf } from '../helpers.ts';

const S = 5;

function rand(dims: number[], seed: number): Tensor {
  const r = makeRng(seed);
  const t = tensor(dims);
  for (let i = 0; i < t.data.length; i++) t.data[i] = r() * 2 - 1;
  return t;
}

/** x → conv1 (4, 3×3) → Relu = h → conv2 (2, 3×3) = y;  h is also a graph output. */
function net() {
  return createModel({
    inputs: [{ name: 'x', dims: ['N', 3, S, S] }],
    outputs: [{ name: 'y' }],
    nodes: [
      node('Conv', ['x', 'W1', 'b1'], ['c1'], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }, 'conv1'),
      node('Relu', ['c1'], ['h'], {}, 'relu1'),
      node('Conv', ['h', 'W2'], ['y'], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }, 'conv2'),
    ],
    initializers: [floatTensorProto('W1', rand([4, 3, 3, 3], 1)), floatTensorProto('b1', rand([4], 2)), floatTensorProto('W2', rand([2, 4, 3, 3], 3))],
  });
}

/** conv2 alone, fed h directly: the reference for what a patched h must produce. */
function tail() {
  return createModel({
    inputs: [{ name: 'h', dims: ['N', 4, S, S] }],
    outputs: [{ name: 'y' }],
    nodes: [node('Conv', ['h', 'W2'], ['y'], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }, 'conv2')],
    initializers: [floatTensorProto('W2', rand([2, 4, 3, 3], 3))],
  });
}

test('patched channels carry the fed values and the others the original, exactly; downstream follows', async () => {
  const x = rand([2, 3, S, S], 10);
  const original = (await run(makeNet(net(), 'net'), { x }, ['h'])).h;
  await fc.assert(fc.asyncProperty(fc.subarray([0, 1, 2, 3]), fc.integer({ min: 0, max: 1000 }), async (units, seed) => {
    const v = rand([2, 4, S, S], 100 + seed);
    const pm = patchedModel(net(), { tensor: 'h', itemDims: [4, S, S], units });
    const mixedName = pm.model.graph!.node.find((n) => n.opType === 'Add')!.output[0];
    const got = await run(makeNet(pm.model, 'patched'), { x, [pm.valueInput]: v }, [mixedName, 'y']);
    const want = tensor([2, 4, S, S]);
    const plane = S * S;
    for (let n = 0; n < 2; n++) for (let c = 0; c < 4; c++) {
      const from = units.includes(c) ? v : original;
      for (let p = 0; p < plane; p++) want.data[(n * 4 + c) * plane + p] = from.data[(n * 4 + c) * plane + p];
    }
    assert.equal(Array.from(got[mixedName].data), Array.from(want.data));
    const y = (await run(makeNet(tail(), 'tail'), { h: want }, ['y'])).y;
    for (let i = 0; i < y.data.length; i++) assert.ok(Math.abs(y.data[i] - got.y.data[i]) < 1e-5, `y[${i}]: ${got.y.data[i]} vs ${y.data[i]}`);
  }), { numRuns: 12, seed: 5 });
});

test('the original model is left as it was, and bad sites are refused with the reason', () => {
  const m = net();
  const nodes = m.graph!.node.length;
  patchedModel(m, { tensor: 'h', itemDims: [4, S, S], units: [1] });
  assert.is(m.graph!.node.length, nodes);
  assert.equal(m.graph!.node[2].input, ['h', 'W2']);
  assert.match(errorOf(() => patchedModel(m, { tensor: 'nope', itemDims: [4, S, S], units: [0] })).message, /no tensor named "nope"/);
  assert.match(errorOf(() => patchedModel(m, { tensor: 'W1', itemDims: [4], units: [0] })).message, /is a weight/);
  assert.match(errorOf(() => patchedModel(m, { tensor: 'h', itemDims: [4, S, S], units: [4] })).message, /unit 4 does not exist in "h".*/);
});

test('dependsOn follows the graph from a tensor back to its sources', () => {
  const g = net().graph!;
  assert.ok(dependsOn(g, 'y', 'h'));
  assert.ok(dependsOn(g, 'y', 'x'));
  assert.not.ok(dependsOn(g, 'h', 'y'));
  assert.not.ok(dependsOn(g, 'c1', 'h'));
});

test.run();
