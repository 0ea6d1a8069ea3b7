// Inputs beyond RGB NCHW: linear ONNX models built here (logits = W·x + b, so the forward pass and
// the gradient have closed forms: the gradient of logit k is column k of W) with 1 (grey), 4 (RGBA),
// and 6 (multispectral, NHWC, from .npy) channels, and a model with a second input held fixed;
// each is run through the importer and toModelInput, and end to end through a spec; bad input exits 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { encodeModel } from '../../src/engine/onnx.ts';
import { createModel, node, floatTensorProto } from '../../src/engine/graph.ts';
import { run } from '../../src/engine/session.ts';
import { gradient, logit } from '../../src/engine/autodiff/index.ts';
import { loadModel } from '../../src/models/load.ts';
import { importOnnxFile } from '../../src/models/onnx-file.ts';
import type { PreprocessOverride } from '../../src/models/preprocess.ts';
import { GREY_WEIGHTS, readImage, resize, toModelInput, type RgbImage } from '../../src/stimuli/image.ts';
import { encodeNpy, parseNpy } from '../../src/io/npy.ts';
import { runSpecs } from '../../src/run/index.ts';
import { SpecError } from '../../src/suite/issues.ts';
import { DEFAULT_LIMITS } from '../../src/probe/limits.ts';
import { exitCodeFor, EXIT, type NeurogateError } from '../../src/errors.ts';
import { makeRng, uniform } from '../../src/util/rng.ts';
import { FC_SEED } from '../seed.ts';
import { asyncErrorOf, errorOf } from '../helpers.ts';
import { conventionsFor } from '../../src/init/range.ts';
import { withPreprocess } from '../../src/models/preprocess.ts';
import { preprocessingOperator } from '../../src/audit/mutants/preprocessing.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-inputs-'));
const rng = makeRng(FC_SEED);
const floats = (n: number) => Float32Array.from({ length: n }, () => uniform(rng, -1, 1));
const K = 2; // classes
const limits = { ...DEFAULT_LIMITS, allowOutside: true };

interface Linear { file: string; W: Float32Array; b: Float32Array; V?: Float32Array }

/**
 * logits = Flatten(image) · W + b (+ extra · V): `dims` is the file's image input shape, flattened
 * in its own order (NHWC models read pixels channel-last).
 */
function linearModel(name: string, dims: (number | string)[], extra?: { name: string; dims: (number | string)[] }): Linear {
  const F = dims.slice(1).reduce<number>((a, d) => a * (d as number), 1);
  const W = floats(F * K), b = floats(K);
  const E = extra ? extra.dims.slice(1).reduce<number>((a, d) => a * (d as number), 1) : 0;
  const V = extra ? floats(E * K) : undefined;
  const model = createModel({
    inputs: [{ name: 'image', dims }, ...(extra ? [extra] : [])],
    outputs: [{ name: 'logits' }],
    initializers: [floatTensorProto('W', { dims: [F, K], data: W }), floatTensorProto('b', { dims: [K], data: b }), ...(V ? [floatTensorProto('V', { dims: [E, K], data: V })] : [])],
    nodes: [
      node('Flatten', ['image'], ['flat']),
      node('MatMul', ['flat', 'W'], ['xw']),
      ...(extra ? [node('MatMul', [extra.name, 'V'], ['ev']), node('Add', ['xw', 'ev'], ['xwe'])] : []),
      node('Add', [extra ? 'xwe' : 'xw', 'b'], ['logits']),
    ],
    opset: 13,
  });
  const file = path.join(tmp, `${name}.onnx`);
  fs.writeFileSync(file, encodeModel(model));
  return { file, W, b, V };
}

/** A W×H PNG with the given RGBA bytes per pixel (colour type 6: alpha kept). */
function png(name: string, w: number, h: number, rgba: (i: number) => [number, number, number, number]): string {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) p.data.set(rgba(i), i * 4);
  const file = path.join(tmp, name);
  fs.writeFileSync(file, PNG.sync.write(p, { colorType: 6 }));
  return file;
}

const pixel = (i: number): [number, number, number, number] => [(37 * i + 11) % 256, (91 * i + 60) % 256, (53 * i + 200) % 256, (29 * i + 7) % 256];

