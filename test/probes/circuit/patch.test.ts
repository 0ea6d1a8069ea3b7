// Activation and path patching (`circuits:` entries with `patch:`): on a hand-made model whose
// scores are known in closed form, on the shapes CNN (a measured finding), and bad input at its place.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createModel, floatTensorProto, node } from '../../../src/engine/graph.ts';
import { encodeModel } from '../../../src/engine/onnx.ts';
import { tensor, type Tensor } from '../../../src/engine/tensor.ts';
import { makeRng } from '../../../src/util/rng.ts';
import { loadModel } from '../../../src/models/load.ts';
import type { ImportedModel } from '../../../src/models/types.ts';
import { readImage, toModelInput } from '../../../src/stimuli/image.ts';
import { createForwardEngine } from '../../../src/probe/forward.ts';
import { createActivationCache } from '../../../src/probe/cache.ts';
import { patchScores, recoveredFraction, type PatchParams } from '../../../src/probes/circuit/patch.ts';
import { runSpecs, validateSpecs } from '../../../src/run/index.ts';
import { SpecError } from '../../../src/suite/issues.ts';
import { asyncErrorOf } from '../../helpers.ts';

const H = 16;
const shapes = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'fixtures', 'shapes_cnn');
const images = path.join(shapes, '..', 'images');
const DISK = 'shape_0_disk.png';
const SQUARE = 'shape_1_square.png';
const TRIANGLE = 'shape_3_triangle.png';
// The hand-made model sees only mean colours: photographs of different colours give it clear gaps.
const CAT = 'chelsea.png';
const COFFEE = 'coffee.png';
const ASTRONAUT = 'astronaut.png';

function rand(dims: number[], seed: number, lo = -1, hi = 1): Tensor {
  const r = makeRng(seed);
  const t = tensor(dims);
  for (let i = 0; i < t.data.length; i++) t.data[i] = lo + r() * (hi - lo);
  return t;
}

// The hand-made model: m = mean colour (GlobalAveragePool); h1 = W1·m + b1 (4 units);
// h2 = Relu(W2·h1 + b2) (3 units); logits = W3·h2 + V·h1 + b3 (2 classes): a skip path from h1
// around h2, so path patching h1 → h2 leaves out V and plain patching does not.
const W = { W1: rand([4, 3, 1, 1], 1, -3, 3), b1: rand([4], 2), W2: rand([3, 4, 1, 1], 3), b2: rand([3], 4, 0.5, 1.5), W3: rand([2, 3, 1, 1], 5, -2, 2), V: rand([2, 4, 1, 1], 6), b3: rand([2], 7) };

function skipNet() {
  const conv = (x: string, w: string, b: string | undefined, y: string) => node('Conv', b ? [x, w, b] : [x, w], [y], { kernel_shape: { ints: [1, 1] } }, y);
  return createModel({
    inputs: [{ name: 'x', dims: ['N', 3, H, H] }],
    outputs: [{ name: 'logits' }],
    nodes: [
      node('GlobalAveragePool', ['x'], ['m'], {}, 'gap'),
      conv('m', 'W1', 'b1', 'h1'),
      conv('h1', 'W2', 'b2', 'c2'),
      node('Relu', ['c2'], ['h2'], {}, 'relu'),
      conv('h2', 'W3', 'b3', 'y3'),
      conv('h1', 'V', undefined, 'ys'),
      node('Add', ['y3', 'ys'], ['s'], {}, 'add'),
      node('Flatten', ['s'], ['logits'], { axis: { i: 1 } }, 'flatten'),
    ],
    initializers: Object.entries(W).map(([k, t]) => floatTensorProto(k, t)),
  });
}

/** y = A·x (+ b) for A stored as [out, in, 1, 1]. */
function affine(A: Tensor, x: number[], b?: Tensor): number[] {
  const [out, inp] = A.dims;
  return Array.from({ length: out }, (_, o) => x.reduce((s, v, i) => s + A.data[o * inp + i] * v, b ? b.data[o] : 0));
}
const relu = (xs: number[]) => xs.map((v) => Math.max(0, v));
const h1Of = (m: number[]) => affine(W.W1, m, W.b1);
const h2Of = (h1: number[]) => relu(affine(W.W2, h1, W.b2));
const logitsOf = (h1: number[], h2: number[]) => affine(W.W3, h2).map((v, k) => v + affine(W.V, h1)[k] + W.b3.data[k]);
/** Units `S` from `clean`, the rest from `corrupted`. */
const mix = (S: number[], clean: number[], corrupted: number[]) => corrupted.map((v, i) => (S.includes(i) ? clean[i] : v));

