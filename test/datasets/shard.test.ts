// `--shard i/n` splits a dataset entry by images, and `merge-reports` puts the parts together into
// what one machine reports: on the real shapes CNN over the shipped labelled scenes, one run and
// three shards merged give the same per-image values, the same exact aggregates (counts, min, max,
// fractions bit-equal; means to float summation order) and quantiles within DDSketch's α; a check
// that passes in every shard but fails on the whole fails after the merge; bad shard files exit 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpecs } from '../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../src/probe/limits.ts';
import { mergeReports, parseShardReport } from '../../src/report/merge.ts';
import type { EntryResult, RunReport } from '../../src/report/model.ts';
import { SKETCH_ALPHA } from '../../src/datasets/mergeable.ts';
import { quantile } from '../../src/datasets/aggregate.ts';
import { main } from '../../src/cli/main.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const model = path.join(root, 'test', 'fixtures', 'shapes_cnn', 'shapes_cnn.onnx');
const data = path.join(root, 'docs', 'examples', 'shapes-dataset');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-shard-ds-'));
fs.writeFileSync(path.join(dir, 'package.json'), '{}');

const spec = path.join(dir, 'dataset.yaml');
fs.writeFileSync(spec, `suite: sharded-dataset
model: ${model}
labels: ${data}/labels.txt
engine: { device: cpu, batch: 4 }
masks:
  - id: manifest
    images: { manifest: ${data}/manifest.csv }
    target: label
    method: { gradient: {} }
    measure: { pointing: {} }
    aggregate:
      dist_mean: { of: pointing_distance, by: mean, slice: label }
      dist_median: { of: pointing_distance, by: median, slice: tag }
      score_p90: { of: score, by: { quantile: 0.9 } }
      score_min: { of: score, by: min }
      score_max: { of: score, by: max, slice: label }
      score_mean: { of: score, by: mean }
      far: { of: pointing_distance, by: { fraction_above: 3 } }
    expect:
      pointing_accuracy: { min: 0.5 }
      top1_accuracy: { min: 0.5 }
      score_mean: { min: 0 }
      score_p90: { min: 0 }
  - id: folder
    images: { folder: ${data}/images }
    target: { class: 0 }
    method: { gradient: {} }
    measure: { pointing: { box: [20, 20, 90, 90] } }
    aggregate:
      score_median: { of: score, by: median }
      tv_mean: { of: total_variation, by: mean }
    expect:
      pointing_hit_rate: { min: 0 }
      score_median: { min: -1000 }
`);

const entries = (r: RunReport) => Object.fromEntries(r.suites.flatMap((s) => s.entries.map((e) => [e.id, e]))) as Record<string, EntryResult>;
const list = (m: unknown) => (Array.isArray(m) ? m : [m]) as (number | null)[];
/** Through JSON and back, as the shard reports travel between CI jobs. */
const shipped = (r: RunReport, i: number) => parseShardReport(JSON.stringify(r), `shard-${i}.json`);

const one = (await runSpecs({ paths: [spec], limits })).report;
const shards = await Promise.all([1, 2, 3].map(async (index) => (await runSpecs({ paths: [spec], limits, shard: { index, total: 3 } })).report));
const merged = mergeReports(shards.map(shipped));

test('every shard runs its contiguous third of each dataset entry, recorded as a part', () => {
  for (const [k, r] of shards.entries()) {
    for (const e of r.suites[0].entries) {
      assert.ok(e.part, `${e.id} of shard ${k + 1} is a part`);
      assert.is(e.part!.index, k + 1);
      assert.is(e.part!.of, 24);
      assert.is(e.part!.to - e.part!.from, 8);
      assert.is(e.part!.from, k * 8);
    }
  }
  assert.is(entries(merged).manifest.part, undefined, 'the merged entry is whole');
});

