// `neurogate layers` and `neurogate export` as a user runs them (the real CLI in a child
// process), on the zoo models and on broken inputs: exit codes and one-line reasons.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nsfwjsFiles } from '../../src/models/zoo/nsfwjs.ts';
import { importOnnxFile } from '../../src/models/onnx-file.ts';
import { loadModel } from '../../src/models/load.ts';
import { run } from '../../src/engine/session.ts';
import { readImage, toModelInput } from '../../src/stimuli/image.ts';
import { maxAbsDiff } from '../../src/engine/tensor.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const bin = path.join(root, 'bin', 'neurogate.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-cli-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Write a zoo model's model.json + shards as plain files, like a user's TF.js export. */
function writeTfjsCopy(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const files = nsfwjsFiles('mobilenet_v2');
  const manifest = files.modelJson.weightsManifest;
  manifest.forEach((g, gi) => files.shards(gi).forEach((bytes, k) => fs.writeFileSync(path.join(dir, g.paths[k]), bytes)));
  const json = path.join(dir, 'model.json');
  fs.writeFileSync(json, JSON.stringify({ format: 'layers-model', modelTopology: files.modelJson.modelTopology, weightsManifest: manifest }));
  return json;
}

test('layers zoo:inception_v3 prints every Keras layer with shapes and the branches of mixed2', () => {
  const r = cli('layers', 'zoo:inception_v3');
  assert.is(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.match(lines[0], /input "input_1" \[N, 3, 299, 299\]/);
  const mixed2 = lines.find((l) => l.startsWith('mixed2 '))!;
  assert.ok(mixed2, 'mixed2 listed');
  // mixed2 = 1x1 (64) + 5x5 (64) + 3x3dbl (96) + pool (64) = 288 channels
  assert.match(mixed2, /\[288, 35, 35\]/);
  assert.match(mixed2, /activation_20 0–63, activation_22 64–127, activation_25 128–223, activation_26 224–287/);
  assert.ok(lines.some((l) => l.startsWith('conv2d_94 ')) && lines.some((l) => l.startsWith('dense_1 ')));
  const json = JSON.parse(cli('layers', 'zoo:mobilenet_v2', '--json').out);
  assert.equal(json.labels, ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']);
  assert.ok(json.layers.find((l: { name: string; shape: number[] }) => l.name === 'block_16_project' && l.shape.join() === '320,7,7'));
});

test('a layer name that does not exist: exit 2, one line, closest names suggested, no stack', async () => {
  const m = await loadModel('zoo:inception_v3');
  const { resolveLayer } = await import('../../src/models/catalog.ts');
  await resolveLayer(m, 'mixed_2').then(() => assert.unreachable('should fail'), (e) => {
    assert.is(e.code, 'E_NO_LAYER');
    assert.match(e.hint, /did you mean "mixed2"/);
  });
});

test('export writes the IR; reloading it reproduces the engine outputs; a zeroed channel stays zero', async () => {
  const out = path.join(tmp, 'mobilenet.onnx');
  const r = cli('export', 'zoo:mobilenet_v2', out);
  assert.is(r.code, 0, r.err);
  const orig = await loadModel('zoo:mobilenet_v2');
  const back = importOnnxFile(out);
  const x = toModelInput(readImage(path.join(root, 'test', 'fixtures', 'images', 'coffee.png')), orig.preprocess);
  const a = await run(orig.net, { [orig.input.name]: x }, [orig.probabilities!, 'Conv1']);
  const b = await run(back.net, { [back.input.name]: x }, [orig.probabilities!, 'Conv1']);
  assert.is(maxAbsDiff(a[orig.probabilities!], b[orig.probabilities!]), 0);
  assert.is(maxAbsDiff(a.Conv1, b.Conv1), 0);
});

test('bad inputs end with exit 2 and a one-line reason', () => {
  const missing = cli('layers', 'nope/model.onnx');
  assert.is(missing.code, 2);
  assert.match(missing.err, /model file not found/);
  assert.not.match(missing.err, /\n\s+at /, 'no stack trace without --debug');

  // an ONNX file cut in half
  const good = fs.readFileSync(path.join(root, 'test', 'fixtures', 'shapes_cnn', 'shapes_cnn.onnx'));
  fs.writeFileSync(path.join(tmp, 'half.onnx'), good.subarray(0, good.length >> 1));
  const half = cli('layers', 'half.onnx');
  assert.is(half.code, 2);
  assert.is(half.err.trim().split('\n').length, 1, half.err);

  // a TF.js model with a truncated weight shard, and one whose model.json lists a weight too many
  const json = writeTfjsCopy(path.join(tmp, 'tfjs'));
  const shard = path.join(tmp, 'tfjs', 'group1-shard1of1');
  fs.truncateSync(shard, fs.statSync(shard).size - 1000);
  const trunc = cli('layers', json);
  assert.is(trunc.code, 2);
  assert.match(trunc.err, /truncated/);

  const json2 = writeTfjsCopy(path.join(tmp, 'tfjs2'));
  const mj = JSON.parse(fs.readFileSync(json2, 'utf8'));
  mj.weightsManifest[0].weights.push({ name: 'extra/kernel', shape: [3, 3], dtype: 'float32' });
  fs.writeFileSync(json2, JSON.stringify(mj));
  const extra = cli('layers', json2);
  assert.is(extra.code, 2);
  assert.match(extra.err, /extra\/kernel/);

  const usage = cli('layers');
  assert.is(usage.code, 2);
  assert.match(usage.err, /usage: neurogate layers/);
});

test.run();