let dir = '';
let model: ImportedModel;
const input = (f: string) => toModelInput(readImage(path.join(dir, f)), model.preprocess);
/** The mean colour the model's GlobalAveragePool sees, in float64. */
function meanOf(x: Tensor): number[] {
  const plane = H * H;
  return [0, 1, 2].map((c) => x.data.subarray(c * plane, (c + 1) * plane).reduce((a, b) => a + b, 0) / plane);
}

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neurogate-patch-'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{}');
  fs.writeFileSync(path.join(dir, 'skip.onnx'), encodeModel(skipNet()));
  for (const f of [DISK, SQUARE, TRIANGLE, 'shapes_cnn.onnx']) fs.copyFileSync(path.join(shapes, f), path.join(dir, f));
  for (const f of [CAT, COFFEE, ASTRONAUT]) fs.copyFileSync(path.join(images, f), path.join(dir, f));
  model = await loadModel(path.join(dir, 'skip.onnx'));
});
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function params(layer: 'h1' | 'h2', units: number[], via?: number[]): PatchParams {
  const dims = { h1: [4, 1, 1], h2: [3, 1, 1] };
  return {
    layer: { name: layer, tensor: layer, itemDims: dims[layer], units },
    ...(via && { path: { name: 'h2', tensor: 'h2', itemDims: dims.h2, units: via } }),
    pairs: [COFFEE, ASTRONAUT].map((f) => ({ clean: input(CAT), corrupted: input(f), label: f })),
    target: { kind: 'class', index: 0 },
    score: 'raw',
    targetTensor: 'logits',
  };
}
const engine = () => createForwardEngine(model, 'cpu', { cache: createActivationCache() });

/** Per pair: [clean, corrupted] of h1 from the images, in float64. */
const hidden = () => [COFFEE, ASTRONAUT].map((f) => [h1Of(meanOf(input(CAT))), h1Of(meanOf(input(f)))]);

test('patching every unit of a cut (h1: every path runs through it) recovers the clean score exactly; patching none recovers 0', async () => {
  const all = await patchScores(params('h1', [0, 1, 2, 3]), engine());
  const none = await patchScores(params('h1', []), engine());
  all.clean.forEach((c, i) => {
    assert.ok(Math.abs(c - all.corrupted[i]) > 0.1, `pair ${i} has a gap to recover (${c} vs ${all.corrupted[i]})`);
    assert.ok(Math.abs(recoveredFraction(c, all.corrupted[i], all.patched[i])! - 1) < 1e-5, `all, pair ${i}: ${all.patched[i]} vs clean ${c}`);
    assert.ok(Math.abs(recoveredFraction(c, none.corrupted[i], none.patched[i])!) < 1e-6, `none, pair ${i}`);
  });
  // Patching the target's own layer: the target reads the patched values (the clean logit).
  const own = await patchScores({ ...params('h1', [0]), layer: { name: 'logits', tensor: 'logits', itemDims: [2], units: [0] } }, engine());
  own.clean.forEach((c, i) => assert.ok(Math.abs(own.patched[i] - c) < 1e-6, `logits patched, pair ${i}: ${own.patched[i]} vs ${c}`));
  // h2 is not a cut (the skip path V bypasses it): all of h2 leaves the skip's part of the gap.
  const h2 = await patchScores(params('h2', [0, 1, 2]), engine());
  hidden().forEach(([hc, hr], i) => {
    const want = logitsOf(hr, h2Of(hc))[0];
    assert.ok(Math.abs(h2.patched[i] - want) < 1e-4, `all of h2, pair ${i}: ${h2.patched[i]} vs ${want}`);
  });
});

test('after h2 the model is linear: the effect of patching h2 units S is Σ_{s∈S} W3[0,s]·(h2_clean[s] − h2_corrupted[s]), for every S', async () => {
  const e = engine();
  await fc.assert(fc.asyncProperty(fc.subarray([0, 1, 2], { minLength: 1 }), async (S) => {
    const got = await patchScores(params('h2', S), e);
    hidden().forEach(([hc, hr], i) => {
      const dc = h2Of(hc);
      const dr = h2Of(hr);
      const want = S.reduce((s, u) => s + W.W3.data[u] * (dc[u] - dr[u]), 0);
      const effect = got.patched[i] - got.corrupted[i];
      assert.ok(Math.abs(effect - want) < 1e-4 * Math.max(1, Math.abs(want)), `S = [${S}], pair ${i}: effect ${effect} vs hand-computed ${want}`);
    });
  }), { numRuns: 7, seed: 3 });
});