test('merged per-image values and exact aggregates equal the one-machine run', () => {
  for (const id of ['manifest', 'folder']) {
    const a = entries(one)[id];
    const b = entries(merged)[id];
    assert.equal(b.params.cases, a.params.cases, `${id}: cases in image order`);
    assert.equal(b.params.target, a.params.target);
    for (const m of ['score', 'pointing_hit', 'pointing_distance', 'total_variation', 'top1_accuracy']) {
      if (a.measurements[m] !== undefined) assert.equal(b.measurements[m], a.measurements[m], `${id}: per-image ${m} bit-equal`);
    }
    assert.equal(Object.keys(b.measurements).sort(), Object.keys(a.measurements).sort(), `${id}: the same metrics, slices included`);
  }
  const a = entries(one).manifest.measurements;
  const b = entries(merged).manifest.measurements;
  // Counts, minima, maxima, fractions and per-class hit counts add up exactly: bit-equal.
  for (const k of ['pointing_accuracy', 'pointing_hit_rate', 'top1_accuracy', 'top5_accuracy', 'score_min', 'score_max', 'score_max[disk]', 'score_max[square]', 'score_max[triangle]', 'far']) {
    assert.ok(typeof a[k] === 'number', `${k} measured`);
    assert.is(b[k], a[k], `${k} bit-equal`);
  }
  // Means are a sum over parts of partial sums: equal up to float summation order.
  for (const k of ['score_mean', 'dist_mean', 'dist_mean[disk]', 'dist_mean[square]', 'dist_mean[triangle]']) {
    assert.ok(Math.abs((b[k] as number) - (a[k] as number)) <= 1e-12 * Math.max(1, Math.abs(a[k] as number)), `${k}: ${b[k]} vs ${a[k]}`);
  }
  assert.is(entries(merged).folder.measurements.pointing_hit_rate, entries(one).folder.measurements.pointing_hit_rate);
});

test('merged quantiles lie within the sketch’s relative accuracy of the exact ones, and say so', () => {
  const check = (id: string, name: string, of: string, q: number) => {
    const values = list(entries(one)[id].measurements[of]).filter((v): v is number => typeof v === 'number');
    const s = [...values].sort((x, y) => x - y);
    const h = (s.length - 1) * q;
    // The sketch's order statistics either side of the rank are each within α of the true ones, and interpolated as numpy does.
    const lo = s[Math.floor(h)];
    const hi = s[Math.ceil(h)];
    const est = entries(merged)[id].measurements[name] as number;
    const exact = quantile(values, q);
    assert.ok(Math.abs(est - exact) <= SKETCH_ALPHA * Math.max(Math.abs(lo), Math.abs(hi)) * (1 + 1e-9), `${name}: ${est} vs exact ${exact}`);
    assert.is(entries(one)[id].measurements[name], exact, `${name}: one machine reports the exact quantile`);
    const note = (entries(merged)[id].params.merged as { estimated: Record<string, string> }).estimated[name];
    assert.match(note, /± 1% \(DDSketch α=0.01, merged from 3 shards\)/);
  };
  check('manifest', 'score_p90', 'score', 0.9);
  check('manifest', 'dist_median', 'pointing_distance', 0.5);
  check('folder', 'score_median', 'score', 0.5);
  const line = entries(merged).manifest.checks.find((c) => c.metric === 'score_p90')!;
  assert.match(line.reason ?? '', /estimated .* ± 1% \(DDSketch α=0.01, merged from 3 shards\)/);
});

test('checks and the exit code are those of the one-machine run', () => {
  const lines = (r: RunReport) => r.suites.flatMap((s) => s.entries.flatMap((e) => e.checks.map((c) => `${e.id} ${c.metric} ${c.passed}`)));
  assert.equal(lines(merged), lines(one));
  assert.is(merged.exitCode, one.exitCode);
  assert.equal(merged.summary, one.summary);
});

// A class-balanced rate is not a mean of the parts' rates (Simpson): each half of this manifest
// scores pointing_accuracy 0.5, the whole 0.44. Boxes decide hits: the whole image (a hit), or
// its corner pixel with no tolerance (a miss: the map's maximum lies on the shape).
const simpson = path.join(dir, 'simpson');
fs.mkdirSync(simpson);
const rows = [['a', 1], ['b', 0], ['b', 0], ['a', 0], ['a', 0], ['c', 1]] as const;
fs.writeFileSync(path.join(simpson, 'manifest.csv'), ['path,label,boxes', ...rows.map(([label, hit], i) => `${data}/images/${fs.readdirSync(path.join(data, 'images')).sort()[i]},${label},${hit ? '0 0 111 111' : '0 0 0 0'}`)].join('\n') + '\n');
const simpsonSpec = path.join(simpson, 'simpson.yaml');
fs.writeFileSync(simpsonSpec, `suite: simpson
model: ${model}
engine: { device: cpu }
masks:
  - id: balanced
    images: { manifest: manifest.csv }
    target: { class: 0 }
    method: { gradient: {} }
    measure: { pointing: { tolerance: 0 } }
    expect:
      pointing_accuracy: { min: 0.5 }
`);