/** Σ x[f]·W[f, k] + b[k] (+ Σ e·V) in float64: the closed form the engine must match. */
function closedForm(l: Linear, x: ArrayLike<number>, k: number, e: ArrayLike<number> = []): number {
  let s = l.b[k];
  for (let f = 0; f < x.length; f++) s += x[f] * l.W[f * K + k];
  for (let j = 0; j < e.length; j++) s += e[j] * l.V![j * K + k];
  return s;
}

/** Logits of one input tensor, and the gradient of logit k w.r.t. it. */
async function forwardAndGradient(m: Awaited<ReturnType<typeof loadModel>>, x: { dims: number[]; data: Float32Array }, k: number) {
  const out = (await run(m.net, { [m.input.name]: x }, [m.logits!]))[m.logits!].data;
  const g = await gradient(m.net, { input: { [m.input.name]: x }, objective: logit(m.logits!, k), wrt: [m.input.name] });
  return { out, grad: g.grads[m.input.name].data };
}

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-4 * (1 + Math.abs(b)), `${what}: ${a} vs ${b}`);

test('grey [N, 1, 4, 4]: pixels become BT.601 luma (or the rule preprocess.grey names); forward = W·x + b, gradient = W', async () => {
  const l = linearModel('grey', ['N', 1, 4, 4]);
  const img = readImage(png('grey.png', 4, 4, (i) => [...pixel(i).slice(0, 3), 255] as [number, number, number, number]));
  for (const grey of [undefined, 'bt709', 'mean'] as const) {
    const m = await loadModel(l.file, tmp, grey ? { preprocess: { grey } } : {});
    assert.is(m.input.channels, 1);
    const [wr, wg, wb] = GREY_WEIGHTS[grey ?? 'bt601'];
    const x = Array.from({ length: 16 }, (_, i) => { const [r, g, b] = pixel(i); return (wr * r + wg * g + wb * b) / 255; });
    const input = toModelInput(img, m.preprocess);
    assert.equal(input.dims, [1, 1, 4, 4]);
    input.data.forEach((v, i) => close(v, x[i], `${grey ?? 'bt601'} pixel ${i}`));
    for (let k = 0; k < K; k++) {
      const { out, grad } = await forwardAndGradient(m, input, k);
      close(out[k], closedForm(l, x, k), `${grey} logit ${k}`);
      grad.forEach((g, f) => close(g, l.W[f * K + k], `∂logit${k}/∂x${f}`));
    }
  }
});

test('RGBA [N, 4, 4, 4] read as NHWC by preprocess.layout: a PNG keeps its alpha, an image without one gets 255', async () => {
  const l = linearModel('rgba', ['N', 4, 4, 4]);
  const nchw = await loadModel(l.file, tmp);
  assert.is(nchw.preprocess.sourceLayout, 'NCHW', 'a shape that reads both ways is NCHW unless the spec says');
  const m = await loadModel(l.file, tmp, { preprocess: { layout: 'NHWC', range: [0, 1] } });
  assert.equal([m.preprocess.sourceLayout, m.input.channels], ['NHWC', 4]);
  const withAlpha = readImage(png('rgba.png', 4, 4, pixel));
  const opaque: RgbImage = { width: 4, height: 4, data: Float32Array.from({ length: 48 }, (_, j) => pixel(Math.floor(j / 3))[j % 3]) };
  for (const [img, alpha] of [[withAlpha, (i: number) => pixel(i)[3]], [opaque, () => 255]] as const) {
    // The file's input is NHWC: x in its order is [h, w, c] with c = R, G, B, A.
    const x = Array.from({ length: 64 }, (_, j) => { const i = Math.floor(j / 4), c = j % 4; return (c === 3 ? alpha(i) : pixel(i)[c]) / 255; });
    const input = toModelInput(img, m.preprocess);
    assert.equal(input.dims, [1, 4, 4, 4]);
    for (let k = 0; k < K; k++) {
      const { out, grad } = await forwardAndGradient(m, input, k);
      close(out[k], closedForm(l, x, k), `logit ${k}`);
      // The gradient w.r.t. neurogate's NCHW front door is W transposed back from NHWC.
      for (let c = 0; c < 4; c++) for (let i = 0; i < 16; i++) close(grad[c * 16 + i], l.W[(i * 4 + c) * K + k], `∂logit${k}/∂x[${c}, ${i}]`);
    }
  }
});