test('plain patching at h1 moves the score along both paths (through h2 and the skip V)', async () => {
  const S = [0, 2];
  const got = await patchScores(params('h1', S), engine());
  hidden().forEach(([hc, hr], i) => {
    const h1 = mix(S, hc, hr);
    const want = logitsOf(h1, h2Of(h1))[0];
    assert.ok(Math.abs(got.patched[i] - want) < 1e-4, `pair ${i}: ${got.patched[i]} vs ${want}`);
  });
});

test('path patching h1 → h2: only h2 units S2 are recomputed from the patched h1; the skip path and the other h2 units stay corrupted', async () => {
  const S1 = [0, 2];
  const S2 = [1, 2];
  const got = await patchScores(params('h1', S1, S2), engine());
  const plain = await patchScores(params('h1', S1), engine());
  hidden().forEach(([hc, hr], i) => {
    const h2 = mix(S2, h2Of(mix(S1, hc, hr)), h2Of(hr));
    const want = logitsOf(hr, h2)[0];
    assert.ok(Math.abs(got.patched[i] - want) < 1e-4, `pair ${i}: ${got.patched[i]} vs ${want}`);
    // The skip path carries part of the plain patch's effect: leaving it out changes the score.
    assert.ok(Math.abs(got.patched[i] - plain.patched[i]) > 1e-3, `pair ${i}: path and plain patching differ`);
  });
});

test('recoveredFraction: no gap, no ratio', () => {
  assert.is(recoveredFraction(2, 2, 5), undefined);
  assert.is(recoveredFraction(3, 1, 2), 0.5);
  fc.assert(fc.property(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true }), (c, r) => {
    const f = recoveredFraction(c, r, c);
    return f === undefined || Math.abs(f - 1) < 1e-12;
  }));
});

function writeSpec(name: string, body: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, body);
  return f;
}

test('a patch entry runs through the runner: per-pair metrics, means, a table, plain bounds', async () => {
  const f = writeSpec('ok.yaml', `suite: patching
model: skip.onnx
engine: { device: cpu }
circuits:
  - id: all-of-h1
    patch: { layer: h1, units: all, from: [${CAT}], into: [${COFFEE}, ${ASTRONAUT}], target: { class: 0 } }
    expect:
      patch.recovered: { near: 1, tol: 1.0e-4 }
      patch.recovered_mean: { near: 1, tol: 1.0e-4 }
  - id: probability
    patch: { layer: h1, units: [1], from: [${CAT}, ${COFFEE}], into: [${COFFEE}, ${CAT}], score: probability }
    expect:
      patch.patched: { between: [0, 1] }
`);
  const { report } = await runSpecs({ paths: [f], device: 'cpu' });
  const [all, prob] = report.suites[0].entries;
  assert.is(all.id, 'all-of-h1');
  assert.is(report.exitCode, 0, JSON.stringify(report.suites[0].entries.map((e) => e.checks)));
  assert.is((all.measurements['patch.recovered'] as number[]).length, 2);
  const table = all.artifacts.find((a) => a.type === 'table');
  assert.ok(table && table.type === 'table' && table.rows.length === 2 && table.columns.includes('recovered'));
  assert.is(all.params.probe, 'circuits.patch');
  assert.is(prob.params.target, 'top');
  assert.is((prob.measurements['patch.clean'] as number[]).length, 2);
});

test('bad input: unknown layer, unit out of range, missing image, a path layer upstream, unpaired lists — each at file:line:col', async () => {
  const f = writeSpec('bad.yaml', `suite: bad
model: skip.onnx
engine: { device: cpu }
circuits:
  - id: bad-layer
    patch: { layer: h9, units: all, from: [${DISK}], into: [${SQUARE}] }
    expect: { patch.effect: { min: 0 } }
  - id: bad-unit
    patch: { layer: h2, units: [1, 7], from: [${DISK}], into: [${SQUARE}] }
    expect: { patch.effect: { min: 0 } }
  - id: missing-image
    patch: { layer: h2, units: all, from: [nope.png], into: [${SQUARE}] }
    expect: { patch.effect: { min: 0 } }
  - id: upstream-path
    patch: { layer: h2, units: all, from: [${DISK}], into: [${SQUARE}], path: { layer: h1, units: all } }
    expect: { patch.effect: { min: 0 } }
  - id: unpaired
    patch: { layer: h2, units: all, from: [${DISK}, ${SQUARE}], into: [${SQUARE}, ${TRIANGLE}, ${DISK}] }
    expect: { patch.effect: { min: 0 } }
`);
  const e = await asyncErrorOf(() => validateSpecs([f])) as SpecError;
  assert.instance(e, SpecError);
  const lines = e.issues.map((i) => `${i.where.replace(/.*bad\.yaml/, '')} ${i.message}`);
  const want = [
    /^:6:21 layer "h9" does not exist/,
    /^:9:36 unit 7 does not exist in "h2"/,
    /^:12:44 image nope\.png not found/,
    /^:15:\d+ "h1" does not lie downstream of "h2"/,
    /^:18:\d+ 2 clean \(from\) and 3 corrupted \(into\) images do not pair up/,
  ];
  assert.is(lines.length, want.length, lines.join('\n'));
  want.forEach((w, i) => assert.match(lines.find((l) => w.test(l)) ?? '', w, lines.join('\n')));
});

