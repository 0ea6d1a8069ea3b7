// `circuits:` entries end to end on a hand-made model: the runner measures the edited and the
// original model, `change` compares them; `neurogate export --edit` writes a model that reloads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createModel, floatTensorProto, node } from '../../../src/engine/graph.ts';
import { encodeModel, decodeModel } from '../../../src/engine/onnx.ts';
import { makeNet } from '../../../src/engine/net.ts';
import { run } from '../../../src/engine/session.ts';
import { tensor, type Tensor } from '../../../src/engine/tensor.ts';
import { makeRng } from '../../../src/util/rng.ts';
import { applyEdits } from '../../../src/probes/circuit/edits.ts';
import { exportCommand } from '../../../src/cli/export.ts';
import { runSpecs } from '../../../src/run/index.ts';
import { loadModel } from '../../../src/models/load.ts';
import { readImage, toModelInput } from '../../../src/stimuli/image.ts';

const H = 32;
const fixtures = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'fixtures', 'shapes_cnn');
const IMAGES = ['shape_0_disk.png', 'shape_1_square.png'];

function rand(dims: number[], seed: number): Tensor {
  const r = makeRng(seed);
  const t = tensor(dims);
  for (let i = 0; i < t.data.length; i++) t.data[i] = r() * 2 - 1;
  return t;
}

/** RGB x → conv1 (4, 3×3) → Relu = r1 → conv2 (2, 3×3) → Relu = r2. */
function tinyNet() {
  return createModel({
    inputs: [{ name: 'x', dims: ['N', 3, H, H] }],
    outputs: [{ name: 'r2' }],
    nodes: [
      node('Conv', ['x', 'W1', 'b1'], ['c1'], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }, 'conv1'),
      node('Relu', ['c1'], ['r1'], {}, 'relu1'),
      node('Conv', ['r1', 'W2', 'b2'], ['c2'], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }, 'conv2'),
      node('Relu', ['c2'], ['r2'], {}, 'relu2'),
    ],
    initializers: [
      floatTensorProto('W1', rand([4, 3, 3, 3], 1)), floatTensorProto('b1', tensor([4], [0.5, 0.5, 0.5, 0.5])),
      floatTensorProto('W2', rand([2, 4, 3, 3], 2)), floatTensorProto('b2', tensor([2], [1, 1])),
    ],
  });
}

function workspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neurogate-circuits-'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{}');
  fs.writeFileSync(path.join(dir, 'tiny.onnx'), encodeModel(tinyNet()));
  for (const f of IMAGES) fs.copyFileSync(path.join(fixtures, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'spec.yaml'), `suite: tiny-circuits
model: tiny.onnx
engine: { device: cpu }
neurons:
  - { id: plain, layer: r2, unit: 0, stimulus: { blank: {} }, expect: { activation: { min: 0 } } }
circuits:
  - id: silence-unit-0
    edit: [ { ablate: { layer: r2, units: [0] } } ]
    measure: { layer: r2, units: [0, 1], stimulus: { blank: {} } }
    views: [ { layer: r2, unit: 1 } ]
    expect:
      activation: { change: { direction: none, absolute: 1.0e-6 } }
  - id: double-unit-1-bias-free
    edit: [ { scale: { layer: r2, units: [1], factor: 2 } }, { sign: { layer: r1, units: [2], keep: flip } } ]
    measure: { layer: r2, unit: 0, stimulus: { blank: {} } }
    expect:
      activation: { change: { direction: none, absolute: 1.0e-3 } }
  - id: mean-ablation
    edit: [ { ablate: { layer: r1, units: [1, 3], mean_over: [${IMAGES.join(', ')}] } } ]
    measure: { layer: r1, units: [1, 3], stimulus: { blank: {} } }
    expect:
      activation: { change: { direction: none, absolute: 100 } }
`);
  return dir;
}