test('6 channels [N, 8, 8, 6] (NHWC by its shape) from .npy images, HWC and CHW alike; a PNG is refused naming both channel counts', async () => {
  const l = linearModel('msi', ['N', 8, 8, 6]);
  const m = await loadModel(l.file, tmp, { preprocess: { scale: 1, mean: [0, 0, 0, 0, 0, 0], std: [1, 1, 1, 1, 1, 1] } });
  assert.equal([m.preprocess.sourceLayout, m.input.channels, m.input.height], ['NHWC', 6, 8]);
  const hwc = floats(8 * 8 * 6);
  const chw = new Float32Array(hwc.length);
  for (let i = 0; i < 64; i++) for (let c = 0; c < 6; c++) chw[c * 64 + i] = hwc[i * 6 + c];
  fs.writeFileSync(path.join(tmp, 'hwc.npy'), encodeNpy({ dims: [8, 8, 6], data: hwc }));
  fs.writeFileSync(path.join(tmp, 'chw.npy'), encodeNpy({ dims: [6, 8, 8], data: chw }));
  for (const f of ['hwc.npy', 'chw.npy']) {
    const input = toModelInput(readImage(path.join(tmp, f)), m.preprocess);
    const { out, grad } = await forwardAndGradient(m, input, 1);
    close(out[1], closedForm(l, hwc, 1), f);
    for (let c = 0; c < 6; c++) for (let i = 0; i < 64; i++) close(grad[c * 64 + i], l.W[(i * 6 + c) * K + 1], `${f} ∂/∂x[${c}, ${i}]`);
  }
  const e = (() => { try { toModelInput(readImage(png('rgb8.png', 8, 8, pixel)), m.preprocess); } catch (err) { return err as NeurogateError; } })();
  assert.is(e?.code, 'E_INPUT_CHANNELS');
  assert.match(e!.message, /input has 6 channels.*RGB image/);
  assert.is(exitCodeFor(e), EXIT.badInput);
});

test('a second input held fixed (fill, list, .npy) becomes a constant broadcast to the batch; the gradient is the image\'s alone', async () => {
  const l = linearModel('two', ['N', 3, 4, 4], { name: 'extra', dims: ['N', 3] });
  const e = [0.5, -2, 7];
  fs.writeFileSync(path.join(tmp, 'extra.npy'), encodeNpy({ dims: [3], data: Float32Array.from(e) }));
  const ways: [PreprocessOverride['inputs'], number[]][] = [
    [{ extra: { fill: 0.25 } }, [0.25, 0.25, 0.25]],
    [{ extra: e }, e],
    [{ extra: { npy: path.join(tmp, 'extra.npy') } }, e],
  ];
  const imgs = [0, 1, 2].map((s) => ({ dims: [1, 3, 4, 4], data: floats(48) }));
  for (const [inputs, value] of ways) {
    const m = await loadModel(l.file, tmp, { preprocess: { input: 'image', inputs } });
    assert.equal(m.fixedInputs, ['extra']);
    // Three images in one batch: the fixed value is expanded to each.
    const batch = { dims: [3, 3, 4, 4], data: Float32Array.from(imgs.flatMap((t) => [...t.data])) };
    const out = (await run(m.net, { [m.input.name]: batch }, [m.logits!]))[m.logits!].data;
    imgs.forEach((t, n) => { for (let k = 0; k < K; k++) close(out[n * K + k], closedForm(l, t.data, k, value), `${JSON.stringify(inputs)} image ${n} logit ${k}`); });
    const { grad } = await forwardAndGradient(m, imgs[0], 0);
    grad.forEach((g, f) => close(g, l.W[f * K], `∂logit0/∂x${f}`));
  }
});

