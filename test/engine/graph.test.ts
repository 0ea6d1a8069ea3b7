// Graph surgery on a real PyTorch export: taps, pruning, weight edits that survive export.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import path from 'node:path';
import { importOnnxFile } from '../../src/models/onnx-file.ts';
import { readImage, toModelInput } from '../../src/stimuli/image.ts';
import { run, runBatched } from '../../src/engine/session.ts';
import { withOutputs, readWeight, replaceWeight, topoOrder, producerOf } from '../../src/engine/graph.ts';
import { cloneModel, encodeModel, decodeModel } from '../../src/engine/onnx.ts';
import { makeNet } from '../../src/engine/net.ts';
import { batchItem, maxAbsDiff, valueRange } from '../../src/engine/tensor.ts';
import { NeurogateError } from '../../src/errors.ts';

const fixtures = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn');
const model = importOnnxFile(path.join(fixtures, 'shapes_cnn.onnx'));
const x = toModelInput(readImage(path.join(fixtures, 'shape_0_disk.png')), model.preprocess);
const feed = { [model.input.name]: x };
const stemConv = model.net.model.graph.node.find((n) => n.opType === 'Conv')!;
const conv = stemConv.output[0];

test('pruning to a tap keeps only the nodes it needs', () => {
  const pruned = withOutputs(model.net.model, [conv]);
  assert.is(pruned.graph.node.length, 1);
  assert.equal(pruned.graph.output.map((o) => o.name), [conv]);
  assert.ok(pruned.graph.initializer.every((t) => stemConv.input.includes(t.name)));
  // the original is untouched
  assert.ok(model.net.model.graph.node.length > 10);
});

test('tapping many layers in one run gives the same values as tapping each alone', async () => {
  const names = topoOrder(model.net.model.graph).map((n) => n.output[0]).filter((_, i) => i % 4 === 0);
  const all = await run(model.net, feed, [...names, model.logits!]);
  for (const n of names) {
    const alone = await run(model.net, feed, [n]);
    // Not bit-equal: onnxruntime fuses Conv+Relu differently when the intermediate is an output.
    assert.ok(maxAbsDiff(alone[n], all[n]) <= 1e-5 * (1 + valueRange(all[n])), n);
  }
});

test('a batched run equals one run per image', async () => {
  const imgs = ['shape_0_disk.png', 'shape_1_square.png', 'shape_3_triangle.png'].map((f) => toModelInput(readImage(path.join(fixtures, f)), model.preprocess));
  const batched = await runBatched(model.net, model.input.name, imgs, [model.logits!], { batchSize: 2 });
  for (let i = 0; i < imgs.length; i++) {
    const one = await run(model.net, { [model.input.name]: imgs[i] }, [model.logits!]);
    assert.ok(maxAbsDiff(batchItem(one[model.logits!], 0), batched[model.logits!][i]) < 1e-5);
  }
});

test('zeroing the weights and bias of one channel zeroes exactly that channel, and survives export + reload', async () => {
  const before = (await run(model.net, feed, [conv]))[conv];
  const [, channels, h, w] = before.dims;
  fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: channels - 1 }), async (c) => {
    const edited = cloneModel(model.net.model);
    const [wName, bName] = stemConv.input.slice(1);
    const W = readWeight(edited, wName);
    const per = W.data.length / W.dims[0];
    W.data.fill(0, c * per, (c + 1) * per);
    replaceWeight(edited, wName, W);
    const B = readWeight(edited, bName);
    B.data[c] = 0;
    replaceWeight(edited, bName, B);
    // export + reload: the edit lives in the bytes, not only in memory
    const reloaded = makeNet(decodeModel(encodeModel(edited)), 'edited');
    const after = (await run(reloaded, feed, [conv]))[conv];
    const plane = h * w;
    for (let k = 0; k < channels; k++) {
      const d = maxAbsDiff({ dims: [plane], data: before.data.subarray(k * plane, (k + 1) * plane) }, { dims: [plane], data: after.data.subarray(k * plane, (k + 1) * plane) });
      if (k === c) assert.ok(after.data.subarray(k * plane, (k + 1) * plane).every((v) => v === 0), `channel ${c} not zero`);
      else assert.is(d, 0, `channel ${k} changed`);
    }
  }), { numRuns: 5, seed: 7 });
  // and the original model (and its cached session) still computes the original values
  assert.is(maxAbsDiff((await run(model.net, feed, [conv]))[conv], before), 0);
});

test('weight edits refuse a different shape and unknown names', () => {
  const m = cloneModel(model.net.model);
  const wName = stemConv.input[1];
  assert.throws(() => replaceWeight(m, wName, { dims: [1], data: new Float32Array(1) }), (e: unknown) => e instanceof NeurogateError && /shape/.test((e as Error).message));
  assert.throws(() => readWeight(m, 'nope'), (e: unknown) => e instanceof NeurogateError && (e as NeurogateError).code === 'E_NO_WEIGHT');
  assert.throws(() => withOutputs(m, ['nope']), (e: unknown) => e instanceof NeurogateError && (e as NeurogateError).code === 'E_NO_TENSOR');
  assert.ok(producerOf(m.graph, conv) !== undefined);
});

test.run();
