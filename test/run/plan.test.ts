// Planning without models: suite defaults and entry overrides, command-line overrides, the
// filter, and expectations on metrics a probe does not produce (caught before anything runs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { loadSpecText } from '../../src/kinds/load.ts';
import { SpecError } from '../../src/suite/issues.ts';
import { planRun } from '../../src/run/plan.ts';
import { errorOf } from '../helpers.ts';

const FILE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'specs', 'failing', 'virtual.yaml');
const SPEC = `suite: s
model: zoo:mobilenet_v2
baseline: zoo:mobilenet_v2_mid
engine: { device: cpu, batch: 8 }
seed: 5
tol: 0.5
neurons:
  - id: a
    layer: Conv1
    unit: 0
    image: ../../images/chelsea.png
    expect:
      activation: { near: 1 }
      activation.mean: { near: 1, tol: 0.1 }
  - id: b
    layer: Conv1
    unit: 0
    image: ../../images/chelsea.png
    model: zoo:inception_v3
    engine: { device: auto, batch: 2 }
    seed: 9
    tol: 0.2
    rtol: 0.01
    repeat: 3
    expect:
      activation: { near: 1, k: 2, change: { direction: none, absolute: 0.1 } }
`;

test('entries inherit suite defaults and override them; near tolerances resolve expectation > entry > suite', () => {
  const [suite] = planRun([loadSpecText(FILE, SPEC)]);
  const [a, b] = suite.entries;
  assert.equal([a.model.ref, a.device, a.batch, a.seed, a.repeat], ['zoo:mobilenet_v2', 'cpu', 8, 5, 1]);
  assert.equal([b.model.ref, b.device, b.batch, b.seed, b.repeat], ['zoo:inception_v3', 'auto', 2, 9, 3]);
  assert.equal(a.checks.map((c) => [c.metric, c.expectation.tol, c.expectation.rtol]), [['activation', 0.5, 0], ['activation.mean', 0.1, 0]]);
  assert.equal(b.checks.map((c) => [c.expectation.tol, c.expectation.rtol]), [[0.2, 0.01]]);
  assert.equal(b.devicePath, ['neurons', 1, 'engine', 'device']);
  assert.equal(a.devicePath, ['engine', 'device']);
  assert.match(a.checks[0].where, /virtual\.yaml:13:7$/);
  assert.is(a.baseline, undefined, 'no change check, no baseline run');
  assert.is(b.baseline?.ref, 'zoo:mobilenet_v2_mid');
  assert.match(b.where, /virtual\.yaml:15:5$/);
});

test('command-line overrides replace model, baseline, device and every seed', () => {
  const [suite] = planRun([loadSpecText(FILE, SPEC)], { model: 'x.onnx', baseline: 'y.onnx', device: 'cpu', seed: 42 });
  for (const e of suite.entries) {
    assert.equal([e.model.ref, e.model.baseDir, e.device, e.seed, e.devicePath], ['x.onnx', process.cwd(), 'cpu', 42, undefined]);
  }
  assert.is(suite.entries[1].baseline?.ref, 'y.onnx');
});

test('the filter keeps matching "suite/id" entries and refuses to match nothing', () => {
  const [suite] = planRun([loadSpecText(FILE, SPEC)], { filter: /^s\/b$/ });
  assert.equal(suite.entries.map((e) => e.id), ['b']);
  const e = errorOf(() => planRun([loadSpecText(FILE, SPEC)], { filter: /nothing/ }));
  assert.is(e.code, 'E_FILTER');
  assert.is(e.kind, 'bad_input');
});

test('an expectation on a metric the probe does not produce is bad input at its key, with a guess', () => {
  const e = errorOf(() => planRun([loadSpecText(FILE, SPEC.replace('activation.mean:', 'activation.maen:'))]));
  assert.instance(e, SpecError);
  const [i] = (e as SpecError).issues;
  assert.match(i.where, /virtual\.yaml:14:7$/);
  assert.match(i.message, /the neurons\.activation probe does not produce `activation\.maen`/);
  assert.match(i.hint!, /did you mean `activation\.mean`\?/);
  const far = errorOf(() => planRun([loadSpecText(FILE, SPEC.replace('activation.mean:', 'tuning.peak:'))])) as SpecError;
  assert.match(far.issues[0].hint!, /it produces: activation, activation\.mean, activation\.min, activation\.max/);
});

test.run();
