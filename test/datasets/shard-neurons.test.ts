// `--shard i/n` splits a neurons entry over a dataset by images too: on the real shapes CNN over the
// shipped shapes folder, three shards merged by `merge-reports` give one machine's per-image
// activations, image list and activations table bit-equal, min and max bit-equal, the mean to float
// summation order, and the same checks; an entry with `top:` runs whole in one shard.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpecs } from '../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../src/probe/limits.ts';
import { mergeReports, parseShardReport } from '../../src/report/merge.ts';
import type { EntryResult, RunReport } from '../../src/report/model.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const model = path.join(root, 'test', 'fixtures', 'shapes_cnn', 'shapes_cnn.onnx');
const images = path.join(root, 'docs', 'examples', 'shapes-dataset', 'images');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-shard-neurons-'));
fs.writeFileSync(path.join(dir, 'package.json'), '{}');
const spec = path.join(dir, 'neurons.yaml');
fs.writeFileSync(spec, `suite: sharded-neurons
model: ${model}
engine: { device: cpu, batch: 4 }
neurons:
  - id: relu
    layer: /Relu_output_0
    units: [0, 3, 5]
    reduce: mean
    images: { folder: ${images} }
    expect:
      activation.mean: { min: 0 }
      activation.max: { max: 1000 }
      activation.min: { min: 1000 }
  - id: top
    layer: /Relu_output_0
    unit: 0
    reduce: max
    top: 3
    images: { folder: ${images} }
    expect: { activation.max: { min: 0 } }
`);

const entries = (r: RunReport) => Object.fromEntries(r.suites.flatMap((s) => s.entries.map((e) => [e.id, e]))) as Record<string, EntryResult>;
const one = (await runSpecs({ paths: [spec], limits })).report;
const shards = await Promise.all([1, 2, 3].map(async (index) => (await runSpecs({ paths: [spec], limits, shard: { index, total: 3 } })).report));
const merged = mergeReports(shards.map((r, i) => parseShardReport(JSON.stringify(r), `shard-${i + 1}.json`)));

test('each shard runs a contiguous third of the plain entry; the entry with top: runs whole in one shard', () => {
  shards.forEach((r, k) => {
    const e = entries(r).relu;
    assert.ok(e.part, `shard ${k + 1} holds a part`);
    assert.equal([e.part!.from, e.part!.to, e.part!.of], [k * 8, (k + 1) * 8, 24]);
    assert.is((e.params.images as string[]).length, 8);
  });
  const tops = shards.map((r) => entries(r).top).filter(Boolean);
  assert.is(tops.length, 1, 'one shard runs it');
  assert.is(tops[0].part, undefined, 'whole, not a part');
});

test('merged, the split entry is what one machine reports', () => {
  const a = entries(one).relu;
  const b = entries(merged).relu;
  assert.is(a.error, undefined);
  assert.equal(b.measurements.activation, a.measurements.activation, 'per-image activations in image order');
  assert.equal(b.params.images, a.params.images);
  assert.equal(b.params.cases, a.params.cases);
  assert.is(b.measurements['activation.min'], a.measurements['activation.min']);
  assert.is(b.measurements['activation.max'], a.measurements['activation.max']);
  const mean = a.measurements['activation.mean'] as number;
  assert.ok(Math.abs((b.measurements['activation.mean'] as number) - mean) <= 1e-12 * Math.abs(mean), 'mean to summation order');
  assert.equal(b.checks.map((c) => [c.metric, c.passed]), a.checks.map((c) => [c.metric, c.passed]));
  assert.ok(a.checks.some((c) => !c.passed) && a.checks.some((c) => c.passed), 'the checks are not all alike, so the comparison can fail');
  const table = (e: EntryResult) => e.artifacts.filter((x) => x.type === 'table' && x.name === 'activations');
  assert.is(table(b).length, 1, 'the parts’ tables are one table');
  assert.equal(table(b), table(a));
  const thumbs = (e: EntryResult) => e.artifacts.filter((x) => x.name.startsWith('input-')).map((x) => [x.name, x.caption]);
  assert.equal(thumbs(b), thumbs(a), 'the whole dataset’s first four images as thumbnails, once');
  assert.equal(entries(merged).top.measurements, entries(one).top.measurements);
});

test.run();
