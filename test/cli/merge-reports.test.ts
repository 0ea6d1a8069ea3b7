// `neurogate run --shard i/n` and `neurogate merge-reports` as CI runs them, on the real PyTorch
// shapes CNN: two shards merge into the report one run gives (a failing check included, so exit 1),
// and a missing shard, a shard of a changed spec, a duplicated shard, a report that is not a
// shard's and a malformed file are each refused with exit 2 and the reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stableJson, type RunReport } from '../../src/report/index.ts';
import { mergeReports, parseShardReport } from '../../src/report/merge.ts';
import { asyncErrorOf, errorOf } from '../helpers.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-merge-'));
// The specs and the files they use live together in a temporary project (paths stay inside it).
fs.writeFileSync(path.join(tmp, 'package.json'), '{ "private": true }\n');
fs.mkdirSync(path.join(tmp, 'files'));
for (const f of ['shapes_cnn.onnx', 'shapes_cnn_dynamo.onnx', 'shapes_cnn_dynamo.onnx.data', 'shape_0_disk.png', 'shape_1_square.png', 'shape_3_triangle.png']) {
  fs.copyFileSync(path.join(root, 'test', 'fixtures', 'shapes_cnn', f), path.join(tmp, 'files', f));
}
const fx = (f: string) => `../files/${f}`;

