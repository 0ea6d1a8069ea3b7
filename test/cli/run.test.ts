// The real command, spawned as CI runs it, on the zoo models: the shipped specs pass (exit 0), the
// failing fixture trips the gate (exit 1, JUnit lists observed vs threshold), a bad spec exits 2
// with file:line:col, and an unknown option exits 2 with the usage.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateJunit } from '../report/junit-xsd.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-cli-'));

function neurogate(...args: string[]) {
  // 480 s: the green run takes ~60 s alone, several times that on two cores shared with other test files.
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 480_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// The attribution suite runs in its own test file (test/cli/masks-suite.test.ts) so the test runner
// can run the two long halves side by side; every other shipped suite runs here (the adversarial one
// takes ~5 s of PGD on the shapes CNN).
test('the shipped specs run green on the zoo models: exit 0, all three reports written', () => {
  const dir = path.join(tmp, 'green');
  const r = neurogate('run', 'specs/', '--filter', '^(?!mobilenet-v2-masks/)', '--report-dir', dir);
  assert.is(r.code, 0, `${r.out}\n${r.err}`);
  assert.match(r.out, /^PASS {2}\d+ checks: \d+ passed, 0 failed/m);
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'neurogate-report.json'), 'utf8'));
  assert.is(report.exitCode, 0);
  assert.equal(report.suites.map((s: { suite: string }) => s.suite).sort(), ['inception-v3-basics', 'inception-v3-curve-detectors', 'inception-v3-curve-circuits', 'mobilenet-v2-basics', 'reimpl-curves', 'reimpl-generator', 'shapes-cnn-adversarial', 'shapes-cnn-concepts', 'shapes-cnn-export', 'shapes-cnn-masks'].sort());
  assert.ok(report.summary.checks >= 20 && report.summary.failed === 0 && report.summary.errors === 0, JSON.stringify(report.summary));
  assert.ok(fs.existsSync(path.join(dir, 'junit.xml')) && fs.existsSync(path.join(dir, 'report.html')));
  // Not a terminal: progress comes as plain lines on stderr.
  assert.match(r.err, /^neurogate: running \d+ probes$/m);
  assert.match(r.err, /^neurogate: (\d+)\/\1 probes \(100%\)/m);
});

test('the failing fixture trips the gate: exit 1, and JUnit lists the failure with observed vs threshold', async () => {
  const dir = path.join(tmp, 'red');
  const r = neurogate('run', 'test/fixtures/specs/failing', '--report-dir', dir, '--junit', '--quiet', '--reporter', 'console,github');
  assert.is(r.code, 1, `${r.out}\n${r.err}`);
  // --reporter github: the failed check annotated at its expectation's line in the spec.
  assert.match(r.out, /^::error file=test\/fixtures\/specs\/failing\/gate\.yaml,line=12,col=7,title=gate-must-fail › neutral-logit-too-high%3A activation::observed 4\.47\d*, expected ≥ 6/m);
  assert.is(r.out.split('\n').filter((l) => l.startsWith('::')).length, 1, 'the passing entry is not annotated');
  assert.not.match(r.err, /probes/, '--quiet: no progress');
  const junit = fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8');
  assert.match(junit, /<testsuite name="gate-must-fail" tests="2" failures="1" errors="0"/);
  assert.match(junit, /<failure message="activation: observed 4\.47\d*, expected ≥ 6/);
  assert.match(junit, /observed: 4\.47\d*\nthreshold: \{"form":"bounds","min":6/);
  assert.match(junit, /at: test\/fixtures\/specs\/failing\/gate\.yaml:12:7/);
  assert.equal(await validateJunit([junit]), [[]], 'valid against the common JUnit schema');
  assert.ok(fs.existsSync(path.join(dir, 'neurogate-report.json')), 'JSON, the source of truth, is always written');
  assert.not.ok(fs.existsSync(path.join(dir, 'report.html')), 'only the asked-for formats besides JSON');
});

test('a bad spec exits 2 with file:line:col, a code frame and a "did you mean"; nothing runs', () => {
  const dir = path.join(tmp, 'bad');
  const r = neurogate('run', 'test/fixtures/specs/bad', '--report-dir', dir);
  assert.is(r.code, 2, `${r.out}\n${r.err}`);
  assert.match(r.err, /^test\/fixtures\/specs\/bad\/typo\.yaml:9:21: unknown key `mni` — did you mean `min`\?$/m);
  assert.match(r.err, /> 9 \| {7}activation: \{ mni: 1 \}/);
  assert.match(r.err, /nothing was run/);
  assert.not.ok(fs.existsSync(dir), 'no report for a run that never started');
});

test('exit 2 into a folder holding an earlier green run: its reports are removed, never left to read as this run', () => {
  const dir = path.join(tmp, 'stale');
  const green = neurogate('run', 'test/fixtures/specs/failing', '--filter', 'relu6-in-range', '--report-dir', dir, '--quiet');
  assert.is(green.code, 0, `${green.out}\n${green.err}`);
  assert.ok(fs.existsSync(path.join(dir, 'junit.xml')) && fs.existsSync(path.join(dir, 'report.html')));
  const r = neurogate('run', 'test/fixtures/specs/bad', '--report-dir', dir);
  assert.is(r.code, 2, `${r.out}\n${r.err}`);
  assert.match(r.err, /removed the reports of an earlier run \(.*junit\.xml.*\): this run wrote none/);
  for (const f of ['neurogate-report.json', 'junit.xml', 'report.html']) assert.not.ok(fs.existsSync(path.join(dir, f)), `${f} left behind`);
});

test('validate loads the models: the shipped specs pass with layers, units and positions checked', () => {
  const ok = neurogate('validate', 'specs');
  assert.is(ok.code, 0, ok.err);
  assert.match(ok.out, /^ok: 11 spec files, \d+ entries, \d+ expectations; layers, units and positions checked/m);
});

test('an unknown option exits 2 with the usage', () => {
  const r = neurogate('run', '--bogus', 'specs');
  assert.is(r.code, 2, r.err);
  assert.match(r.err, /^neurogate: error: unknown option --bogus.*usage: neurogate run/m);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
