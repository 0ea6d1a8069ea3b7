// The merging engine on real PyTorch-exported models: concurrent probe tasks share one batched
// pass (union of inputs and taps), results equal plain runs, the cache answers repeats, and
// fixed-batch exports still run several inputs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { loadModel } from '../../src/models/load.ts';
import { run } from '../../src/engine/session.ts';
import { maxAbsDiff, type Tensor } from '../../src/engine/tensor.ts';
import { readImage, toModelInput } from '../../src/stimuli/image.ts';
import { createActivationCache } from '../../src/probe/cache.ts';
import { createForwardEngine, fixedBatch } from '../../src/probe/forward.ts';

const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn');
const model = await loadModel(path.join(dir, 'shapes_cnn.onnx'));
const dynamo = await loadModel(path.join(dir, 'shapes_cnn_dynamo.onnx'));
const inputs = ['shape_0_disk.png', 'shape_1_square.png', 'shape_3_triangle.png'].map((f) => toModelInput(readImage(path.join(dir, f)), model.preprocess));
const TAPS = ['/Relu_output_0', '/Relu_2_output_0', 'logits'];

async function direct(x: Tensor, tap: string): Promise<Tensor> {
  return (await run(model.net, { [model.input.name]: x }, [tap]))[tap];
}

test('concurrent tasks that joined share one pass, and each gets exactly what a plain run gives', async () => {
  const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache() });
  const asks: [Tensor[], string[]][] = [
    [[inputs[0], inputs[1]], [TAPS[0]]],
    [[inputs[1], inputs[2]], [TAPS[1], TAPS[2]]],
    [[inputs[0]], [TAPS[2]]],
  ];
  for (let i = 0; i < asks.length; i++) engine.join();
  const results = await Promise.all(asks.map(async ([xs, taps]) => {
    try {
      return await engine.forward(xs, taps);
    } finally {
      engine.leave();
    }
  }));
  assert.equal(engine.stats(), { passes: 1, batches: 1, inputs: 3 }, 'three unique inputs, one batched run');
  for (let a = 0; a < asks.length; a++) {
    const [xs, taps] = asks[a];
    for (let i = 0; i < xs.length; i++) {
      for (let t = 0; t < taps.length; t++) {
        const want = await direct(xs[i], taps[t]);
        const got = results[a][i][t];
        assert.equal(got.dims, want.dims);
        assert.ok(maxAbsDiff(got, want) <= 1e-5, `${taps[t]} on input ${i}: ${maxAbsDiff(got, want)}`);
      }
    }
  }
  // Asking again is answered from the cache: no new pass.
  const again = await engine.forward([inputs[2]], [TAPS[1]]);
  assert.is(engine.stats().passes, 1);
  assert.ok(maxAbsDiff(again[0][0], results[1][1][0]) === 0);
});

test('a task still waiting holds the pass back until every joined task has asked or left', async () => {
  const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache() });
  engine.join();
  engine.join();
  const first = engine.forward([inputs[0]], ['logits']);
  let settled = false;
  void first.then(() => (settled = true));
  await new Promise((r) => setTimeout(r, 50));
  assert.not.ok(settled, 'ran before the second task asked');
  engine.leave(); // the second task ends without asking
  await first;
  engine.leave();
  assert.is(engine.stats().passes, 1);
});

test('callers that never join are merged within one turn of the event loop', async () => {
  const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache() });
  await Promise.all([engine.forward([inputs[0]], ['logits']), engine.forward([inputs[1]], [TAPS[0]])]);
  assert.is(engine.stats().passes, 1);
});

test('a model exported with a fixed batch of 1 runs several inputs one at a time', async () => {
  assert.is(fixedBatch(dynamo), 1);
  assert.is(fixedBatch(model), undefined);
  const engine = createForwardEngine(dynamo, 'cpu', { cache: createActivationCache(), batchSize: 16 });
  const [a, b, c] = await engine.forward(inputs, ['logits']);
  assert.equal(engine.stats(), { passes: 1, batches: 3, inputs: 3 });
  // The dynamo export and the TorchScript export compute the same logits.
  for (const [i, got] of [a, b, c].entries()) assert.ok(maxAbsDiff(got[0], await direct(inputs[i], 'logits')) <= 1e-4);
});

test('a failed merged pass is retried per request: only the bad request fails, and the engine keeps working', async () => {
  const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache() });
  const bad = engine.forward([inputs[0]], ['no_such_tensor']);
  const good = engine.forward([inputs[1]], ['logits']);
  const [r1, r2] = await Promise.allSettled([bad, good]);
  assert.is(r1.status, 'rejected');
  assert.match(String((r1 as PromiseRejectedResult).reason.message), /no tensor named "no_such_tensor"/);
  assert.is(r2.status, 'fulfilled', 'merged with the bad request, yet answered');
  assert.ok(maxAbsDiff((r2 as PromiseFulfilledResult<Tensor[][]>).value[0][0], await direct(inputs[1], 'logits')) <= 1e-5);
  const ok = await engine.forward([inputs[2]], ['logits']);
  assert.equal(ok[0][0].dims, [1, 3]);
});

test('inputs must carry a batch axis of 1 and at least one tap is needed', async () => {
  const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache() });
  const two = { dims: [2, 3, 224, 224], data: new Float32Array(2 * 3 * 224 * 224) };
  const e1 = await engine.forward([two], ['logits']).catch((e) => e);
  assert.match(String(e1.message), /batch axis of 1/);
  const e2 = await engine.forward([inputs[0]], []).catch((e) => e);
  assert.match(String(e2.message), /no tensors to tap/);
});

test('keep: false (a streamed dataset) answers from the pass but leaves the cache as it was', async () => {
  const cache = createActivationCache();
  const engine = createForwardEngine(model, 'cpu', { cache });
  const [[a]] = await engine.forward([inputs[0]], [TAPS[0]], { keep: false });
  assert.ok(maxAbsDiff(a, await direct(inputs[0], TAPS[0])) <= 1e-6);
  assert.is(cache.stats().entries, 0);
  await engine.forward([inputs[0]], [TAPS[0]]);
  assert.is(cache.stats().entries, 1);
});

test.run();
