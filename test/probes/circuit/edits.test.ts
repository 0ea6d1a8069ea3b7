// Circuit edits on a hand-made ONNX model whose outputs are known in closed form: every edit is
// checked on the weights (exactly the intended entries change) and on behaviour (a JS reference).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createModel, floatTensorProto, node, readWeight } from '../../../src/engine/graph.ts';
import { encodeModel, decodeModel, type ModelProto } from '../../../src/engine/onnx.ts';
import { makeNet } from '../../../src/engine/net.ts';
import { run } from '../../../src/engine/session.ts';
import { tensor, type Tensor } from '../../../src/engine/tensor.ts';
import { makeRng } from '../../../src/util/rng.ts';
import { applyEdit, applyEdits, rotateKernel, type Edit } from '../../../src/probes/circuit/edits.ts';
import { sourceOf } from '../../../src/probes/circuit/resolve.ts';
import { renderStimulus } from '../../../src/stimuli/index.ts';

const S = 6;

function rand(dims: number[], seed: number): Tensor {
  const r = makeRng(seed);
  const t = tensor(dims);
  for (let i = 0; i < t.data.length; i++) t.data[i] = r() * 2 - 1;
  return t;
}

/**
 * x[2] → convA(3, 3×3, bias) → BN → Relu = a;  x → convC(2, 1×1, no bias) → Relu = c;
 * cat = Concat(a, c) (5 channels: 0–2 from a, 3–4 from c);  d = convD(2, 3×3, no bias)(cat).
 */
function handMade(seed = 1): ModelProto {
  const bnScale = tensor([3], [1.5, 0.5, 2]);
  const bnB = tensor([3], [0.1, -0.2, 0.3]);
  const bnMean = tensor([3], [0.05, 0, -0.1]);
  const bnVar = tensor([3], [1, 2, 0.5]);
  return createModel({
    inputs: [{ name: 'x', dims: [1, 2, S, S] }],
    outputs: [{ name: 'cat' }, { name: 'd' }],
    nodes: [
      node('Conv', ['x', 'A/W', 'A/b'], ['A'], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }, 'convA'),
      node('BatchNormalization', ['A', 'bn/s', 'bn/b', 'bn/m', 'bn/v'], ['Abn'], { epsilon: { f: 1e-3 } }, 'bnA'),
      node('Relu', ['Abn'], ['a'], {}, 'reluA'),
      node('Conv', ['x', 'C/W'], ['C'], { kernel_shape: { ints: [1, 1] } }, 'convC'),
      node('Relu', ['C'], ['c'], {}, 'reluC'),
      node('Concat', ['a', 'c'], ['cat'], { axis: { i: 1 } }, 'cat'),
      node('Conv', ['cat', 'D/W'], ['d'], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }, 'convD'),
    ],
    initializers: [
      floatTensorProto('A/W', rand([3, 2, 3, 3], seed)), floatTensorProto('A/b', rand([3], seed + 1)),
      floatTensorProto('bn/s', bnScale), floatTensorProto('bn/b', bnB), floatTensorProto('bn/m', bnMean), floatTensorProto('bn/v', bnVar),
      floatTensorProto('C/W', rand([2, 2, 1, 1], seed + 2)), floatTensorProto('D/W', rand([2, 5, 3, 3], seed + 3)),
    ],
  });
}

const X = rand([1, 2, S, S], 99);

async function outputs(m: ModelProto): Promise<{ cat: Tensor; d: Tensor }> {
  const r = await run(makeNet(m, 'hand-made'), { x: X }, ['cat', 'd']);
  return { cat: r.cat, d: r.d };
}

/** Reference 3×3 "same" convolution (cross-correlation, zero padding), batch 1. */
function conv3(x: Tensor, w: Tensor): Tensor {
  const [, cin, h, wd] = x.dims;
  const [cout, , kh, kw] = w.dims;
  const out = tensor([1, cout, h, wd]);
  for (let o = 0; o < cout; o++) for (let y = 0; y < h; y++) for (let xx = 0; xx < wd; xx++) {
    let s = 0;
    for (let i = 0; i < cin; i++) for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) {
      const yy = y + dy - (kh >> 1);
      const xq = xx + dx - (kw >> 1);
      if (yy < 0 || yy >= h || xq < 0 || xq >= wd) continue;
      s += x.data[(i * h + yy) * wd + xq] * w.data[((o * cin + i) * kh + dy) * kw + dx];
    }
    out.data[(o * h + y) * wd + xx] = s;
  }
  return out;
}

function close(a: Tensor, b: Tensor, tol = 1e-4, what = '') {
  assert.equal(a.dims, b.dims, what);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
  assert.ok(worst <= tol, `${what}: max diff ${worst}`);
}