test('schema: a patch entry takes no edits and no change expectations', async () => {
  const f = writeSpec('schema.yaml', `suite: schema
model: skip.onnx
circuits:
  - id: mixed
    edit: [ { ablate: { layer: h2, units: [0] } } ]
    patch: { layer: h2, units: all, from: [${DISK}], into: [${SQUARE}] }
    expect: { patch.effect: { change: { direction: increase, absolute: 1 } } }
`);
  const e = await asyncErrorOf(() => validateSpecs([f])) as SpecError;
  assert.instance(e, SpecError, String(e));
  const text = e.issues.map((i) => `${i.where.replace(/.*schema\.yaml/, '')} ${i.message}`).join('\n');
  assert.match(text, /:5:11 .*a patch entry has no `edit:`/);
  assert.match(text, /:7:39 .*a patch entry compares within one run/);
});

// The shapes CNN (PyTorch export, test/fixtures/shapes_cnn): c2 = /Relu_1_output_0 (48 units, 28×28)
// feeds residual block b2, then c3 = /Relu_2_output_0 (64 units), global average pool and the classifier.
test('shapes CNN: with every c3 unit as receiver, path patching c2 → c3 equals plain patching of c2 (c3 is a cut of the graph)', async () => {
  const cnn = await loadModel(path.join(dir, 'shapes_cnn.onnx'));
  const e = createForwardEngine(cnn, 'cpu', { cache: createActivationCache() });
  const img = (f: string) => toModelInput(readImage(path.join(dir, f)), cnn.preprocess);
  const c2 = { name: 'c2', tensor: '/Relu_1_output_0', itemDims: [48, 28, 28], units: [3, 17, 38, 47] };
  const c3 = { name: 'c3', tensor: '/Relu_2_output_0', itemDims: [64, 14, 14], units: Array.from({ length: 64 }, (_, i) => i) };
  const base: PatchParams = { layer: c2, pairs: [{ clean: img(DISK), corrupted: img(SQUARE), label: 'disk → square' }], target: { kind: 'class', index: 0 }, score: 'raw', targetTensor: 'logits' };
  const plain = await patchScores(base, e);
  const viaAll = await patchScores({ ...base, path: c3 }, e);
  const viaHalf = await patchScores({ ...base, path: { ...c3, units: c3.units.slice(0, 32) } }, e);
  assert.ok(Math.abs(plain.patched[0] - viaAll.patched[0]) < 1e-4, `${plain.patched[0]} vs ${viaAll.patched[0]}`);
  assert.ok(Math.abs(plain.patched[0] - viaHalf.patched[0]) > 1e-3, 'half the receivers carry a different effect');
});

test('shapes CNN finding (specs/shapes_cnn-concepts.yaml): c2 units 17 and 38 alone push the disk logit the wrong way; the eight strongest single units recover about half', async () => {
  // The shipped spec's comment gives the measurement behind its bounds: single-unit patches of all
  // 48 c2 units from the disk into the square and the triangle, ranked by the smaller of the two
  // recovered fractions, put 17 (−0.46) and 38 (−0.34) lowest and 3, 47, 41, 44, 24, 34, 2, 8
  // highest (0.11 … 0.04). Here the measured values themselves are pinned (CPU, the spec's device).
  const spec = path.join(shapes, '..', '..', '..', 'specs', 'shapes_cnn-concepts.yaml');
  const { report } = await runSpecs({ paths: [spec], device: 'cpu', filter: /\/c2-/ });
  const [against, half] = report.suites[0].entries;
  assert.is(against.id, 'c2-units-17-38-argue-against-the-disk');
  const rec = (e: typeof against) => (e.measurements['patch.recovered'] as number[]).map((v) => v.toFixed(3));
  assert.equal(rec(against), ['-0.826', '-0.624']);
  assert.equal(rec(half), ['0.528', '0.726']);
  assert.is(report.exitCode, 0);
});

test.run();
