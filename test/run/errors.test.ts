// Problems found once models are loaded (a layer the model lacks, a unit or position outside it,
// a layer missing from the baseline) are spec errors at file:line:col before anything runs; a
// failure while probes run becomes an entry error in the report, never a lost run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateSpecs } from '../../src/run/index.ts';
import { planRun } from '../../src/run/plan.ts';
import { prepareRun } from '../../src/run/prepare.ts';
import { executeRun } from '../../src/run/execute.ts';
import { buildReport } from '../../src/run/report.ts';
import { loadSpecFile } from '../../src/kinds/load.ts';
import { SpecError } from '../../src/suite/issues.ts';
import type { ActivationParams } from '../../src/probes/neuron/activation.ts';
import { asyncErrorOf } from '../helpers.ts';
import { DEFAULT_LIMITS } from '../../src/probe/limits.ts';

// The specs are written to a temp folder but name the repository's fixtures: outside their root.
const limits = { ...DEFAULT_LIMITS, allowOutside: true };

const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-run-errors-'));

function specFile(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text.replaceAll('SHAPES', shapes));
  return f;
}

const GOOD = `suite: s
model: SHAPES/shapes_cnn.onnx
engine: { device: cpu }
neurons:
  - id: ok
    layer: logits
    unit: 0
    image: SHAPES/shape_0_disk.png
    expect:
      activation: { min: 5 }
  - id: stem
    layer: /Relu_output_0
    unit: 3
    image: SHAPES/shape_0_disk.png
    reduce: max
    expect:
      activation: { min: 0 }
`;

test('layers, units and positions are checked against the model, each at its place in the spec', async () => {
  const f = specFile('bad-layers.yaml', GOOD
    .replace('layer: logits', 'layer: logitz')
    .replace('unit: 3', 'unit: 24')
    .replace('reduce: max', 'position: [112, 0]'));
  const e = await asyncErrorOf(() => validateSpecs([f], { limits }));
  assert.instance(e, SpecError);
  const lines = (e as SpecError).issues.map((i) => `${i.where.replace(/.*bad-layers\.yaml/, '')} ${i.message} | ${i.hint ?? ''}`);
  assert.is(lines.length, 3, lines.join('\n'));
  assert.match(lines[0], /^:6:12 layer "logitz" does not exist in .*shapes_cnn\.onnx \| did you mean "logits"/);
  assert.match(lines[1], /^:13:11 unit 24 does not exist in layer "\/Relu_output_0": it has 24 channels \| pick a unit in 0\.\.23/);
  assert.match(lines[2], /^:15:15 position \[112, 0\] is outside the 112×112 map/);
});

test('a layer the baseline model lacks is reported at the layer, naming the baseline', async () => {
  const f = specFile('baseline.yaml', GOOD.replace('engine:', `baseline: SHAPES/shapes_cnn_dynamo.onnx\nengine:`)
    .replace('activation: { min: 0 }', 'activation: { change: { direction: none, absolute: 0.01 } }'));
  const e = await asyncErrorOf(() => validateSpecs([f], { limits })) as SpecError;
  assert.is(e.issues.length, 1);
  assert.match(e.issues[0].where, /baseline\.yaml:13:12$/);
  assert.match(e.issues[0].message, /layer "\/Relu_output_0" does not exist .* \(in the baseline model .*shapes_cnn_dynamo\.onnx\)/);
});

test('a model that cannot load is reported at its `model:` key', async () => {
  const f = specFile('broken-model.yaml', GOOD.replace('SHAPES/shapes_cnn.onnx', './garbage.onnx'));
  fs.writeFileSync(path.join(dir, 'garbage.onnx'), 'not a protobuf at all');
  const e = await asyncErrorOf(() => validateSpecs([f], { limits })) as SpecError;
  assert.match(e.issues[0].where, /broken-model\.yaml:2:8$/);
  assert.match(e.issues[0].message, /^model \.\/garbage\.onnx: /);
});

test('a failure while probes run becomes an entry error (exit 2 for bad input); the other entries still run', async () => {
  const f = specFile('good.yaml', GOOD);
  const prepared = await prepareRun(planRun([loadSpecFile(f, { allowOutside: true })]), limits);
  // Break the first entry after planning, as a model that misbehaves at run time would.
  (prepared[0].entries[0].params as ActivationParams).layer = { name: 'ghost', tensor: 'no_such_tensor', shape: [3] };
  const executed = await executeRun(prepared);
  const report = buildReport(executed, { startedAt: new Date(0), durationMs: 0, seed: 0, options: {} });
  const [broken, fine] = report.suites[0].entries;
  assert.is(broken.error?.code, 'E_NO_TENSOR');
  assert.equal(broken.checks, []);
  assert.ok(fine.checks.length === 1 && fine.checks[0].passed, JSON.stringify(fine));
  assert.equal(report.summary, { suites: 1, entries: 2, checks: 1, passed: 1, failed: 0, errors: 1 });
  assert.is(report.exitCode, 2);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
test.run();
