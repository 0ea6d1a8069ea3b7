// gradient()'s contract: objectives mean what they say, a batch carries per-item objectives in
// one run, results are linear in the objective, weights' gradients sum over items, graphs are
// cached, and ops without a rule are refused before anything runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { importOnnxFile } from '../../src/models/onnx-file.ts';
import { readImage, toModelInput } from '../../src/stimuli/image.ts';
import { concatBatch, batchItem, type Tensor } from '../../src/engine/tensor.ts';
import { createModel, node, floatTensorProto, readWeight } from '../../src/engine/graph.ts';
import { makeNet } from '../../src/engine/net.ts';
import {
  gradient, factsFor, gradientNetFor, compileObjective, unit, channel, logit, contrastive, weighted, upstream, sum, scale,
} from '../../src/engine/autodiff/index.ts';
import { asyncErrorOf } from '../helpers.ts';

const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn');
const m = importOnnxFile(path.join(dir, 'shapes_cnn.onnx'));
const X = m.input.name, LOGITS = m.logits!, LAYER = '/b1/Relu_1_output_0';
const images = ['shape_0_disk.png', 'shape_1_square.png', 'shape_3_triangle.png'].map((f) => toModelInput(readImage(path.join(dir, f)), m.preprocess));
const batch = concatBatch(images);

function close(a: Tensor, b: Tensor, tol = 1e-5): void {
  assert.equal(a.dims, b.dims);
  let d = 0, s = 0;
  for (let i = 0; i < a.data.length; i++) { d = Math.max(d, Math.abs(a.data[i] - b.data[i])); s = Math.max(s, Math.abs(b.data[i])); }
  assert.ok(d <= tol * Math.max(s, 1e-12), `max |Δ| ${d} vs scale ${s}`);
}

function combine(a: Tensor, b: Tensor, k: number): Tensor {
  return { dims: a.dims, data: a.data.map((v, i) => v + k * b.data[i]) };
}

test('a batch carries a different objective per item, in one run, as if each ran alone', async () => {
  const classes = [0, 1, 2];
  const both = await gradient(m.net, { input: { [X]: batch }, objective: logit(LOGITS, classes), wrt: [X, LAYER] });
  for (let i = 0; i < 3; i++) {
    const one = await gradient(m.net, { input: { [X]: images[i] }, objective: logit(LOGITS, classes[i]), wrt: [X, LAYER] });
    close(batchItem(both.grads[X], i), one.grads[X]);
    close(batchItem(both.grads[LAYER], i), one.grads[LAYER]);
    assert.ok(Math.abs(both.objective[i] - one.objective[0]) < 1e-5 * Math.abs(one.objective[0]));
  }
});

test('objective values: unit at (c, y, x), channel spatial mean, class logit, contrastive margin', async () => {
  const r = await gradient(m.net, {
    input: { [X]: batch }, objective: unit(LAYER, [1, 5, 7], [3, 20, 55], [10, 0, 55]), wrt: [X], outputs: [LAYER, LOGITS],
  });
  const act = r.outputs[LAYER];
  const [, C, H, W] = act.dims;
  const at = (n: number, c: number, y: number, x: number) => act.data[((n * C + c) * H + y) * W + x];
  assert.equal(Array.from(r.objective), [at(0, 1, 3, 10), at(1, 5, 20, 0), at(2, 7, 55, 55)].map(Math.fround));

  const ch = await gradient(m.net, { input: { [X]: batch }, objective: channel(LAYER, 4), wrt: [X] });
  for (let n = 0; n < 3; n++) {
    let s = 0;
    for (let i = 0; i < H * W; i++) s += act.data[(n * C + 4) * H * W + i];
    assert.ok(Math.abs(ch.objective[n] - s / (H * W)) < 1e-5 * Math.abs(s / (H * W)) + 1e-7);
  }

  const z = r.outputs[LOGITS];
  const con = await gradient(m.net, { input: { [X]: batch }, objective: contrastive(LOGITS, [0, 1, 2]), wrt: [X] });
  for (let n = 0; n < 3; n++) {
    const others = [0, 1, 2].filter((j) => j !== n).map((j) => z.data[n * 3 + j]);
    assert.ok(Math.abs(con.objective[n] - (z.data[n * 3 + n] - Math.max(...others))) < 1e-4);
  }
});

test('contrastive gradient = ∇ logit c − ∇ logit of the best other class', async () => {
  const item = images[0];
  const z = (await gradient(m.net, { input: { [X]: item }, objective: logit(LOGITS, 0), wrt: [X], outputs: [LOGITS] })).outputs[LOGITS].data;
  const best = z[1] > z[2] ? 1 : 2;
  const con = await gradient(m.net, { input: { [X]: item }, objective: contrastive(LOGITS, 0), wrt: [X] });
  const g0 = await gradient(m.net, { input: { [X]: item }, objective: logit(LOGITS, 0), wrt: [X] });
  const gb = await gradient(m.net, { input: { [X]: item }, objective: logit(LOGITS, best), wrt: [X] });
  close(con.grads[X], combine(g0.grads[X], gb.grads[X], -1), 1e-4);
});