/** Indices where two weights differ. */
function changed(a: Tensor, b: Tensor): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) out.push(i);
  return out;
}

const plane = S * S;
const channel = (t: Tensor, c: number) => t.data.subarray(c * plane, (c + 1) * plane);

test('units are traced through concats to the right conv channel', () => {
  const m = handMade();
  const s1 = sourceOf(m, 'cat', 1);
  assert.is(s1.conv.name, 'convA');
  assert.is(s1.channel, 1);
  assert.is(s1.bn?.name, 'bnA');
  assert.equal(s1.after, ['Relu']);
  const s4 = sourceOf(m, 'cat', 4);
  assert.is(s4.conv.name, 'convC');
  assert.is(s4.channel, 1);
  assert.is(s4.bn, undefined);
  assert.throws(() => sourceOf(m, 'cat', 5), /does not exist/);
});

test('ablate to zero through a BatchNorm: the unit is exactly 0, BN scale and shift of that channel only changed', async () => {
  const m = handMade();
  const e = applyEdit(m, { op: 'ablate', target: { tensor: 'cat', units: [1] } });
  assert.equal(changed(readWeight(m, 'bn/s'), readWeight(e, 'bn/s')), [1]);
  assert.equal(changed(readWeight(m, 'bn/b'), readWeight(e, 'bn/b')), [1]);
  for (const w of ['A/W', 'A/b', 'bn/m', 'bn/v', 'C/W', 'D/W']) assert.equal(changed(readWeight(m, w), readWeight(e, w)), [], w);
  const before = await outputs(m);
  const after = await outputs(e);
  assert.ok(channel(before.cat, 1).some((v) => v !== 0), 'the unit was active before');
  assert.ok(channel(after.cat, 1).every((v) => v === 0));
  for (const c of [0, 2, 3, 4]) assert.equal(channel(after.cat, c), channel(before.cat, c));
  // d is the reference convolution of the edited concat.
  close(after.d, conv3(after.cat, readWeight(m, 'D/W')), 1e-4, 'd');
});

test('ablate to a mean without BN or bias: kernel row zeroed, a bias added, the unit equals the value', async () => {
  const m = handMade();
  const e = applyEdit(m, { op: 'ablate', target: { tensor: 'cat', units: [3] }, values: [0.7] });
  const w = readWeight(e, 'C/W');
  assert.equal(changed(readWeight(m, 'C/W'), w), [0, 1].filter((i) => readWeight(m, 'C/W').data[i] !== 0));
  assert.equal(Array.from(w.data.subarray(2)), Array.from(readWeight(m, 'C/W').data.subarray(2)));
  const after = await outputs(e);
  const before = await outputs(m);
  assert.ok(channel(after.cat, 3).every((v) => Math.abs(v - 0.7) < 1e-6));
  assert.equal(channel(after.cat, 4), channel(before.cat, 4));
  close(after.d, conv3(after.cat, readWeight(m, 'D/W')), 1e-4, 'd');
});

test('scale the weights between two unit sets: only W[to, from] entries, behaviour linear', async () => {
  const m = handMade();
  const e = applyEdit(m, { op: 'scale', to: { tensor: 'd', units: [1] }, from: [0, 3], factor: 0.25 });
  const w0 = readWeight(m, 'D/W');
  const w1 = readWeight(e, 'D/W');
  const expected: number[] = [];
  for (const i of [0, 3]) for (let k = 0; k < 9; k++) expected.push((1 * 5 + i) * 9 + k);
  assert.equal(changed(w0, w1), expected.filter((j) => w0.data[j] !== 0));
  for (const j of expected) assert.ok(Math.abs(w1.data[j] - w0.data[j] * 0.25) < 1e-7);
  const before = await outputs(m);
  const after = await outputs(e);
  close(after.d, conv3(before.cat, w1), 1e-4, 'd');
  assert.equal(channel(after.d, 0), channel(before.d, 0));
});

test('keep positive / negative, flip sign: the chosen kernels transformed, the rest identical', async () => {
  const m = handMade();
  const w0 = readWeight(m, 'D/W');
  const before = await outputs(m);
  for (const keep of ['positive', 'negative', 'flip'] as const) {
    const e = applyEdit(m, { op: 'sign', to: { tensor: 'd', units: [0] }, keep });
    const w1 = readWeight(e, 'D/W');
    for (let j = 0; j < w0.data.length; j++) {
      const inTo = j < 45;
      const v = w0.data[j];
      const want = !inTo ? v : keep === 'positive' ? Math.max(v, 0) : keep === 'negative' ? Math.min(v, 0) : -v;
      assert.is(w1.data[j], Math.fround(want), `${keep} entry ${j}`);
    }
    const after = await outputs(e);
    close(after.d, conv3(before.cat, w1), 1e-4, `d (${keep})`);
    if (keep === 'flip') for (let i = 0; i < plane; i++) assert.ok(Math.abs(channel(after.d, 0)[i] + channel(before.d, 0)[i]) < 1e-5);
  }
});

