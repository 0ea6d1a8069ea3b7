// The audit end to end on the shapes CNN: a planted vacuous check survives every mutant, a planted
// over-tight check is fragile (an equivalent mutant fails it), a real check is killed; the JSON
// has exactly the published shape; the command exits 1 on such a suite and 0 on a sound one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditExitCode, auditJson, auditSpecs, fragile, surviving } from '../../src/audit/run.ts';
import { runSpecs } from '../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../src/probe/limits.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'shapes_cnn');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-audit-'));
const limits = { ...DEFAULT_LIMITS, allowOutside: true }; // the planted spec lives in a temp folder and names the fixtures by absolute path

function spec(tightValue: number): string {
  const disk = JSON.stringify(path.join(fixtures, 'shape_0_disk.png'));
  return `suite: planted
model: ${JSON.stringify(path.join(fixtures, 'shapes_cnn.onnx'))}
seed: 3
neurons:
  - id: vacuous
    layer: logits
    unit: 0
    image: ${disk}
    expect:
      activation: { min: -1e9 }
  - id: over-tight
    layer: logits
    unit: 0
    image: ${disk}
    expect:
      activation: { near: ${tightValue}, tol: 1e-9 }
  - id: disk-wins
    layer: logits
    unit: 0
    image: ${disk}
    expect:
      activation: { min: 5 }
`;
}

test('a vacuous check survives, an over-tight one is fragile, a real one is killed', async () => {
  // The over-tight check pins the value this machine computes, to the last bit.
  const file = path.join(tmp, 'planted.yaml');
  fs.writeFileSync(file, spec(0));
  const first = await runSpecs({ paths: [file], limits });
  const measured = first.report.suites[0].entries.find((e) => e.id === 'over-tight')!.measurements.activation as number;
  fs.writeFileSync(file, spec(measured));

  const audit = await auditSpecs({ paths: [file], limits, mutants: ['swap-classes', 'noise-20%', 'ablate', 'equivalent'] });
  const [s] = audit.suites;
  const byEntry = Object.fromEntries(s.checks.map((c) => [c.entry, c]));
  assert.ok(Object.values(byEntry).every((c) => c.passesOriginal), JSON.stringify(s.checks));
  assert.equal(surviving(s).map((c) => c.entry), ['vacuous']);
  assert.equal(fragile(s).map((c) => c.entry), ['over-tight']);
  assert.ok(byEntry['over-tight'].equivalentKills.includes('permute-channels'), JSON.stringify(byEntry['over-tight']));
  assert.ok(byEntry['disk-wins'].killedBy.includes('swap-classes') && byEntry['disk-wins'].equivalentKills.length === 0, JSON.stringify(byEntry['disk-wins']));
  assert.is(auditExitCode(audit), 1);
  // Three harmful mutants ran, each killed something (disk-wins or over-tight).
  assert.is(s.score, 1);
  assert.equal(s.mutants.filter((m) => m.kind === 'equivalent' && !m.skipped).map((m) => m.id).sort(), ['batch-1', 'permute-channels', 'reexport', 'threads-1'].sort());

  const json = auditJson(audit);
  assert.equal(Object.keys(json), ['suites']);
  assert.equal(Object.keys(json.suites[0]), ['suite', 'score', 'checks']);
  assert.equal(Object.keys(json.suites[0].checks[0]), ['entry', 'metric', 'passesOriginal', 'killedBy', 'equivalentKills']);
  assert.is(json.suites[0].suite, 'planted');
});

function neurogate(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 240_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('neurogate audit on the shipped shapes suite: every check killed, none fragile, exit 0, audit.json and the matrix written', () => {
  const dir = path.join(tmp, 'shapes');
  const r = neurogate('audit', 'specs/shapes_cnn.yaml', '--mutants', 'swap-classes,noise-5%,reexport,threads-*', '--report-dir', dir);
  assert.is(r.code, 0, `${r.out}\n${r.err}`);
  assert.match(r.out, /shapes-cnn-export: mutation score 100% \(2\/2 harmful killed, 2 equivalent/);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'audit.json'), 'utf8'));
  assert.is(json.suites[0].checks.length, 5);
  for (const c of json.suites[0].checks) assert.ok(c.passesOriginal && c.killedBy.length > 0 && c.equivalentKills.length === 0, JSON.stringify(c));
  const html = fs.readFileSync(path.join(dir, 'audit.html'), 'utf8');
  assert.match(html, /<table class="matrix">/);
  assert.match(html, /swap-classes/);
});

test('audit --shard i/n splits the mutants; merge-reports joins the shards into the unsharded audit', () => {
  const mutants = ['--mutants', 'swap-classes,noise-5%,reexport,threads-*'];
  for (const i of [1, 2]) {
    const r = neurogate('audit', 'specs/shapes_cnn.yaml', ...mutants, '--shard', `${i}/2`, '--json', '--quiet', '--report-dir', path.join(tmp, 'shards', `s${i}`));
    assert.ok(r.code === 0 || r.code === 1, r.out + r.err);
    const part = JSON.parse(fs.readFileSync(path.join(tmp, 'shards', `s${i}`, 'audit-matrix.json'), 'utf8'));
    assert.is(part.suites[0].mutants.length, 2, 'each shard runs half of the four mutants');
  }
  const merged = neurogate('merge-reports', path.join(tmp, 'shards'), '--report-dir', path.join(tmp, 'merged'));
  assert.is(merged.code, 0, merged.out + merged.err);
  const whole = JSON.parse(fs.readFileSync(path.join(tmp, 'shapes', 'audit.json'), 'utf8'));
  const joined = JSON.parse(fs.readFileSync(path.join(tmp, 'merged', 'audit.json'), 'utf8'));
  const sorted = (j: typeof whole) => ({ suites: j.suites.map((s: { checks: { killedBy: string[]; equivalentKills: string[] }[] }) => ({ ...s, checks: s.checks.map((c) => ({ ...c, killedBy: [...c.killedBy].sort(), equivalentKills: [...c.equivalentKills].sort() })) })) });
  assert.equal(sorted(joined), sorted(whole));
  // One shard alone is not a whole audit.
  const half = neurogate('merge-reports', path.join(tmp, 'shards', 's1'), '--report-dir', path.join(tmp, 'half'));
  assert.is(half.code, 2, half.out + half.err);
  assert.match(half.err, /not one whole audit/);
});

test('neurogate audit --list names every operator; a selector that matches nothing is bad input', () => {
  const list = neurogate('audit', '--list');
  assert.is(list.code, 0);
  for (const op of ['randomize', 'noise', 'prune', 'int8', 'preprocess', 'swap-classes', 'ablate', 'permute-units', 'rotate', 'sign', 'permute-channels', 'reexport', 'batch-size', 'threads']) assert.match(list.out, new RegExp(`^${op} \\((harmful|equivalent)\\)`, 'm'));
  const none = neurogate('audit', 'specs/shapes_cnn.yaml', '--mutants', 'no-such-mutant', '--report-dir', path.join(tmp, 'none'));
  assert.is(none.code, 2, none.err);
  assert.match(none.err, /selects no mutant/);
  const bad = neurogate('audit', 'specs/shapes_cnn.yaml', '--min-score', '2');
  assert.is(bad.code, 2);
  assert.match(bad.err, /--min-score/);
});

test.run();