test('objectives combine linearly: sum, scale, weighted and upstream agree', async () => {
  const a = await gradient(m.net, { input: { [X]: batch }, objective: logit(LOGITS, 2), wrt: [X] });
  const b = await gradient(m.net, { input: { [X]: batch }, objective: channel(LAYER, 3), wrt: [X] });
  const ab = await gradient(m.net, { input: { [X]: batch }, objective: sum(logit(LOGITS, 2), scale(-0.5, channel(LAYER, 3))), wrt: [X] });
  close(ab.grads[X], combine(a.grads[X], b.grads[X], -0.5), 1e-4);
  for (let n = 0; n < 3; n++) assert.ok(Math.abs(ab.objective[n] - (a.objective[n] - 0.5 * b.objective[n])) < 1e-4 * Math.abs(a.objective[n]));
  // [1, K] weights apply to every item; upstream with the same weights is the same VJP.
  const w = { dims: [1, 3], data: new Float32Array([0, 0, 1]) };
  close((await gradient(m.net, { input: { [X]: batch }, objective: weighted({ [LOGITS]: w }), wrt: [X] })).grads[X], a.grads[X]);
  close((await gradient(m.net, { input: { [X]: batch }, objective: upstream(LOGITS, w), wrt: [X] })).grads[X], a.grads[X]);
});

test('a weight gradient sums over the batch; a tensor the objective ignores gets zeros', async () => {
  const all = await gradient(m.net, { input: { [X]: batch }, objective: logit(LOGITS, 1), wrt: ['fc.weight', 'onnx::Conv_81'] });
  let acc: Tensor | undefined;
  for (const img of images) {
    const one = await gradient(m.net, { input: { [X]: img }, objective: logit(LOGITS, 1), wrt: ['fc.weight'] });
    acc = acc ? combine(acc, one.grads['fc.weight'], 1) : one.grads['fc.weight'];
  }
  close(all.grads['fc.weight'], acc!, 1e-4);
  assert.equal(all.grads['onnx::Conv_81'].dims, readWeight(m.net.model, 'onnx::Conv_81').dims, 'a weight gradient has the weight shape');
  // The objective on the stem's input side of a layer ignores the classifier head entirely.
  const r = await gradient(m.net, { input: { [X]: images[0] }, objective: channel('/Relu_output_0', 0), wrt: ['fc.weight'] });
  assert.equal(r.grads['fc.weight'].dims, [3, 64]);
  assert.ok(r.grads['fc.weight'].data.every((v) => v === 0));
});

test('gradient graphs are cached per structure: another class or unit reuses the built graph', async () => {
  const facts = await factsFor(m.net, { [X]: [3, 224, 224] });
  const s1 = compileObjective(logit(LOGITS, 0), facts, 1).structure;
  const s2 = compileObjective(logit(LOGITS, [2, 1]), facts, 2).structure;
  assert.is(gradientNetFor(m.net, facts, s1, [X]), gradientNetFor(m.net, facts, s2, [X]));
  const s3 = compileObjective(contrastive(LOGITS, 0), facts, 1).structure;
  assert.is.not(gradientNetFor(m.net, facts, s1, [X]), gradientNetFor(m.net, facts, s3, [X]));
});

test('max-pool: overlapping windows accumulate; ties share the gradient equally', async () => {
  const model = createModel({
    inputs: [{ name: 'x', dims: ['N', 1, 1, 5] }], outputs: [{ name: 'y' }], initializers: [],
    nodes: [node('MaxPool', ['x'], ['y'], { kernel_shape: { ints: [1, 3] }, strides: { ints: [1, 1] } })],
  });
  const net = makeNet(model, 'maxpool');
  const all = { dims: [1, 1, 1, 3], data: new Float32Array([1, 1, 1]) };
  const r = await gradient(net, { input: { x: { dims: [2, 1, 1, 5], data: new Float32Array([1, 5, 2, 0, 3, 2, 2, 1, 0, 0]) } }, objective: weighted({ y: all }), wrt: ['x'] });
  // Item 0: maxima 5, 5, 3 → x1 wins two windows. Item 1: windows {2,2,1} {2,1,0} {1,0,0}.
  assert.equal(Array.from(r.grads.x.data.subarray(0, 5)), [0, 2, 0, 0, 1]);
  assert.equal(Array.from(r.grads.x.data.subarray(5)), [0.5, 1.5, 1, 0, 0]);
});

