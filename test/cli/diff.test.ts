// `neurogate diff` as a user runs it (the real CLI in a child process): a model against its own
// export is identical (exit 0, also with --exit-code); a damaged copy changes (exit 1 with
// --exit-code); the JSON and HTML land in --report-dir; bad arguments exit 2 with a reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeModel } from '../../src/engine/onnx.ts';
import { nsfwjsFiles } from '../../src/models/zoo/nsfwjs.ts';
import { loadShapes, noisy } from '../compare/shapes-variants.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const bin = path.join(root, 'bin', 'neurogate.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-diff-'));
const shapes = path.join(root, 'test/fixtures/shapes_cnn/shapes_cnn.onnx');
const images = path.join(root, 'test/fixtures/shapes_cnn');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('a model against its own export is identical: exit 0 with --exit-code, a --stat table, JSON and HTML written', () => {
  assert.is(cli('export', shapes, 'copy.onnx').code, 0);
  const r = cli('diff', shapes, 'copy.onnx', '--images', images, '--exit-code', '--report-dir', 'out');
  assert.is(r.code, 0, r.err + r.out);
  assert.match(r.out, /\| CKA 1\.0000/);
  assert.match(r.out, /identical within float tolerance/);
  assert.match(r.err, /neurogate: (running|\d+\/\d+)/); // progress on stderr
  const json = JSON.parse(fs.readFileSync(path.join(tmp, 'out', 'diff.json'), 'utf8'));
  assert.is(json.identical, true);
  assert.is(json.layers.length, 8);
  for (const l of json.layers) assert.ok(Math.abs(l.cka - 1) < 1e-6, `${l.layer} ${l.cka}`);
  assert.is(json.logits.maxAbs, 0);
  assert.is(json.maps, undefined); // the maps go to the HTML only
  const html = fs.readFileSync(path.join(tmp, 'out', 'diff.html'), 'utf8');
  assert.match(html, /Identical within float tolerance/);
  // baseline | candidate | difference for each of the three images
  assert.is(html.match(/<img src="data:image\/png;base64,/g)?.length, 9);
  assert.is(html.match(/\|difference\|<\/figcaption>/g)?.length, 3);
});

test('a noisy copy: exit 1 with --exit-code (0 without), first change and moved units named, --json on stdout', async () => {
  const m = await loadShapes();
  fs.writeFileSync(path.join(tmp, 'noisy.onnx'), encodeModel(noisy(m, 0.5, 4, ['onnx::Conv_99']).net.model));
  const layers = '/c2/Conv_output_0,/c3/Conv_output_0,/Relu_2_output_0';
  const r = cli('diff', shapes, 'noisy.onnx', '--layers', layers, '--methods', 'none', '--exit-code', '--quiet');
  assert.is(r.code, 1, r.err + r.out);
  assert.match(r.out, /first change at \/c3\/Conv_output_0/);
  assert.match(r.out, /\/c3\/Conv_output_0 moved most: unit \d+ → \d+ \(r /);
  const j = cli('diff', shapes, 'noisy.onnx', '--layers', layers, '--methods', 'none', '--json');
  assert.is(j.code, 0, j.err);
  const json = JSON.parse(j.out);
  assert.is(json.identical, false);
  assert.is(json.firstChanged, '/c3/Conv_output_0');
  assert.ok(json.layers[0].cka > 1 - 1e-9 && json.layers[1].cka < 1 - 1e-6 && json.layers[1].meanCorrelation < 0.99);
});

test('the two PyTorch exporters of one network (the dynamo one with a fixed batch of 1) diff as identical at the logits', () => {
  const r = cli('diff', shapes, path.join(root, 'test/fixtures/shapes_cnn/shapes_cnn_dynamo.onnx'), '--layers', 'logits', '--methods', 'none', '--exit-code', '--quiet');
  assert.is(r.code, 0, r.err + r.out);
  assert.match(r.out, /identical within float tolerance/);
});

test('a TF.js model.json on disk against the zoo model it was written from: identical', () => {
  // The zoo's MobileNetV2 written out as plain TF.js files, as a user's own export would be.
  const dir = path.join(tmp, 'tfjs');
  fs.mkdirSync(dir);
  const files = nsfwjsFiles('mobilenet_v2');
  const manifest = files.modelJson.weightsManifest;
  manifest.forEach((g, gi) => files.shards(gi).forEach((bytes, k) => fs.writeFileSync(path.join(dir, g.paths[k]), bytes)));
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: files.modelJson.modelTopology, weightsManifest: manifest }));
  const r = cli('diff', 'zoo:mobilenet_v2', 'tfjs/model.json', '--layers', 'block_5_expand,out_relu', '--methods', 'none', '--orientations', '4', '--exit-code', '--quiet');
  assert.is(r.code, 0, r.err + r.out);
  assert.match(r.out, /block_5_expand \| CKA 1\.0000/);
  assert.match(r.out, /identical within float tolerance/);
});

test('bad arguments exit 2 with the reason', () => {
  const cases: [string[], RegExp][] = [
    [['diff', shapes], /give a baseline and a candidate/],
    [['diff', shapes, shapes, '--threshold', '5'], /--threshold 5 is not a correlation/],
    [['diff', shapes, shapes, '--methods', 'magic'], /unknown attribution method "magic"/],
    [['diff', shapes, shapes, '--layers', 'mixed9'], /layer "mixed9" does not exist/],
    [['diff', shapes, 'missing.onnx'], /model file not found/],
  ];
  for (const [args, why] of cases) {
    const r = cli(...args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, why);
  }
});

test.run();
