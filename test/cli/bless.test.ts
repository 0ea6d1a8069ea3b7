// The golden flow as a user lives it: a missing golden fails under CI with the command that
// records it; `neurogate bless` records it; CI then passes; a changed golden fails; and bless
// refuses to run under CI.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const bin = path.join(root, 'bin', 'neurogate.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-bless-'));
fs.copyFileSync(path.join(root, 'test/fixtures/shapes_cnn/shapes_cnn.onnx'), path.join(dir, 'net.onnx'));
fs.copyFileSync(path.join(root, 'test/fixtures/shapes_cnn/shape_0_disk.png'), path.join(dir, 'disk.png'));
fs.writeFileSync(path.join(dir, 'g.yaml'), `suite: g
model: ./net.onnx
engine: { device: cpu }
neurons:
  - id: logits
    layer: logits
    units: [0, 1, 2]
    image: ./disk.png
    expect:
      activation: { golden: { atol: 1e-4 } }
`);

function cli(args: string[], ci: boolean) {
  const env = { ...process.env };
  if (ci) env.CI = 'true'; else delete env.CI;
  const r = spawnSync(process.execPath, [bin, ...args, '--quiet'], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

const golden = path.join(dir, 'golden', 'g', 'logits', 'activation.cpu.json');

test('missing golden under CI: exit 1, nothing written, the message says how to bless', () => {
  const r = cli(['run', 'g.yaml'], true);
  assert.is(r.code, 1, r.out);
  assert.not.ok(fs.existsSync(golden));
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'reports', 'neurogate-report.json'), 'utf8'));
  const check = report.suites[0].entries[0].checks[0];
  assert.is(check.passed, false);
  assert.match(check.reason, /`npx neurogate bless g\.yaml --filter '\^g\/logits\$'`/);
  hint = /`(npx neurogate bless [^`]*)`/.exec(check.reason)![1];
});

let hint = '';

test('the hint, pasted into a shell, records the golden and bless lists it as new (untracked, so not in git diff)', () => {
  // `npx` stands for the installed package's bin here; the rest of the line runs as the user pastes it.
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0' };
  delete env.CI;
  const r = spawnSync('bash', ['-c', `npx() { shift; node ${JSON.stringify(bin)} "$@"; }\n${hint}`], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.ok(fs.existsSync(golden));
  assert.match(r.stdout, /bless: 1 golden new — untracked.*git add golden/);
  assert.match(r.stdout, /^ {2}golden\/g\/logits\/activation\.cpu\.json$/m);
  fs.rmSync(path.join(dir, 'golden'), { recursive: true });
});

test('bless records the golden; CI then passes; a changed golden fails; bless refuses CI', () => {
  assert.is(cli(['bless', 'g.yaml'], false).code, 0);
  assert.ok(fs.existsSync(golden));
  const recorded = JSON.parse(fs.readFileSync(golden, 'utf8'));
  assert.is(recorded.value.length, 3);
  assert.is(cli(['run', 'g.yaml'], true).code, 0);

  recorded.value[1] += 1e-3; // ten times the tolerance
  fs.writeFileSync(golden, JSON.stringify(recorded));
  const r = cli(['run', 'g.yaml'], true);
  assert.is(r.code, 1, r.out);

  const refused = cli(['bless', 'g.yaml'], true);
  assert.is(refused.code, 2);
  assert.match(refused.out, /CI/);
  assert.is(JSON.parse(fs.readFileSync(golden, 'utf8')).value[1], recorded.value[1], 'CI bless wrote nothing');
});

test.run();