function neurogate(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const specs = path.join(tmp, 'specs');
fs.mkdirSync(specs);
const SUITE_A = `suite: shard-a
model: ${fx('shapes_cnn.onnx')}
engine: { device: cpu }
neurons:
  - id: disk
    layer: logits
    unit: 0
    image: ${fx('shape_0_disk.png')}
    expect:
      activation: { near: 5.91057, tol: 0.002 }
  - id: square
    layer: logits
    unit: 1
    image: ${fx('shape_1_square.png')}
    expect:
      activation: { min: 100 }                 # fails on purpose: the merged run must exit 1
  - id: triangle
    layer: logits
    unit: 2
    image: ${fx('shape_3_triangle.png')}
    expect:
      activation: { near: 4.28943, tol: 0.002 }
`;
const SUITE_B = `suite: shard-b
model: ${fx('shapes_cnn_dynamo.onnx')}
engine: { device: cpu, batch: 1 }
seed: 4
neurons:
  - id: all-logits
    layer: logits
    units: [0, 1, 2]
    images: [${fx('shape_0_disk.png')}, ${fx('shape_1_square.png')}, ${fx('shape_3_triangle.png')}]
    expect:
      activation.max: { near: 5.91057, tol: 0.002 }
  - id: disk-under-noise
    layer: logits
    unit: 0
    image: ${fx('shape_0_disk.png')}
    noise: { std: 24 }
    repeat: 3
    expect:
      activation: { min: 3 }
`;
fs.writeFileSync(path.join(specs, 'a.yaml'), SUITE_A);
fs.writeFileSync(path.join(specs, 'b.yaml'), SUITE_B);
const dir = (name: string) => path.join(tmp, name);
const reportOf = (name: string) => path.join(dir(name), 'neurogate-report.json');
const read = (name: string): RunReport => JSON.parse(fs.readFileSync(reportOf(name), 'utf8'));

// One run, and the same specs as two shards, all at once.
const [single, s1, s2] = await Promise.all([
  neurogate('run', specs, '--report-dir', dir('single'), '--json', '--quiet'),
  neurogate('run', specs, '--shard', '1/2', '--report-dir', dir('shards/1'), '--json', '--quiet'),
  neurogate('run', specs, '--shard', '2/2', '--report-dir', dir('shards/2'), '--json', '--quiet'),
]);
// Then the spec changes (a tolerance) and shard 2 is run again from it.
fs.writeFileSync(path.join(specs, 'a.yaml'), SUITE_A.replace('tol: 0.002 }\n  - id: square', 'tol: 0.003 }\n  - id: square'));
const changed = await neurogate('run', specs, '--shard', '2/2', '--report-dir', dir('changed'), '--json', '--quiet');
fs.mkdirSync(dir('dup'));
fs.copyFileSync(reportOf('shards/1'), path.join(dir('dup'), 'copy-of-shard-1.json'));
fs.mkdirSync(dir('bad'));
fs.writeFileSync(path.join(dir('bad'), 'neurogate-report.json'), fs.readFileSync(reportOf('shards/2'), 'utf8').slice(0, 500));

const [merged, missing, fromChanged, duplicated, notShard, malformed, badShard, badShard2] = await Promise.all([
  neurogate('merge-reports', dir('shards'), '--report-dir', dir('merged')),
  neurogate('merge-reports', reportOf('shards/1'), '--report-dir', dir('m-missing')),
  neurogate('merge-reports', reportOf('shards/1'), reportOf('changed'), '--report-dir', dir('m-changed')),
  neurogate('merge-reports', dir('shards'), dir('dup'), '--report-dir', dir('m-dup')),
  neurogate('merge-reports', dir('shards'), reportOf('single'), '--report-dir', dir('m-single')),
  neurogate('merge-reports', reportOf('shards/1'), dir('bad'), '--report-dir', dir('m-bad')),
  neurogate('run', specs, '--shard', '0/2', '--report-dir', dir('never')),
  neurogate('run', specs, '--shard', '2', '--report-dir', dir('never')),
]);

test('each shard runs a part and records the shard id and the whole plan\'s hash; the parts make up the plan', () => {
  assert.is(single.code, 1, `${single.out}\n${single.err}`);
  for (const r of [s1, s2]) assert.ok(r.code === 0 || r.code === 1, `${r.out}\n${r.err}`);
  const a = read('shards/1');
  const b = read('shards/2');
  assert.equal(a.shard!.index, 1);
  assert.equal(b.shard!.index, 2);
  assert.ok(a.shard!.total === 2 && b.shard!.total === 2);
  assert.match(a.planHash!, /^[0-9a-f]{32}$/);
  assert.is(a.planHash, b.planHash);
  assert.is(a.options.shard, '1/2');
  const ids = (r: RunReport) => r.suites.flatMap((s) => s.entries.map((e) => `${s.suite}/${e.id}`));
  assert.ok(ids(a).length > 0 && ids(b).length > 0, 'both shards have work');
  assert.equal([...ids(a), ...ids(b)].sort(), ids(read('single')).sort());
  assert.is(read('single').planHash, undefined, 'an unsharded run is not a shard');
});

test('merged shards = one run: the same checks (ids, observed values, pass/fail), summary and exit code 1', () => {
  assert.is(merged.code, 1, `${merged.out}\n${merged.err}`);
  assert.match(merged.out, /^FAIL {2}\d+ checks: \d+ passed, 1 failed/m);
  const one = read('single');
  const m = read('merged');
  const checks = (r: RunReport) => r.suites.flatMap((s) => s.entries.flatMap((e) => e.checks.map((c) => [s.suite, e.id, c.metric, c.observed, c.passed])));
  assert.equal(checks(m), checks(one));
  assert.equal(m.summary, one.summary);
  assert.is(m.exitCode, 1);
  // Everything else too, but for what says it was merged.
  const { shards, ...options } = m.options;
  assert.is(shards, 2);
  const strip = (r: RunReport) => stableJson({ ...r, options: {}, planHash: undefined });
  assert.equal(options, one.options);
  assert.is(strip(m), strip(one));
  assert.is(m.planHash, read('shards/1').planHash);
  const junit = fs.readFileSync(path.join(dir('merged'), 'junit.xml'), 'utf8');
  assert.match(junit, /<testsuite name="shard-a" tests="3" failures="1" errors="0"/);
  assert.ok(fs.existsSync(path.join(dir('merged'), 'report.html')));
});

test('a missing shard is refused: exit 2, naming it', () => {
  assert.is(missing.code, 2, missing.err);
  assert.match(missing.err, /missing shard 2\/2 \(have 1\/2\)/);
  assert.not.ok(fs.existsSync(dir('m-missing')), 'no merged report');
});

test('a shard from a changed spec is refused: exit 2, different plans', () => {
  assert.ok(changed.code === 0 || changed.code === 1, changed.err);
  assert.is.not(read('changed').planHash, read('shards/1').planHash);
  assert.is(fromChanged.code, 2, fromChanged.err);
  assert.match(fromChanged.err, /the shards come from different plans/);
  assert.match(fromChanged.err, /changed[/\\]neurogate-report\.json \(shard 2\/2\)/);
});

test('a duplicated shard is refused: exit 2, naming both files', () => {
  assert.is(duplicated.code, 2, duplicated.err);
  assert.match(duplicated.err, /shard 1\/2 is given twice: .*copy-of-shard-1\.json|shard 1\/2 is given twice: .*shards[/\\]1[/\\]neurogate-report\.json/);
});

test('a report that is not a shard\'s, and a malformed file, are refused: exit 2', () => {
  assert.is(notShard.code, 2, notShard.err);
  assert.match(notShard.err, /single[/\\]neurogate-report\.json: this report is not a shard's/);
  assert.is(malformed.code, 2, malformed.err);
  assert.match(malformed.err, /bad[/\\]neurogate-report\.json: not valid JSON/);
});

test('an invalid --shard exits 2 with the usage, before anything runs', () => {
  assert.is(badShard.code, 2);
  assert.match(badShard.err, /--shard 0\/2: the shard must be 1 … 2 \(shards count from 1\).*usage: neurogate run/);
  assert.is(badShard2.code, 2);
  assert.match(badShard2.err, /--shard must look like i\/n/);
  assert.not.ok(fs.existsSync(dir('never')));
});

test('tampered shard reports: an entry missing, an entry run twice, other model files — each refused', () => {
  const load = (name: string) => parseShardReport(fs.readFileSync(reportOf(name), 'utf8'), reportOf(name));
  const a = load('shards/1');
  const b = load('shards/2');
  assert.ok(mergeReports([b, a]).exitCode === 1, 'order of the files does not matter');
  const dropped = structuredClone(b);
  dropped.report.suites[0].entries.pop();
  assert.match(errorOf(() => mergeReports([a, dropped])).message, /planned entry is in no shard report/);
  const twice = structuredClone(b);
  twice.report.suites.push(structuredClone(a.report.suites[0]));
  assert.match(errorOf(() => mergeReports([a, twice])).message, /was run by two shards/);
  const otherModel = structuredClone(b);
  const suite = otherModel.report.suites.find((s) => a.report.suites.some((t) => t.suite === s.suite));
  assert.ok(suite, 'the fixture spreads suite shard-a (three independent entries) over both shards');
  suite!.entries[0].params.modelHash = '0'.repeat(32);
  assert.is(errorOf(() => mergeReports([a, otherModel])).code, 'E_MERGE_MODEL');
  const none = errorOf(() => mergeReports([]));
  assert.is(none.code, 'E_MERGE_NONE');
  const v2 = errorOf(() => parseShardReport(JSON.stringify({ ...a.report, schemaVersion: 2 }), 'x.json'));
  assert.match(v2.message, /schema version 1/);
  const broken = errorOf(() => parseShardReport(JSON.stringify({ ...a.report, suites: [{ suite: 'x' }] }), 'x.json'));
  assert.match(broken.message, /not a well-formed neurogate report: suites\.0\./);
  assert.is(broken.kind, 'bad_input');
  // A forged shard count is refused naming its limit, before a list of that length is built.
  for (const total of [1001, 1e9, 1e15]) {
    const forged = errorOf(() => parseShardReport(JSON.stringify({ ...a.report, shard: { ...a.report.shard, total } }), 'x.json'));
    assert.is(forged.code, 'E_MERGE_REPORT', String(total));
    assert.match(forged.message, /shard\.total: .*1000/);
  }
});

test('merge-reports refuses to write over one of its inputs', async () => {
  const { mergeReportsCommand } = await import('../../src/cli/merge-reports.ts');
  const e = await asyncErrorOf(() => mergeReportsCommand([reportOf('shards/1'), reportOf('shards/2'), '--report-dir', dir('shards/1')]));
  assert.match(e.message, /would overwrite its input/);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
