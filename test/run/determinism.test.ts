// The runner end to end, in-process, on real PyTorch-exported models: the same seed twice gives a
// byte-identical JSON report (apart from clock fields), another seed moves the noisy
// measurements, forward passes are merged per model, and change checks see the baseline.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { runSpecs } from '../../src/run/index.ts';
import { stableJson } from '../../src/report/index.ts';

const spec = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'specs', 'seeded');

const first = await runSpecs({ paths: [spec] });
const second = await runSpecs({ paths: [spec] });

test('same seed twice → identical JSON report apart from timestamps and durations', () => {
  const a = stableJson(first.report);
  const b = stableJson(second.report);
  assert.ok(a === b, 'reports differ');
  assert.not.ok(a.includes('startedAt') || a.includes('durationMs'), 'clock fields stripped');
  assert.ok(a.includes('"disk-logit-under-noise"'));
});

test('the report records seeds, devices, model hashes and every parameter', () => {
  const r = first.report;
  assert.is(r.exitCode, 0);
  assert.equal(r.summary, { suites: 1, entries: 2, checks: 3, passed: 3, failed: 0, errors: 0 });
  assert.equal(r.device.used, 'cpu');
  const [suite] = r.suites;
  assert.match(suite.model.hash, /^[0-9a-f]{32}$/);
  assert.match(suite.baseline!.hash, /^[0-9a-f]{32}$/);
  assert.is.not(suite.model.hash, suite.baseline!.hash, 'two exports, two IRs');
  const [noisy, stem] = suite.entries;
  assert.is(noisy.seed, 11, 'suite seed');
  assert.is(stem.seed, 3, 'entry seed overrides the suite');
  assert.match(noisy.where, /shapes-noise\.yaml:9:5$/);
  for (const k of ['probe', 'model', 'modelHash', 'device', 'batch', 'repeat', 'baseline', 'baselineHash', 'layer', 'tensor', 'units', 'images', 'readout', 'noise']) assert.ok(k in noisy.params, k);
  assert.is((noisy.measurements.activation as number[]).length, 5, 'one value per repeat');
  assert.is((noisy.measurements['baseline:activation'] as number[]).length, 5);
  const change = noisy.checks.find((c) => c.threshold.form === 'change')!;
  assert.ok(change.passed && typeof change.baseline === 'number', 'the dynamo export matches the TorchScript export under the same noise');
  assert.match(change.where!, /shapes-noise\.yaml:17:7$/);
  assert.equal(stem.params.cases, ['../../shapes_cnn/shape_1_square.png · unit 0', '../../shapes_cnn/shape_1_square.png · unit 5', '../../shapes_cnn/shape_1_square.png · unit 10',
    '../../shapes_cnn/shape_1_square.png · unit 15', '../../shapes_cnn/shape_1_square.png · unit 20', '../../shapes_cnn/shape_3_triangle.png · unit 0',
    '../../shapes_cnn/shape_3_triangle.png · unit 5', '../../shapes_cnn/shape_3_triangle.png · unit 10', '../../shapes_cnn/shape_3_triangle.png · unit 15',
    '../../shapes_cnn/shape_3_triangle.png · unit 20']);
});

test('all probes on one model share one forward pass; repeats are distinct noisy inputs', () => {
  // candidate: 5 noisy disks + 2 noisy shapes in one pass (batch 4: 2 runs); baseline: the same
  // 5 noisy disks in one pass (the dynamo export has a fixed batch of 1: 5 runs).
  assert.equal(first.executed.stats, { passes: 2, batches: 7, inputs: 12 });
  const values = first.report.suites[0].entries[0].measurements.activation as number[];
  assert.is(new Set(values).size, 5, 'each repeat drew its own noise');
});

test('another seed moves the noisy measurements; --seed replaces every seed', async () => {
  const other = await runSpecs({ paths: [spec], seed: 12 });
  const before = first.report.suites[0].entries[0].measurements.activation;
  const after = other.report.suites[0].entries[0].measurements.activation;
  assert.not.equal(before, after);
  assert.is(other.report.seed, 12);
  assert.ok(other.report.suites[0].entries.every((e) => e.seed === 12));
  assert.equal(other.report.options, { paths: [spec], seed: 12 });
});

test('--filter runs only matching entries (matched as suite/id)', async () => {
  const only = await runSpecs({ paths: [spec], filter: /shapes-seeded\/stem/ });
  assert.equal(only.report.suites[0].entries.map((e) => e.id), ['stem-relu-means']);
  assert.is(only.report.suites[0].baseline, undefined, 'no change checks, no baseline run');
});

test.run();