test('quarter-turn kernel rotation is an exact permutation; four turns are the identity; 90° by resampling agrees', () => {
  const k = rand([1, 1, 5, 5], 5).data;
  const r1 = rotateKernel(k, 5, 5, 90);
  // A weight at the right of the centre goes to the top (counter-clockwise on screen).
  const e = new Float32Array(25);
  e[2 * 5 + 4] = 1;
  assert.is(rotateKernel(e, 5, 5, 90)[0 * 5 + 2], 1);
  assert.equal([...r1].sort(), [...k].sort());
  let r = k;
  for (let t = 0; t < 4; t++) r = rotateKernel(r, 5, 5, 90);
  assert.equal(Array.from(r), Array.from(k));
  assert.equal(Array.from(rotateKernel(k, 5, 5, -270)), Array.from(r1));
  // The resampling path at an angle within a hair of 90° lands on the exact permutation.
  const near = rotateKernel(k, 5, 5, 90 + 1e-6);
  for (let i = 0; i < 25; i++) assert.ok(Math.abs(near[i] - r1[i]) < 1e-5);
  // 45° keeps the centre and the mass stays near it.
  assert.ok(Math.abs(rotateKernel(k, 5, 5, 45)[12] - k[12]) < 1e-6);
});

/** Rotate a [1, C, H, W] map counter-clockwise on screen by a quarter turn (square maps). */
function rotMap(t: Tensor): Tensor {
  const [, c, h, w] = t.dims;
  const out = tensor(t.dims);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    // output (y, x) comes from input (x, w-1-y) — the same map as rotateKernel's.
    out.data[(ch * h + y) * w + x] = t.data[(ch * h + x) * w + (w - 1 - y)];
  }
  return out;
}

test('rotate every kernel of the first conv by 90°: output on the rotated input is the rotated output', async () => {
  const m = handMade();
  const e = applyEdit(m, { op: 'rotate', to: { tensor: 'cat', units: [0, 1, 2] }, degrees: 90 });
  const w0 = readWeight(m, 'A/W');
  const w1 = readWeight(e, 'A/W');
  for (let o = 0; o < 6; o++) assert.equal(Array.from(w1.data.subarray(o * 9, o * 9 + 9)), Array.from(rotateKernel(w0.data.subarray(o * 9, o * 9 + 9), 3, 3, 90)));
  assert.equal(changed(readWeight(m, 'A/b'), readWeight(e, 'A/b')), []);
  const orig = await run(makeNet(m, 'm'), { x: X }, ['a']);
  const rot = await run(makeNet(e, 'e'), { x: rotMap(X) }, ['a']);
  close(rot.a, rotMap(orig.a), 1e-5, 'a');
});

test('transplant a unit from another model: its weights, bias and BN entries copied; the unit reproduces the donor', async () => {
  const m = handMade(1);
  const donor = applyEdit(handMade(50), { op: 'scale', to: { tensor: 'cat', units: [2] }, factor: 1.3 });
  const e = applyEdit(m, { op: 'transplant', to: { tensor: 'cat', units: [2] }, source: donor });
  const wd = readWeight(donor, 'A/W');
  const w1 = readWeight(e, 'A/W');
  const w0 = readWeight(m, 'A/W');
  assert.equal(Array.from(w1.data.subarray(36, 54)), Array.from(wd.data.subarray(36, 54)));
  assert.equal(Array.from(w1.data.subarray(0, 36)), Array.from(w0.data.subarray(0, 36)));
  assert.equal(changed(readWeight(m, 'A/b'), readWeight(e, 'A/b')), [2]);
  const mine = await outputs(e);
  const theirs = await outputs(donor);
  const before = await outputs(m);
  assert.equal(channel(mine.cat, 2), channel(theirs.cat, 2));
  assert.equal(channel(mine.cat, 0), channel(before.cat, 0));
});

test('an edited model survives export and reload and reproduces its outputs', async () => {
  const m = handMade();
  const e = applyEdits(m, [
    { op: 'sign', to: { tensor: 'd', units: [0, 1] }, keep: 'positive' },
    { op: 'ablate', target: { tensor: 'cat', units: [3] }, values: [0.2] },
  ]);
  const back = decodeModel(encodeModel(e));
  const a = await outputs(e);
  const b = await outputs(back);
  assert.equal(a.d.data, b.d.data);
});

