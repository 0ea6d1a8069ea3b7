// Uninformative metrics are refused, not passed. Models built here with the project's IR writer:
// one gives its class to every image, the all-black one included (a flat deletion curve), one has
// a dead unit (a flat tuning curve). Their checks fail with reason `uninformative`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FC_SEED } from '../seed.ts';
import { createModel, floatTensorProto, node } from '../../src/engine/graph.ts';
import { encodeModel } from '../../src/engine/onnx.ts';
import { tensor } from '../../src/engine/tensor.ts';
import { makeRng } from '../../src/util/rng.ts';
import { isFlat } from '../../src/probe/uninformative.ts';
import { runSpecs } from '../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../src/probe/limits.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-uninformative-'));
const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const S = 32;

/** logits = [10 + Σ w·x, 0] over the whole 32² image (w tiny, not constant): class 0 wins on every image, black too. */
function saturatedModel(): string {
  const rng = makeRng(5);
  const w = tensor([2, 3, S, S]);
  for (let i = 0; i < 3 * S * S; i++) w.data[i] = 1e-4 * (rng() - 0.5);
  const file = path.join(tmp, 'saturated.onnx');
  fs.writeFileSync(file, encodeModel(createModel({
    inputs: [{ name: 'x', dims: ['N', 3, S, S] }],
    outputs: [{ name: 'logits', dims: ['N', 2] }],
    nodes: [node('Conv', ['x', 'w', 'b'], ['score'], { kernel_shape: { ints: [S, S] } }), node('Flatten', ['score'], ['logits'])],
    initializers: [floatTensorProto('w', w), floatTensorProto('b', tensor([2], [10, 0]))],
  })));
  return file;
}

/** Two 5×5 units: 0 an oriented bar detector, 1 dead (zero weights, zero bias) — a flat tuning curve. */
function deadUnitModel(): string {
  const w = tensor([2, 3, 5, 5]);
  for (let c = 0; c < 3; c++) for (let x = 0; x < 5; x++) w.data[((0 * 3 + c) * 5 + 2) * 5 + x] = 1; // horizontal bar
  const file = path.join(tmp, 'dead.onnx');
  fs.writeFileSync(file, encodeModel(createModel({
    inputs: [{ name: 'x', dims: ['N', 3, 64, 64] }],
    outputs: [{ name: 'units', dims: ['N', 2, 64, 64] }],
    nodes: [node('Conv', ['x', 'w', 'b'], ['conv'], { kernel_shape: { ints: [5, 5] }, pads: { ints: [2, 2, 2, 2] } }), node('Relu', ['conv'], ['units'])],
    initializers: [floatTensorProto('w', w), floatTensorProto('b', tensor([2], [0, 0]))],
  })));
  return file;
}

test('a model that scores an all-black image as its class: the deletion check fails as uninformative, never passes', async () => {
  const file = path.join(tmp, 'saturated.yaml');
  fs.writeFileSync(file, `suite: saturated
model: ${JSON.stringify(saturatedModel())}
masks:
  - id: deletion
    image: ${JSON.stringify(path.join(root, 'test', 'fixtures', 'images', 'chelsea.png'))}
    target: { class: 0 }
    method: { gradient: {} }
    measure: { deletion: { steps: 10 }, random_baseline: true }
    expect:
      deletion_auc_vs_random: { max: 0.05 }
      deletion_auc: { max: 2 }
  - id: insertion-from-mean-logit
    image: ${JSON.stringify(path.join(root, 'test', 'fixtures', 'images', 'chelsea.png'))}
    target: { class: 0 }
    method: { gradient: {} }
    measure: { insertion: { steps: 10, baseline: mean, score: logit } }
    expect:
      insertion_auc: { min: 0 }
`);
  const { report } = await runSpecs({ paths: [file], limits });
  const [e, ins] = report.suites[0].entries;
  assert.is(e.error, undefined, JSON.stringify(e.error));
  assert.is(e.checks.length, 2);
  for (const c of e.checks) {
    assert.is(c.passed, false, JSON.stringify(c));
    assert.match(c.reason ?? '', /^uninformative: the deletion curve of .*chelsea\.png is flat/);
  }
  // The number itself is still reported: ≈0, both orders give the same flat curve (it would pass `max: 0.05`).
  assert.ok(Math.abs(e.measurements.deletion_auc_vs_random as number) < 1e-5, String(e.measurements.deletion_auc_vs_random));
  assert.is(report.exitCode, 1);
  // Another baseline and the raw logit do not rescue it: the logit stays ≈ 10 whatever the pixels.
  assert.is(ins.error, undefined, JSON.stringify(ins.error));
  assert.match(ins.checks[0].reason ?? '', /^uninformative: the insertion curve of .*chelsea\.png is flat/);
  assert.equal(ins.params.measure, { insertion: { steps: 10, baseline: 'mean', score: 'logit' } });
});

test('a dead unit has no peak: its peak-angle check fails as uninformative, the live unit\'s passes', async () => {
  const file = path.join(tmp, 'dead.yaml');
  fs.writeFileSync(file, `suite: dead-unit
model: ${JSON.stringify(deadUnitModel())}
neurons:
  - id: live
    layer: units
    unit: 0
    stimulus: { line: { orientation: { from: 0, to: 360, step: 15 }, width: 3, length: 40 } }
    tuning: { reference: { clutter: 2 } }
    expect:
      tuning.peak: { min: 1 }
  - id: dead
    layer: units
    unit: 1
    stimulus: { line: { orientation: { from: 0, to: 360, step: 15 }, width: 3, length: 40 } }
    tuning: { reference: { clutter: 2 } }
    expect:
      tuning.peak_deg: { near: 0, tol: 30 }
      tuning.peak: { max: 1 }
`);
  const { report } = await runSpecs({ paths: [file], limits });
  const [live, dead] = report.suites[0].entries;
  assert.is(live.error, undefined, JSON.stringify(live.error));
  assert.ok(live.checks.every((c) => c.passed), JSON.stringify(live.checks));
  const peakDeg = dead.checks.find((c) => c.metric === 'tuning.peak_deg')!;
  assert.is(peakDeg.passed, false);
  assert.match(peakDeg.reason ?? '', /^uninformative: unit 1's tuning curve is flat/);
  // The response size of a dead unit is a real measurement: 0, and a bound on it still judges.
  assert.ok(dead.checks.find((c) => c.metric === 'tuning.peak')!.passed);
});

test('isFlat: a constant curve is flat, scaling does not change the verdict, a real step is not flat', () => {
  fc.assert(fc.property(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.integer({ min: 2, max: 50 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (c, n, k) => {
    const flat = Array.from({ length: n }, () => c);
    assert.ok(isFlat(flat));
    const step = flat.map((v, i) => (i === 0 ? v + 0.5 * Math.max(1, Math.abs(v)) : v));
    assert.not.ok(isFlat(step));
    assert.is(isFlat(step.map((v) => v * k)), isFlat(step));
  }), { seed: FC_SEED, numRuns: 300 });
  assert.not.ok(isFlat([0, 1, Number.NaN]), 'NaN never makes a curve flat (nothing passes on NaN)');
});

test.run();
