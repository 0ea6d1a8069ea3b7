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
import { shippedRun } from './shipped-run.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-shipped-shards-'));

// The shards run every shipped entry but the feature visualization (~50 s of optimization that
// shards like any other entry), the attribution suite (minutes of mask optimization), and the
// adversarial and concepts suites (tens of seconds of PGD and regression, sharded like any other
// entry): their kinds' own tests shard them. The one process is the whole `neurogate run specs/`
// this `npm test` computes once (test/cli/shipped-run.ts), cut to the same entries below: it ran
// them beside the left-out ones, sharing their models and forward passes, the shards without.
const LEFT_OUT = /^(?!inception-v3-curve-detectors\/curve-79-visualization$|mobilenet-v2-masks\/|shapes-cnn-adversarial\/|shapes-cnn-concepts\/)/;
const filter = ['--filter', LEFT_OUT.source];
// First, so the shards run while another test file may still be computing the one-process run.
let log = '';
const sharded = await runShardsLocally({ shards: 3, args: ['specs', ...filter, '--report-dir', path.join(tmp, 'three')], cwd: root, log: { write: (s: string) => (log += s) } as unknown as NodeJS.WritableStream });
const one = shippedRun();
const read = (f: string): RunReport => JSON.parse(fs.readFileSync(f, 'utf8'));

/** The one-process report as if it had run only the entries the filter keeps: counts and exit code from those entries alone. */
function restrict(r: RunReport, keep: RegExp): RunReport {
  const suites = r.suites.map((s) => ({ ...s, entries: s.entries.filter((e) => keep.test(`${s.suite}/${e.id}`)) })).filter((s) => s.entries.length > 0);
  const entries = suites.flatMap((s) => s.entries);
  const checks = entries.flatMap((e) => e.checks);
  const failed = checks.filter((c) => !c.passed).length;
  const errors = entries.filter((e) => e.error).length;
  const summary = { suites: suites.length, entries: entries.length, checks: checks.length, passed: checks.length - failed, failed, errors };
  return { ...r, suites, summary, exitCode: errors > 0 ? 2 : failed > 0 ? 1 : 0 };
}
const single = (() => {
  assert.ok(one.code === 0 || one.code === 1, `${one.out}\n${one.err}`);
  return restrict(read(path.join(one.reportDir, 'neurogate-report.json')), LEFT_OUT);
})();

test('the shipped suites as 1 process and as 3 shards + merge: identical check results and exit code', () => {
  // 0 today; a shipped bound that fails one day must fail the sharded run alike.
  assert.is(sharded.exitCode, single.exitCode, log);
  const merged = read(path.join(tmp, 'three', 'neurogate-report.json'));
  const checks = (r: RunReport) => r.suites.flatMap((s) => s.entries.flatMap((e) => e.checks.map((c) => ({ id: `${s.suite}/${e.id}`, metric: c.metric, observed: c.observed, passed: c.passed }))));
  assert.ok(checks(single).length >= 20);
  assert.equal(checks(merged), checks(single));
  assert.equal(merged.summary, single.summary);
  assert.is(merged.exitCode, single.exitCode);
  // And the rest of the report (measurements, parameters, artifacts), but for the merge's own marks
  // and the machine: each shard here saw only the cores it was pinned to. Of the device, the one
  // used: the devices requested are those of the suites planned, and the one process planned more.
  assert.is(merged.device.used, single.device.used);
  const strip = (r: RunReport) => stableJson({ ...r, options: {}, planHash: undefined, environment: { ...r.environment, cpus: 0 }, device: { ...r.device, requested: '', reason: '' } });
  assert.is(strip(merged), strip(single));
});

test('the script ran three real shards, each with a part of the plan, and the junit/html of the merge', () => {
  assert.equal(sharded.shards.map((s) => s.index), [1, 2, 3]);
  assert.ok(sharded.shards.every((s) => s.code === 0 || s.code === 1), log);
  const parts = [1, 2, 3].map((i) => read(path.join(tmp, 'three', 'shards', `shard-${i}`, 'neurogate-report.json')));
  for (const p of parts) assert.ok(p.summary.entries > 0, `shard ${p.shard!.index} ran nothing`);
  assert.is(new Set(parts.map((p) => p.planHash)).size, 1);
  assert.is(parts.reduce((s, p) => s + p.summary.entries, 0), single.summary.entries);
  assert.ok(fs.existsSync(path.join(tmp, 'three', 'junit.xml')) && fs.existsSync(path.join(tmp, 'three', 'report.html')));
  if (process.platform === 'linux' && spawnSync('taskset', ['-p', String(process.pid)]).status === 0) {
    assert.ok(sharded.shards.every((s) => s.cpus !== undefined), 'pinned to cores where taskset exists');
  }
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