test('property: any sequence of edits leaves the original model (bytes and outputs) unchanged', async () => {
  const m = handMade();
  const bytes = encodeModel(m);
  const ref = await outputs(m);
  const donor = handMade(7);
  const unitsOf = (n: number) => fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: n });
  const edit: fc.Arbitrary<Edit> = fc.oneof(
    unitsOf(5).map((u): Edit => ({ op: 'ablate', target: { tensor: 'cat', units: u } })),
    fc.tuple(unitsOf(2), unitsOf(5), fc.double({ min: -2, max: 2, noNaN: true })).map(([to, from, factor]): Edit => ({ op: 'scale', to: { tensor: 'd', units: to }, from, factor })),
    fc.tuple(unitsOf(2), fc.constantFrom('positive', 'negative', 'flip' as const)).map(([to, keep]): Edit => ({ op: 'sign', to: { tensor: 'd', units: to }, keep })),
    fc.tuple(unitsOf(3), fc.integer({ min: -3, max: 3 }), fc.boolean()).map(([to, q, free]): Edit => ({ op: 'rotate', to: { tensor: 'cat', units: to }, degrees: q * 90 + (free ? 17 : 0) })),
    unitsOf(3).map((u): Edit => ({ op: 'transplant', to: { tensor: 'cat', units: u }, source: donor })),
  );
  const seed = 4242;
  console.log(`edits property seed ${seed}`);
  await fc.assert(fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 5 }), async (edits) => {
    const e = applyEdits(m, edits);
    assert.ok(e !== m);
    assert.equal(encodeModel(m), bytes);
    const now = await outputs(m);
    assert.equal(now.d.data, ref.d.data);
  }), { numRuns: 30, seed });
});

// --- equivariance: a hand-made net whose kernels are all rotated turns its tuning peak ---

const N = 33;

/** gray input → conv1 (2 maps, 5×5) → Relu → conv2 (1 map, 5×5) → Relu; read at the centre. */
function curveNet(): ModelProto {
  return createModel({
    inputs: [{ name: 'x', dims: ['N', 1, N, N] }],
    outputs: [{ name: 'y' }],
    nodes: [
      node('Conv', ['x', 'W1', 'b1'], ['h'], { kernel_shape: { ints: [5, 5] }, pads: { ints: [2, 2, 2, 2] } }, 'conv1'),
      node('Relu', ['h'], ['hr'], {}, 'relu1'),
      node('Conv', ['hr', 'W2'], ['z'], { kernel_shape: { ints: [5, 5] }, pads: { ints: [2, 2, 2, 2] } }, 'conv2'),
      node('Relu', ['z'], ['y'], {}, 'relu2'),
    ],
    initializers: [floatTensorProto('W1', rand([2, 1, 5, 5], 11)), floatTensorProto('b1', tensor([2], [0.1, -0.1])), floatTensorProto('W2', rand([1, 2, 5, 5], 12))],
  });
}

async function peakDeg(m: ModelProto): Promise<number> {
  const angles = Array.from({ length: 72 }, (_, i) => i * 5);
  const batch = tensor([angles.length, 1, N, N]);
  angles.forEach((deg, i) => {
    // Dark arc on white, as 1 − luminance so ink drives the units.
    const img = renderStimulus({ kind: 'curve', orientation: deg, radius: 8, width: 2 }, { width: N, height: N });
    for (let p = 0; p < N * N; p++) batch.data[i * N * N + p] = 1 - img.data[p * 3] / 255;
  });
  const y = (await run(makeNet(m, 'curve-net'), { x: batch }, ['y'])).y;
  const mid = ((N - 1) / 2) * N + (N - 1) / 2;
  let best = 0;
  for (let i = 1; i < angles.length; i++) if (y.data[i * N * N + mid] > y.data[best * N * N + mid]) best = i;
  return angles[best];
}

test('equivariance: rotating all early kernels by k·90° turns the tuning peak by k·90°', async () => {
  const m = curveNet();
  const base = await peakDeg(m);
  const seed = 90;
  console.log(`rotation property seed ${seed}`);
  await fc.assert(fc.asyncProperty(fc.integer({ min: -3, max: 4 }), async (k) => {
    const e = applyEdits(m, [
      { op: 'rotate', to: { tensor: 'hr', units: [0, 1] }, degrees: 90 * k },
      { op: 'rotate', to: { tensor: 'y', units: [0] }, degrees: 90 * k },
    ]);
    const p = await peakDeg(e);
    const want = (((base + 90 * k) % 360) + 360) % 360;
    const d = Math.abs(((p - want + 540) % 360) - 180);
    assert.ok(d <= 5, `k=${k}: peak ${p}°, expected ${want}°`);
  }), { numRuns: 8, seed });
});

test.run();
