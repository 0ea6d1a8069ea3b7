// The ONNX importer on real PyTorch exports (both exporters, one with external data) and on
// broken files: every failure must be a bad-input error that names the problem.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importOnnxFile } from '../../src/models/onnx-file.ts';
import { readImage, toModelInput } from '../../src/stimuli/image.ts';
import { run } from '../../src/engine/session.ts';
import { encodeModel, decodeModel } from '../../src/engine/onnx.ts';
import { createModel, node, floatTensorProto, attribute } from '../../src/engine/graph.ts';
import { errorOf } from '../helpers.ts';

const here = path.dirname(new URL(import.meta.url).pathname);
const fixtures = path.join(here, '..', 'fixtures', 'shapes_cnn');
const meta = JSON.parse(fs.readFileSync(path.join(fixtures, 'shapes_cnn.json'), 'utf8'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-onnx-'));


for (const file of ['shapes_cnn.onnx', 'shapes_cnn_dynamo.onnx']) {
  test(`${file}: reproduces PyTorch's logits on the fixture scenes within 1e-4`, async () => {
    const m = importOnnxFile(path.join(fixtures, file));
    assert.equal([m.input.channels, m.input.height, m.input.width], [3, 224, 224]);
    let worst = 0;
    for (const img of meta.images.filter((i: { file: string }) => fs.existsSync(path.join(fixtures, i.file)))) {
      const x = toModelInput(readImage(path.join(fixtures, img.file)), m.preprocess);
      const y = (await run(m.net, { [m.input.name]: x }, [m.logits!]))[m.logits!];
      img.torch_logits.forEach((v: number, k: number) => (worst = Math.max(worst, Math.abs(v - y.data[k]))));
      const argmax = [...y.data].indexOf(Math.max(...y.data));
      assert.is(argmax, img.label, `${img.file} classified as ${argmax}`);
    }
    // PyTorch's logits are stored with 5 decimals, so 1e-4 is the honest bound.
    assert.ok(worst < 1e-4, `max |Δ| = ${worst}`);
  });
}

test('weights stored as Constant nodes are turned into initializers and run the same', async () => {
  const w = floatTensorProto('w', { dims: [2, 2], data: new Float32Array([1, 2, 3, 4]) });
  const constant = node('Constant', [], ['w'], {});
  constant.attribute.push(attribute('value', { t: w }));
  const m = createModel({ inputs: [{ name: 'x', dims: [1, 1, 1, 2] }], outputs: [{ name: 'y' }], nodes: [constant, node('MatMul', ['x', 'w'], ['y'])], initializers: [] });
  const f = path.join(tmp, 'const.onnx');
  fs.writeFileSync(f, encodeModel(m));
  // A 4-D input whose last axis is not a channel axis of 1/3 is read as NCHW.
  const im = importOnnxFile(f);
  assert.ok(im.net.model.graph.initializer.some((t) => t.name === 'w'));
  assert.not.ok(im.net.model.graph.node.some((n) => n.opType === 'Constant'));
  const y = await run(im.net, { x: { dims: [1, 1, 1, 2], data: new Float32Array([1, 1]) } }, ['y']);
  assert.equal([...y.y.data], [4, 6]);
});

test('broken files end in bad-input errors that name the file and the problem', () => {
  const good = fs.readFileSync(path.join(fixtures, 'shapes_cnn.onnx'));
  const half = path.join(tmp, 'half.onnx');
  fs.writeFileSync(half, good.subarray(0, Math.floor(good.length / 2)));
  const e1 = errorOf(() => importOnnxFile(half));
  assert.match(e1.code, /E_ONNX_DECODE|E_ONNX_TENSOR|E_ONNX_EMPTY|E_GRAPH/);
  assert.is(e1.where, half);

  assert.is(errorOf(() => importOnnxFile(path.join(tmp, 'missing.onnx'))).code, 'E_MODEL_MISSING');
  assert.is(errorOf(() => importOnnxFile(path.join(fixtures, 'shapes_cnn.onnx'), { maxBytes: 1000 })).code, 'E_MODEL_TOO_BIG');

  // External data: missing file, and a truncated one.
  const dyn = path.join(tmp, 'dyn');
  fs.mkdirSync(dyn);
  fs.copyFileSync(path.join(fixtures, 'shapes_cnn_dynamo.onnx'), path.join(dyn, 'shapes_cnn_dynamo.onnx'));
  assert.match(errorOf(() => importOnnxFile(path.join(dyn, 'shapes_cnn_dynamo.onnx'))).message, /external data ".*" of initializer .* not found/);
  const data = fs.readFileSync(path.join(fixtures, 'shapes_cnn_dynamo.onnx.data'));
  fs.writeFileSync(path.join(dyn, 'shapes_cnn_dynamo.onnx.data'), data.subarray(0, data.length - 100));
  assert.match(errorOf(() => importOnnxFile(path.join(dyn, 'shapes_cnn_dynamo.onnx'))).message, /needs bytes .* which has/);
});

test('a graph with a cycle is refused before onnxruntime sees it', () => {
  const m = createModel({
    inputs: [{ name: 'x', dims: [1, 3, 4, 4] }], outputs: [{ name: 'b' }],
    nodes: [node('Add', ['x', 'b'], ['a']), node('Relu', ['a'], ['b'])], initializers: [],
  });
  const f = path.join(tmp, 'cycle.onnx');
  fs.writeFileSync(f, encodeModel(m));
  const e = errorOf(() => importOnnxFile(f));
  assert.is(e.code, 'E_GRAPH_CYCLE');
  assert.match(e.message, /cycle/);
});

test('an NHWC model gets an NCHW front door', async () => {
  const m = createModel({ inputs: [{ name: 'img', dims: ['N', 4, 5, 3] }], outputs: [{ name: 'y' }], nodes: [node('Relu', ['img'], ['y'])], initializers: [] });
  const f = path.join(tmp, 'nhwc.onnx');
  fs.writeFileSync(f, encodeModel(m));
  const im = importOnnxFile(f);
  assert.equal([im.input.channels, im.input.height, im.input.width], [3, 4, 5]);
  assert.is(im.preprocess.sourceLayout, 'NHWC');
  const x = { dims: [1, 3, 4, 5], data: Float32Array.from({ length: 60 }, (_, i) => i) };
  const y = (await run(im.net, { [im.input.name]: x }, ['y'])).y;
  assert.equal(y.dims, [1, 4, 5, 3]);
  assert.is(y.data[1], 20); // pixel (0,0) channel 1 = NCHW index 1·20
  // and it survives an encode/decode round trip
  assert.ok(decodeModel(encodeModel(im.net.model)).graph.node.some((n) => n.opType === 'Transpose'));
});

test.run();