test('an image input picked by name, and refusals: missing value, unknown name, wrong size, no batch axis, mean of the wrong length', async () => {
  const l = linearModel('two-b', ['N', 3, 4, 4], { name: 'extra', dims: ['N', 3] });
  const cases: [PreprocessOverride, string, RegExp][] = [
    [{}, 'E_PREPROCESS', /input "extra" \[N, 3\] has no value: images go to "image"/],
    [{ input: 'image' }, 'E_PREPROCESS', /input "extra" \[N, 3\] has no value/],
    [{ input: 'pixels' }, 'E_PREPROCESS', /preprocess.input "pixels" is not an input of the model: its inputs are "image" \[N, 3, 4, 4\], "extra"/],
    [{ input: 'image', inputs: { extra: [1, 2] } }, 'E_PREPROCESS', /input "extra" takes 3 values per sample \(\[3\]\); the list has 2/],
    [{ input: 'image', inputs: { extra: { fill: 0 }, other: { fill: 1 } } }, 'E_PREPROCESS', /"other", which is not an input/],
    [{ input: 'image', inputs: { extra: { fill: 0 } }, mean: [0.5] }, 'E_PREPROCESS', /preprocess.mean has 1 value, but input "image" \[N, 3, 4, 4\] has 3 channels/],
  ];
  for (const [pp, code, re] of cases) {
    const e = await asyncErrorOf(() => loadModel(l.file, tmp, { preprocess: pp }));
    assert.is(e.code, code, JSON.stringify(pp));
    assert.match(e.message, re);
    assert.is(exitCodeFor(e), EXIT.badInput);
  }
  // Two 4-D inputs: which one takes images is the spec's to say.
  const twoImages = linearModel('two-images', ['N', 3, 4, 4], { name: 'depth', dims: ['N', 1, 4, 4] });
  assert.match((await asyncErrorOf(() => loadModel(twoImages.file, tmp))).message, /the model has 2 inputs \("image" \[N, 3, 4, 4\], "depth" \[N, 1, 4, 4\]\); say which one takes the images/);
  const grey = linearModel('grey-b', ['N', 1, 4, 4]);
  assert.match((await asyncErrorOf(() => loadModel(grey.file, tmp, { preprocess: { channel_order: 'BGR' } }))).where ?? '', /preprocess.channel_order/);
  const flat = linearModel('no-batch', [3, 4, 4]);
  const e = await asyncErrorOf(async () => importOnnxFile(flat.file));
  assert.is(e.code, 'E_MODEL_INPUT_RANK');
  assert.match(e.message, /\[3, 4, 4\] with no batch axis/);
});

test('end to end: a grey model and a two-input model run masks entries whose scores and saved maps are the closed forms; a missing input is exit 2 at its line', async () => {
  const grey = linearModel('e2e-grey', ['N', 1, 4, 4]);
  const two = linearModel('e2e-two', ['N', 3, 4, 4], { name: 'extra', dims: ['N', 2] });
  png('e2e.png', 4, 4, (i) => [...pixel(i).slice(0, 3), 255] as [number, number, number, number]);
  const entry = (id: string, model: string, pp = '') => `
  - id: ${id}
    model: ${model}${pp}
    image: e2e.png
    target: { class: 1 }
    method: { gradient: {} }
    expect: { score: { min: -1000 } }`;
  const spec = path.join(tmp, 'inputs.yaml');
  fs.writeFileSync(spec, `suite: inputs\nengine: { device: cpu }\nmasks:${entry('grey', 'e2e-grey.onnx')}${entry('two', 'e2e-two.onnx', '\n    preprocess: { input: image, inputs: { extra: [3, -1] } }')}\n`);
  const maps = path.join(tmp, 'maps');
  const { report } = await runSpecs({ paths: [spec], limits, saveMaps: maps });
  const [g, t] = report.suites[0].entries;
  for (const x of [g, t]) assert.is(x.error, undefined, JSON.stringify(x.error));
  const luma = Array.from({ length: 16 }, (_, i) => { const [r, gg, b] = pixel(i); return (0.299 * r + 0.587 * gg + 0.114 * b) / 255; });
  const rgb = Array.from({ length: 48 }, (_, j) => pixel(j % 16)[Math.floor(j / 16)] / 255);
  close(g.measurements.score as number, closedForm(grey, luma, 1), 'grey score');
  close(t.measurements.score as number, closedForm(two, rgb, 1, [3, -1]), 'two-input score');
  const manifest = JSON.parse(fs.readFileSync(path.join(maps, 'manifest.json'), 'utf8')) as { maps: { entry: string; file: string }[] };
  for (const [id, l] of [['grey', grey], ['two', two]] as const) {
    const saved = parseNpy(fs.readFileSync(path.join(maps, manifest.maps.find((x) => x.entry === id)!.file)), id);
    saved.data.forEach((v, f) => close(v, l.W[f * K + 1], `${id} map ${f}`));
  }
  fs.writeFileSync(spec, `suite: inputs\nengine: { device: cpu }\nmasks:${entry('two', 'e2e-two.onnx', '\n    preprocess: { input: image }')}\n`);
  const e = await asyncErrorOf(() => runSpecs({ paths: [spec], limits }));
  assert.instance(e, SpecError);
  assert.is(exitCodeFor(e), EXIT.badInput);
  const issue = (e as SpecError).issues[0];
  assert.match(`${issue.where} ${issue.message}`, /inputs\.yaml:6:\d+ .*input "extra" \[N, 2\] has no value/);
});

