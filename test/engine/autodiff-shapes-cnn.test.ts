// Gradients on a real PyTorch-exported CNN (test/fixtures/shapes_cnn: residual blocks,
// depthwise convs, MaxPool, AveragePool, GAP/ReduceMean, Gemm), both exporters: checked
// against float64 finite differences, against each other, and by Euler's identity with the
// biases zeroed (the network is then positively homogeneous).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { importOnnxFile } from '../../src/models/onnx-file.ts';
import { readImage, toModelInput } from '../../src/stimuli/image.ts';
import { concatBatch, type Tensor } from '../../src/engine/tensor.ts';
import { cloneModel } from '../../src/engine/onnx.ts';
import { replaceWeight, readWeight } from '../../src/engine/graph.ts';
import { makeNet } from '../../src/engine/net.ts';
import { gradient, logit, upstream } from '../../src/engine/autodiff/index.ts';
import { evaluate64, type T64 } from './eval64.ts';

const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn');
const script = importOnnxFile(path.join(dir, 'shapes_cnn.onnx'));
const dynamo = importOnnxFile(path.join(dir, 'shapes_cnn_dynamo.onnx'));
const images = ['shape_0_disk.png', 'shape_3_triangle.png'].map((f) => toModelInput(readImage(path.join(dir, f)), script.preprocess));
const labels = [0, 2];
const batch = concatBatch(images);
const inputName = script.input.name;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function relMaxDiff(a: Tensor, b: Tensor): number {
  let d = 0, m = 0;
  for (let i = 0; i < a.data.length; i++) {
    d = Math.max(d, Math.abs(a.data[i] - b.data[i]));
    m = Math.max(m, Math.abs(b.data[i]));
  }
  return d / m;
}

test('class-logit input gradient matches float64 finite differences along random directions', async () => {
  // The scenes have flat regions, so max-pool windows hold exact ties (a kink in every
  // direction); a ±0.01 jitter breaks them without changing what the images are.
  const rand = rng(20261126);
  const jittered = { dims: batch.dims, data: batch.data.map((v) => v + (rand() - 0.5) * 0.02) };
  const r = await gradient(script.net, { input: { [inputName]: jittered }, objective: logit(script.logits!, labels), wrt: [inputName] });
  const per = images[0].data.length;
  for (const item of [0, 1]) {
    const x: T64 = { dims: images[item].dims, data: Float64Array.from(jittered.data.subarray(item * per, (item + 1) * per)) };
    const f = (v: T64) => evaluate64(script.net.model, { [inputName]: v }, [script.logits!])[script.logits!].data[labels[item]];
    const f0 = f(x);
    assert.ok(Math.abs(f0 - r.objective[item]) < 1e-4 * Math.abs(f0), `objective ${r.objective[item]} vs float64 ${f0}`);
    const dir = Float64Array.from({ length: per }, () => rand() * 2 - 1);
    const h = 1e-5;
    const at = (s: number) => f({ dims: x.dims, data: x.data.map((v, i) => v + s * h * dir[i]) });
    const fp = at(1), fm = at(-1);
    const fd = (fp - fm) / (2 * h);
    let analytic = 0, scale = 0;
    for (let i = 0; i < per; i++) {
      analytic += r.grads[inputName].data[item * per + i] * dir[i];
      scale += Math.abs(r.grads[inputName].data[item * per + i] * dir[i]);
    }
    // A ReLU or max-pool switch inside ±h would make the one-sided slopes disagree.
    assert.ok(Math.abs((fp - f0) / h - (f0 - fm) / h) < 1e-3 * scale, 'direction crosses no kink');
    assert.ok(Math.abs(analytic - fd) <= 1e-3 * scale, `item ${item}: ∇f·v = ${analytic}, finite difference ${fd} (scale ${scale})`);
  }
});

test('both exporters give the same gradients (dynamo: fixed batch 1, ReduceMean + Reshape, run item by item)', async () => {
  const req = { input: { [inputName]: batch }, objective: logit(script.logits!, labels), wrt: [inputName, 'fc.weight'] };
  const a = await gradient(script.net, req);
  const b = await gradient(dynamo.net, { ...req, input: { [dynamo.input.name]: batch }, objective: logit(dynamo.logits!, labels), wrt: [dynamo.input.name, 'fc.weight'] });
  assert.equal(b.grads[dynamo.input.name].dims, [2, 3, 224, 224]);
  assert.ok(relMaxDiff(b.grads[dynamo.input.name], a.grads[inputName]) < 1e-4, 'input gradients agree');
  assert.ok(relMaxDiff(b.grads['fc.weight'], a.grads['fc.weight']) < 1e-4, 'weight gradients (summed over the batch) agree');
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(a.objective[i] - b.objective[i]) < 1e-4 * Math.abs(a.objective[i]));
});

test('with biases zeroed the network is homogeneous: Σ x ⊙ ∇f = f for each class logit', async () => {
  const model = cloneModel(script.net.model);
  const biases = model.graph.node.filter((n) => n.opType === 'Conv' || n.opType === 'Gemm').map((n) => n.input[2]).filter(Boolean);
  assert.ok(biases.length >= 8, 'every Conv and the Gemm carry a bias');
  for (const b of biases) {
    const w = readWeight(model, b);
    replaceWeight(model, b, { dims: w.dims, data: new Float32Array(w.data.length) });
  }
  const net = makeNet(model, 'shapes_cnn without biases');
  for (const cls of [0, 1, 2]) {
    const r = await gradient(net, { input: { [inputName]: batch }, objective: logit(script.logits!, cls), wrt: [inputName] });
    const per = images[0].data.length;
    for (let item = 0; item < 2; item++) {
      let dot = 0, mag = 0;
      for (let i = item * per; i < (item + 1) * per; i++) {
        dot += batch.data[i] * r.grads[inputName].data[i];
        mag += Math.abs(batch.data[i] * r.grads[inputName].data[i]);
      }
      const f = r.objective[item];
      assert.ok(Math.abs(dot - f) <= 1e-4 * Math.max(Math.abs(f), mag), `class ${cls} item ${item}: Σ x·∇f = ${dot}, f = ${f}`);
    }
  }
});

test('chain rule through a layer: an upstream gradient at the layer reproduces the input gradient', async () => {
  const layer = '/Relu_2_output_0'; // every path from the input to the logits passes here
  const direct = await gradient(script.net, { input: { [inputName]: batch }, objective: logit(script.logits!, labels), wrt: [inputName, layer], outputs: [layer] });
  const atLayer = direct.grads[layer];
  assert.equal(atLayer.dims, direct.outputs[layer].dims, 'the layer gradient has the layer shape (what Grad-CAM needs)');
  const chained = await gradient(script.net, { input: { [inputName]: batch }, objective: upstream(layer, atLayer), wrt: [inputName] });
  assert.ok(relMaxDiff(chained.grads[inputName], direct.grads[inputName]) < 1e-5, 'same input gradient');
});

test.run();
