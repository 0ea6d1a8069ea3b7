// Differential test of the Keras importer on the real zoo models (nsfwjs's MobileNetV2 and
// InceptionV3): the IR run by onnxruntime against the original run by TF.js (wasm), on photographs
// and a seeded random input, at the probabilities and at intermediate layers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { nsfwjsFiles, NSFWJS_LABELS, type NsfwjsModel, type TfjsModelFiles } from '../../src/models/zoo/nsfwjs.ts';
import type { ImportedModel } from '../../src/models/types.ts';
import { importLayersModel } from '../../src/models/tfjs/layers.ts';
import { referenceLayersModel, tfjs } from '../../src/models/tfjs/reference.ts';
import { readImage, toModelInput } from '../../src/stimuli/image.ts';
import { run, releaseAll } from '../../src/engine/session.ts';
import { allTensorNames } from '../../src/engine/graph.ts';
import { makeRng } from '../../src/util/rng.ts';
import { concatBatch, transpose, maxAbsDiff, valueRange, type Tensor } from '../../src/engine/tensor.ts';

const images = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'images');

/** Uniform [0, 1) pixels from a fixed seed, in the model's NCHW layout. */
function randomInput(seed: number, dims: number[]): Tensor {
  const rng = makeRng(seed);
  return { dims, data: new Float32Array(dims.reduce((s, d) => s * d, 1)).map(() => rng()) };
}

interface Case { model: NsfwjsModel; photos: string[]; taps: string[] }

const imported = new Map<NsfwjsModel, { files: TfjsModelFiles; model: ImportedModel }>();
function load(name: NsfwjsModel) {
  if (!imported.has(name)) {
    const files = nsfwjsFiles(name);
    imported.set(name, { files, model: importLayersModel(files, `zoo:${name}`, { labels: NSFWJS_LABELS }) });
  }
  return imported.get(name)!;
}

const CASES: Case[] = [
  { model: 'mobilenet_v2', photos: ['chelsea.png', 'coffee.png', 'rocket.jpg'], taps: ['Conv1_relu', 'block_2_add', 'block_6_depthwise_relu', 'block_13_expand_BN', 'out_relu', 'dense_1'] },
  // InceptionV3 on tfjs-wasm takes about a second per image: two photographs and the random input.
  { model: 'inception_v3', photos: ['chelsea.png', 'astronaut.png'], taps: ['activation_1', 'max_pooling2d_1', 'mixed0', 'mixed2', 'mixed7', 'mixed10', 'dense_1'] },
];

for (const c of CASES) {
  test(`${c.model}: the IR matches TF.js on photographs and a random input (probabilities and ${c.taps.length} layers)`, async () => {
    const { files, model: m } = load(c.model);
    assert.equal(m.labels, NSFWJS_LABELS);
    assert.is(m.probabilities, 'dense_3');
    assert.is(m.logits, 'dense_3/preact');

    const photos = c.photos.map((f) => toModelInput(readImage(path.join(images, f)), m.preprocess));
    const x = concatBatch([...photos, randomInput(17, [1, 3, m.input.height, m.input.width])]);
    const names = [...c.taps, m.probabilities!];

    const tf = await tfjs('wasm');
    const ref = await referenceLayersModel(files, 'wasm');
    const sub = tf.model({ inputs: ref.inputs, outputs: names.map((n) => ref.getLayer(n).output) as never });
    const xs = tf.tensor(transpose(x, [0, 2, 3, 1]).data, [x.dims[0], x.dims[2], x.dims[3], x.dims[1]]);
    const outs = sub.predict(xs) as unknown as { shape: number[]; dataSync(): Float32Array; dispose(): void }[];
    const theirs = Object.fromEntries(names.map((n, i) => {
      const t: Tensor = { dims: outs[i].shape, data: outs[i].dataSync() };
      return [n, t.dims.length === 4 ? transpose(t, [0, 3, 1, 2]) : t];
    }));
    xs.dispose();
    outs.forEach((t) => t.dispose());
    ref.dispose();

    const ours = await run(m.net, { [m.input.name]: x }, names);
    const probErr = maxAbsDiff(ours[m.probabilities!], theirs[m.probabilities!]);
    const lines = [`${c.model}: probabilities max |Δ| = ${probErr.toExponential(2)} (limit 1e-4)`];
    for (const n of c.taps) {
      assert.equal(ours[n].dims, theirs[n].dims, `${n}: shape`);
      const range = valueRange(theirs[n]);
      const err = maxAbsDiff(ours[n], theirs[n]);
      lines.push(`  ${n} [${ours[n].dims.slice(1)}]: max |Δ| = ${err.toExponential(2)}, range ${range.toFixed(2)}, relative ${(err / range).toExponential(2)} (limit 1e-3)`);
      assert.ok(range > 0, `${n}: constant activations would make the comparison meaningless`);
      assert.ok(err <= 1e-3 * range, `${n}: max |Δ| ${err} > 1e-3 × range ${range}`);
    }
    console.log(lines.join('\n'));
    assert.ok(probErr <= 1e-4, `probabilities: max |Δ| ${probErr}`);
    // Same top class for every input (a coarse check that the numbers above mean the same verdict).
    const k = NSFWJS_LABELS.length;
    for (let i = 0; i < x.dims[0]; i++) {
      const top = (t: Tensor) => { const row = Array.from(t.data.subarray(i * k, (i + 1) * k)); return row.indexOf(Math.max(...row)); };
      assert.is(top(ours[m.probabilities!]), top(theirs[m.probabilities!]), `input ${i}: top class`);
    }
  });

  test(`${c.model}: every Keras layer is a tensor of the IR, BatchNorm stays unfolded, fused activations are aliased`, () => {
    const { files, model: m } = load(c.model);
    const layers: { name: string; class_name: string; config: { activation?: string } }[] = files.modelJson.modelTopology.model_config.config.layers;
    const tensors = new Set([m.input.name, ...allTensorNames(m.net.model.graph)]);
    for (const l of layers) assert.ok(tensors.has(l.name), `layer ${l.name} (${l.class_name}) has no tensor`);
    const bn = layers.filter((l) => l.class_name === 'BatchNormalization').length;
    assert.is(m.net.model.graph.node.filter((n) => n.opType === 'BatchNormalization').length, bn);
    const fused = layers.filter((l) => l.config.activation && l.config.activation !== 'linear' && l.class_name !== 'Activation').map((l) => l.name);
    assert.equal(Object.keys(m.layerAliases ?? {}).sort(), fused.sort());
    for (const name of fused) assert.ok(tensors.has(`${name}/preact`), `${name}/preact`);
    assert.equal(m.net.model.graph.input[0].type?.tensorType?.shape?.dim.map((d) => d.dimParam || Number(d.dimValue)), ['N', 3, m.input.height, m.input.width]);
  });
}

test.after(async () => { await releaseAll(); });

test.run();