test('a check that passes in every shard but fails on the whole fails after the merge (exit 1)', async () => {
  const whole = (await runSpecs({ paths: [simpsonSpec], limits })).report;
  assert.equal(list(entries(whole).balanced.measurements.pointing_hit), rows.map(([, hit]) => hit), 'the boxes make the designed hits');
  const halves = await Promise.all([1, 2].map(async (index) => (await runSpecs({ paths: [simpsonSpec], limits, shard: { index, total: 2 } })).report));
  for (const h of halves) {
    assert.is(entries(h).balanced.measurements.pointing_accuracy, 0.5);
    assert.ok(entries(h).balanced.checks.every((c) => c.passed), 'each shard passes');
    assert.is(h.exitCode, 0);
  }
  const m = mergeReports(halves.map(shipped));
  assert.ok(Math.abs((entries(m).balanced.measurements.pointing_accuracy as number) - 4 / 9) < 1e-15);
  assert.is(entries(m).balanced.measurements.pointing_accuracy, entries(whole).balanced.measurements.pointing_accuracy);
  assert.is(entries(m).balanced.checks[0].passed, false);
  assert.is(m.exitCode, 1);
  assert.is(whole.exitCode, 1);
});

test('merge-reports: a truncated shard file or one from another plan exits 2 with the reason', async () => {
  const out = (name: string) => path.join(dir, name);
  for (const [i, r] of shards.entries()) {
    fs.mkdirSync(out(`s${i + 1}`), { recursive: true });
    fs.writeFileSync(path.join(out(`s${i + 1}`), 'neurogate-report.json'), JSON.stringify(r));
  }
  const file = (i: number) => path.join(out(`s${i}`), 'neurogate-report.json');
  const quiet = async (args: string[]) => {
    const write = process.stderr.write;
    let err = '';
    process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
    try {
      return { code: await main(args), err };
    } finally {
      process.stderr.write = write;
    }
  };
  fs.mkdirSync(out('cut'));
  fs.writeFileSync(path.join(out('cut'), 'neurogate-report.json'), fs.readFileSync(file(3), 'utf8').slice(0, 2000));
  const cut = await quiet(['merge-reports', file(1), file(2), path.join(out('cut'), 'neurogate-report.json'), '--report-dir', out('m-cut'), '--quiet']);
  assert.is(cut.code, 2);
  assert.match(cut.err, /not valid JSON/);
  const other = JSON.parse(fs.readFileSync(file(3), 'utf8')) as RunReport;
  other.planHash = '0'.repeat(32);
  fs.mkdirSync(out('other'));
  fs.writeFileSync(path.join(out('other'), 'neurogate-report.json'), JSON.stringify(other));
  const plan = await quiet(['merge-reports', file(1), file(2), path.join(out('other'), 'neurogate-report.json'), '--report-dir', out('m-plan'), '--quiet']);
  assert.is(plan.code, 2);
  assert.match(plan.err, /different plans/);
  // A part whose image range was edited no longer continues the one before it.
  const shifted = JSON.parse(fs.readFileSync(file(2), 'utf8')) as RunReport;
  shifted.suites[0].entries[0].part!.from += 1;
  fs.mkdirSync(out('shifted'));
  fs.writeFileSync(path.join(out('shifted'), 'neurogate-report.json'), JSON.stringify(shifted));
  const gap = await quiet(['merge-reports', file(1), path.join(out('shifted'), 'neurogate-report.json'), file(3), '--report-dir', out('m-gap'), '--quiet']);
  assert.is(gap.code, 2);
  assert.match(gap.err, /E_MERGE_PARTS|not the ones after the part before/);
  const ok = await quiet(['merge-reports', out('s1'), out('s2'), out('s3'), '--report-dir', out('m-ok'), '--quiet']);
  assert.is(ok.code, one.exitCode);
});

test.run();