test('max-pool ties, `first`: the whole gradient to the first maximum in row-major window order (PyTorch, onnxruntime)', async () => {
  const pool = (kernel: number[], dims: number[]) => makeNet(createModel({
    inputs: [{ name: 'x', dims: ['N', ...dims] }], outputs: [{ name: 'y' }], initializers: [],
    nodes: [node('MaxPool', ['x'], ['y'], { kernel_shape: { ints: kernel }, strides: { ints: kernel.length === 2 && kernel[0] === 2 ? [2, 2] : [1, 1] } })],
  }), 'maxpool-ties');
  const row = pool([1, 3], [1, 1, 5]);
  const ones3 = { dims: [1, 1, 1, 3], data: new Float32Array([1, 1, 1]) };
  const x = { dims: [2, 1, 1, 5], data: new Float32Array([1, 5, 2, 0, 3, 2, 2, 1, 0, 0]) };
  const first = await gradient(row, { input: { x }, objective: weighted({ y: ones3 }), wrt: ['x'], maxPoolTies: 'first' });
  // Windows of item 1: {2,2,1} → x0, {2,1,0} → x1, {1,0,0} → x2; item 0 has no ties, so both rules agree.
  assert.equal(Array.from(first.grads.x.data), [0, 2, 0, 0, 1, 1, 1, 1, 0, 0]);
  // 2×2 windows, stride 2: the tie between (0,1) and (1,0) goes to (0,1), the flat window's to its top-left.
  const square = pool([2, 2], [1, 2, 4]);
  const planted = { dims: [1, 1, 2, 4], data: new Float32Array([0, 3, 1, 1, 3, 0, 1, 1]) };
  const ones2 = { dims: [1, 1, 1, 2], data: new Float32Array([1, 1]) };
  const f = await gradient(square, { input: { x: planted }, objective: weighted({ y: ones2 }), wrt: ['x'], maxPoolTies: 'first' });
  assert.equal(Array.from(f.grads.x.data), [0, 1, 1, 0, 0, 0, 0, 0]);
  const s = await gradient(square, { input: { x: planted }, objective: weighted({ y: ones2 }), wrt: ['x'] });
  assert.equal(Array.from(s.grads.x.data), [0, 0.5, 0.25, 0.25, 0.5, 0, 0.25, 0.25]);
});

test('an op without a VJP rule on the gradient path is refused before anything runs, naming op and node', async () => {
  const model = createModel({
    inputs: [{ name: 'x', dims: ['N', 4] }], outputs: [{ name: 'y' }, { name: 'side' }],
    initializers: [floatTensorProto('w', { dims: [4, 4], data: new Float32Array(16).fill(0.1) })],
    // Hardmax has no gradient rule (its derivative is zero almost everywhere, and a rule would hide a useless gradient).
    nodes: [node('MatMul', ['x', 'w'], ['h']), node('Hardmax', ['h'], ['e'], {}, 'the_hardmax'), node('Relu', ['e'], ['y']),
      node('Hardmax', ['x'], ['side'])],
  });
  const net = makeNet(model, 'hardmax model');
  // A wrongly shaped input would fail any run: the refusal must come first.
  const bad = { x: { dims: [1, 7], data: new Float32Array(7) } };
  const err = await asyncErrorOf(() => gradient(net, { input: bad, objective: logit('y', 0), wrt: ['x'] }));
  assert.is(err.code, 'E_AUTODIFF_UNSUPPORTED');
  assert.match(err.message, /Hardmax/);
  assert.match(err.message, /the_hardmax/);
  // The same op off the path (objective before it) is fine.
  const ok = await gradient(net, { input: { x: { dims: [1, 4], data: new Float32Array([1, 2, 3, 4]) } }, objective: logit('h', 1), wrt: ['x'] });
  assert.equal(Array.from(ok.grads.x.data).map((v) => +v.toFixed(6)), [0.1, 0.1, 0.1, 0.1]);
});

test('bad objectives and names are bad input with a hint', async () => {
  const input = { [X]: images[0] };
  const cases: [Parameters<typeof gradient>[1], string][] = [
    [{ input, objective: logit('nope', 0), wrt: [X] }, 'E_NO_TENSOR'],
    [{ input, objective: logit(LOGITS, 0), wrt: ['also_nope'] }, 'E_NO_TENSOR'],
    [{ input, objective: logit(LOGITS, 3), wrt: [X] }, 'E_OBJECTIVE'],
    [{ input, objective: unit(LAYER, 0, 56, 0), wrt: [X] }, 'E_OBJECTIVE'],
    [{ input, objective: logit(LOGITS, [0, 1]), wrt: [X] }, 'E_OBJECTIVE'],
    [{ input, objective: contrastive(LAYER, 0), wrt: [X] }, 'E_OBJECTIVE'],
    [{ input, objective: weighted({ [LOGITS]: { dims: [1, 4], data: new Float32Array(4) } }), wrt: [X] }, 'E_OBJECTIVE'],
    [{ input, objective: logit(LOGITS, 0), wrt: [] }, 'E_AUTODIFF_WRT'],
  ];
  for (const [req, code] of cases) {
    const e = await asyncErrorOf(() => gradient(m.net, req));
    assert.is(e.code, code, e.message);
    assert.is(e.kind, 'bad_input');
    assert.ok(e.hint, `${code} has a hint`);
  }
});

test.run();