test('a circuits entry runs on the edited and the original model; change judges the difference', async () => {
  const dir = workspace();
  const { report } = await runSpecs({ paths: [path.join(dir, 'spec.yaml')], device: 'cpu' });
  const entries = report.suites[0].entries;
  const silence = entries.find((e) => e.id === 'silence-unit-0')!;
  assert.ok(silence, 'the circuits entry ran');
  // Unit 0 goes to exactly 0 while unit 1 keeps its value: the `none` check fails for unit 0 only.
  const check = silence.checks[0];
  assert.is(check.passed, false);
  assert.is(check.observed, 0);
  assert.ok((check.baseline as number) > 0, 'the original unit 0 answers a blank image');
  assert.match(check.reason ?? '', /1 of 2 cases pass/);
  assert.match(check.reason ?? '', /unit 0/);
  assert.ok(silence.artifacts.some((a) => a.type === 'image' && a.name.startsWith('weights-1-edited')));
  assert.ok(silence.artifacts.some((a) => a.type === 'image' && a.name.startsWith('weights-1-original')));
  // Edits of other units leave unit 0 of r2 alone only if unit 2 of r1 does not feed it: it does, so the flip moves it.
  const other = entries.find((e) => e.id === 'double-unit-1-bias-free')!;
  assert.is.not(other.checks[0].observed, other.checks[0].baseline);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('mean ablation: the unit outputs its mean over the image set, measured on the original model', async () => {
  const dir = workspace();
  const { report } = await runSpecs({ paths: [path.join(dir, 'spec.yaml')], device: 'cpu', filter: /mean-ablation/ });
  const check = report.suites[0].entries[0].checks[0];
  // The mean over both images and all positions, computed here straight from the original model.
  const model = await loadModel(path.join(dir, 'tiny.onnx'));
  const want = [0, 0];
  for (const f of IMAGES) {
    const y = (await run(model.net, { x: toModelInput(readImage(path.join(dir, f)), model.preprocess) }, ['r1'])).r1;
    [1, 3].forEach((u, i) => {
      let s = 0;
      for (let p = 0; p < H * H; p++) s += y.data[u * H * H + p];
      want[i] += s / (H * H) / IMAGES.length;
    });
  }
  const observed = report.suites[0].entries[0].measurements.activation as number[];
  assert.ok(want.every((w) => w > 0), 'both units answer the shapes');
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(observed[i] - want[i]) < 1e-5, `unit ${[1, 3][i]}: ${observed[i]} vs mean ${want[i]}`);
  assert.is(check.passed, true);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('export --edit writes the edited model; it reloads and reproduces the in-process edit', async () => {
  const dir = workspace();
  const out = path.join(dir, 'edited.onnx');
  const log = console.log;
  console.log = () => {};
  try {
    assert.is(await exportCommand([path.join(dir, 'tiny.onnx'), out, '--edit', `${path.join(dir, 'spec.yaml')}#double-unit-1-bias-free`]), 0);
  } finally {
    console.log = log;
  }
  const back = decodeModel(new Uint8Array(fs.readFileSync(out)));
  const want = applyEdits(tinyNet(), [
    { op: 'scale', to: { tensor: 'r2', units: [1] }, factor: 2 },
    { op: 'sign', to: { tensor: 'r1', units: [2] }, keep: 'flip' },
  ]);
  const x = rand([1, 3, H, H], 9);
  const a = await run(makeNet(back, 'exported'), { x }, ['r2']);
  const b = await run(makeNet(want, 'in-process'), { x }, ['r2']);
  const o = await run(makeNet(tinyNet(), 'original'), { x }, ['r2']);
  assert.equal(a.r2.data, b.r2.data);
  assert.not.equal(a.r2.data, o.r2.data);
  let refused: unknown;
  await exportCommand([path.join(dir, 'tiny.onnx'), out, '--edit', `${path.join(dir, 'spec.yaml')}#nope`]).catch((e) => { refused = e; });
  assert.match(String((refused as Error)?.message), /no circuits entry "nope"/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test.run();
