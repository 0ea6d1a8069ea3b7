// The acceptance test of sharding on the shipped suites: `specs/` run as one process and as three
// shard processes merged by scripts/shards-local.ts (the local form of the CI matrix) give the same
// checks — ids, observed values, pass/fail — the same summary and the same exit code.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stableJson, type RunReport } from '../../src/report/index.ts';
import { runShardsLocally } from '../../scripts/shards-local.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-shipped-shards-'));

// Every shipped entry but the feature visualization (~50 s of optimization that shards like any
// other entry), the attribution suite (minutes of mask optimization), and the adversarial and
// concepts suites (tens of seconds of PGD and regression, sharded like any other entry):
// test/cli/run.test.ts, test/cli/masks-suite.test.ts and their kinds' own tests run them once;
// this test runs the rest twice more.
const filter = ['--filter', '^(?!inception-v3-curve-detectors/curve-79-visualization$|mobilenet-v2-masks/|shapes-cnn-adversarial/|shapes-cnn-concepts/)'];
const one = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'specs', ...filter, '--report-dir', path.join(tmp, 'one'), '--json', '--quiet'],
  // 480 s: about a minute alone, several times that on two cores shared with other test files.
  { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 480_000 });
let log = '';
const sharded = await runShardsLocally({ shards: 3, args: ['specs', ...filter, '--report-dir', path.join(tmp, 'three')], cwd: root, log: { write: (s: string) => (log += s) } as unknown as NodeJS.WritableStream });
const read = (f: string): RunReport => JSON.parse(fs.readFileSync(f, 'utf8'));

test('the shipped suites as 1 process and as 3 shards + merge: identical check results and exit code', () => {
  // 0 today; a shipped bound that fails one day must fail the sharded run alike.
  assert.ok(one.status === 0 || one.status === 1, `${one.stdout}\n${one.stderr}`);
  assert.is(sharded.exitCode, one.status, log);
  const single = read(path.join(tmp, 'one', 'neurogate-report.json'));
  const merged = read(path.join(tmp, 'three', 'neurogate-report.json'));
  const checks = (r: RunReport) => r.suites.flatMap((s) => s.entries.flatMap((e) => e.checks.map((c) => ({ id: `${s.suite}/${e.id}`, metric: c.metric, observed: c.observed, passed: c.passed }))));
  assert.ok(checks(single).length >= 20);
  assert.equal(checks(merged), checks(single));
  assert.equal(merged.summary, single.summary);
  assert.is(merged.exitCode, single.exitCode);
  // And the rest of the report (measurements, parameters, artifacts), but for the merge's own marks
  // and the machine: each shard here saw only the cores it was pinned to.
  const strip = (r: RunReport) => stableJson({ ...r, options: {}, planHash: undefined, environment: { ...r.environment, cpus: 0 } });
  assert.is(strip(merged), strip(single));
});

test('the script ran three real shards, each with a part of the plan, and the junit/html of the merge', () => {
  assert.equal(sharded.shards.map((s) => s.index), [1, 2, 3]);
  assert.ok(sharded.shards.every((s) => s.code === 0 || s.code === 1), log);
  const parts = [1, 2, 3].map((i) => read(path.join(tmp, 'three', 'shards', `shard-${i}`, 'neurogate-report.json')));
  for (const p of parts) assert.ok(p.summary.entries > 0, `shard ${p.shard!.index} ran nothing`);
  assert.is(new Set(parts.map((p) => p.planHash)).size, 1);
  assert.is(parts.reduce((s, p) => s + p.summary.entries, 0), read(path.join(tmp, 'one', 'neurogate-report.json')).summary.entries);
  assert.ok(fs.existsSync(path.join(tmp, 'three', 'junit.xml')) && fs.existsSync(path.join(tmp, 'three', 'report.html')));
  if (process.platform === 'linux' && spawnSync('taskset', ['-p', String(process.pid)]).status === 0) {
    assert.ok(sharded.shards.every((s) => s.cpus !== undefined), 'pinned to cores where taskset exists');
  }
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