test('probes that work on RGB pixels (adversarial attacks, feature visualization) refuse a grey model at their entry, exit 2', async () => {
  linearModel('rgb-only', ['N', 1, 4, 4]);
  const spec = path.join(tmp, 'rgb-only.yaml');
  fs.writeFileSync(spec, `suite: rgb-only
model: rgb-only.onnx
engine: { device: cpu }
adversarial:
  - id: attack
    images: [e2e.png]
    attack: pgd
    epsilon: [1]
    expect: { robust_accuracy: { min: 0 } }
neurons:
  - id: viz
    layer: logits
    units: [0]
    featureviz: { steps: 4 }
    expect: { featureviz.gain: { min: 0 } }
`);
  png('e2e.png', 4, 4, pixel);
  const e = await asyncErrorOf(() => runSpecs({ paths: [spec], limits }));
  assert.instance(e, SpecError);
  assert.is(exitCodeFor(e), EXIT.badInput);
  const text = (e as SpecError).issues.map((x) => `${x.where} ${x.message}`).join('\n');
  assert.match(text, /rgb-only\.yaml:5:\d+ an adversarial attack works on RGB pixels, but the model's input "image" has 1 channel/);
  assert.match(text, /rgb-only\.yaml:14:\d+ feature visualization .* works on RGB pixels, but the model's input "image" has 1 channel/);
});

test('init guesses and audit mutants on a grey model: only the plain ranges, one mean per channel; colour mutants do not apply', async () => {
  const m = await loadModel(linearModel('grey-init', ['N', 1, 4, 4]).file, tmp);
  const conventions = conventionsFor(1);
  assert.equal(conventions.map((c) => c.pp.range), [[0, 1], [-1, 1], [0, 255]]);
  for (const c of conventions) assert.equal(withPreprocess(m, c.pp).preprocess.mean.length, 1);
  const [bgr, pm1, torchvision] = preprocessingOperator.mutants({ seed: 0, targets: [], protectedTensors: new Set(), batch: 1 } as never);
  for (const w of [bgr, torchvision]) assert.is(errorOf(() => w.apply(m)).code, 'E_MUTANT_NA');
  const mutated = pm1.apply(m);
  assert.equal([mutated.preprocess.mean, mutated.preprocess.std], [[1], [1]]);
});

test('properties: a grey image is its own luma under every rule; resizing a C-channel image resizes each channel alone', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.constantFrom('bt601', 'bt709', 'mean' as const), (v, grey) => {
    const img: RgbImage = { width: 2, height: 2, data: new Float32Array(12).fill(v) };
    const x = toModelInput(img, { height: 2, width: 2, scale: 1, mean: [0], std: [1], channelOrder: 'RGB', sourceLayout: 'NCHW', grey });
    return x.data.every((y) => Math.abs(y - v) <= 1e-3);
  }));
  fc.assert(fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), (C, w, h, W, H) => {
    const data = floats(w * h * C);
    const all = resize({ width: w, height: h, data, channels: C }, W, H);
    for (let c = 0; c < C; c++) {
      const one = resize({ width: w, height: h, data: Float32Array.from({ length: w * h }, (_, i) => data[i * C + c]), channels: 1 }, W, H);
      for (let i = 0; i < W * H; i++) if (Math.abs(one.data[i] - all.data[i * C + c]) > 1e-6) return false;
    }
    return all.channels === C && all.data.length === W * H * C;
  }));
});

test.run();
