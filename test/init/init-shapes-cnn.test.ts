// `neurogate init` on the PyTorch export that ships as a fixture (test/fixtures/shapes_cnn, made by
// the real torch.onnx exporter): the spec it writes validates and passes when run, its logit checks
// hold PyTorch's own logits, it fails when the model is fed differently, and init is deterministic,
// refuses to overwrite without --force and refuses files outside the project without --allow-outside.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { entryKinds } from '../../src/kinds/index.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-init-shapes-'));
const SPEC = path.join(tmp, 'specs', 'shapes.yaml');
const FIX = 'test/fixtures/shapes_cnn';
const torch = JSON.parse(fs.readFileSync(path.join(root, FIX, 'shapes_cnn.json'), 'utf8')) as { images: { file: string; torch_logits: number[] }[] };

function neurogate(...args: string[]) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['bin/neurogate.js', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 400_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, seconds: (Date.now() - t0) / 1000 };
}

const INIT = ['init', '--model', `${FIX}/shapes_cnn.onnx`, '--image', `${FIX}/shape_0_disk.png`, '--image', `${FIX}/shape_1_square.png`, '--out', SPEC];

type Entry = { id: string; layer?: string; unit?: number; units?: number[]; tuning?: unknown; expect: Record<string, Record<string, unknown>> };

test('files outside the spec’s project are refused before any work unless --allow-outside', () => {
  const r = neurogate(...INIT);
  assert.is(r.code, 2, r.out + r.err);
  assert.match(r.err, /outside its project root/);
  assert.match(r.err, /--allow-outside/);
  assert.not.ok(fs.existsSync(SPEC), 'nothing written');
});

test('init writes a spec with measured expectations; it validates and passes when run (exit 0)', () => {
  const r = neurogate(...INIT, '--allow-outside');
  console.log(`init on shapes_cnn: ${r.seconds.toFixed(1)} s`);
  assert.is(r.code, 0, r.out + r.err);
  assert.match(r.out, /^wrote .*shapes\.yaml: \d+ entries, \d+ checks, all passing/m);
  assert.match(r.out, /^next: npx neurogate run .*shapes\.yaml --allow-outside$/m);
  // The guess is stated with how it was made: this export folded its BatchNorms, so nothing in the file says.
  assert.match(r.err, /preprocessing: the importer's default \(RGB, range \[0, 1\], no mean\/std\); not checkable: the model has no BatchNorm/);

  const text = fs.readFileSync(SPEC, 'utf8');
  const spec = YAML.parse(text);
  assert.equal(spec.preprocess, { input: 'input', layout: 'NCHW', size: [224, 224], range: [0, 1], mean: [0, 0, 0], std: [1, 1, 1], channel_order: 'RGB' });
  assert.is(spec.model, path.relative(path.dirname(SPEC), path.join(root, FIX, 'shapes_cnn.onnx')));
  const neurons = spec.neurons as Entry[];
  const units = neurons.filter((e) => e.tuning !== undefined);
  assert.ok(units.length >= 1, 'a unit found by the scan');
  for (const u of units) {
    assert.type(u.expect['tuning.peak_deg'].near, 'number');
    assert.type(u.expect['tuning.peak_deg'].tol, 'number');
  }
  // The logit checks hold what PyTorch computed (shapes_cnn.json): init measured the real model.
  for (const [slug, file, cls] of [['shape_0_disk', 'shape_0_disk.png', 0], ['shape_1_square', 'shape_1_square.png', 1]] as const) {
    const top = neurons.find((e) => e.id === `top1-${slug}`)!;
    const logits = torch.images.find((i) => i.file === file)!.torch_logits;
    assert.is(top.unit, cls);
    assert.ok(Math.abs((top.expect.activation.near as number) - logits[cls]) < 1e-3, `${slug}: ${top.expect.activation.near} vs PyTorch ${logits[cls]}`);
    const others = neurons.find((e) => e.id === `others-below-${slug}`)!;
    assert.equal(others.units, [0, 1, 2].filter((c) => c !== cls));
    const bound = others.expect.activation.max as number;
    assert.ok(Math.max(...logits.filter((_, i) => i !== cls)) < bound && bound < logits[cls], 'the bound separates the top class from the rest');
  }
  const hasMasks = entryKinds().some((k) => k.key === 'masks');
  if (hasMasks) assert.ok(spec.masks?.length === 1 && spec.masks[0].expect.deletion_auc_vs_random, 'an attribution check on the given images');
  else assert.match(text, /# No attribution check: this neurogate has no `masks:` entries yet/);
  // Every check line says what was measured, and which broken copies of the model fail it.
  for (const line of text.split('\n').filter((l) => /^\s+[\w.]+: \{ (near|min|max)/.test(l))) {
    assert.match(line, /# measured /);
    assert.match(line, /killed by [\w%@.-]+/);
  }
  assert.match(r.out, /mutation score \d+\/\d+/);
  assert.match(text, /# Every check below was audited \(`neurogate audit`\)/);

  const v = neurogate('validate', SPEC, '--allow-outside');
  assert.is(v.code, 0, v.out + v.err);
  const dir = path.join(tmp, 'report');
  const run = neurogate('run', SPEC, '--allow-outside', '--report-dir', dir, '--quiet');
  console.log(`run of the written spec: ${run.seconds.toFixed(1)} s`);
  assert.is(run.code, 0, run.out + run.err);
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'neurogate-report.json'), 'utf8'));
  assert.is(report.summary.failed, 0);
  assert.is(report.summary.checks, Number(/(\d+) checks, all passing/.exec(r.out)![1]));
  assert.is(report.suites[0].entries.length, neurons.length + (spec.masks?.length ?? 0));
});

test('the written spec survives its own audit: every check is killed by a harmful mutant and by no equivalent one (exit 0)', () => {
  const dir = path.join(tmp, 'audit');
  // init's own mutants plus others it did not use.
  const r = neurogate('audit', SPEC, '--allow-outside', '--report-dir', dir, '--json', '--mutants', 'randomize-top-1,noise-20%,noise-5%,prune-60%,int8-tensor,preprocess-*,swap-classes,ablate,keep-*,equivalent');
  console.log(`audit of the written spec: ${r.seconds.toFixed(1)} s`);
  assert.is(r.code, 0, r.out + r.err);
  const audit = JSON.parse(fs.readFileSync(path.join(dir, 'audit.json'), 'utf8'));
  for (const c of audit.suites[0].checks) assert.ok(c.passesOriginal && c.killedBy.length > 0 && c.equivalentKills.length === 0, JSON.stringify(c));
});

test('the written checks bite: the same spec with the model fed [0, 255] instead of [0, 1] fails the gate (exit 1)', () => {
  const changed = fs.readFileSync(SPEC, 'utf8').replace(/^ {2}range: \[0, 1\]/m, '  range: [0, 255]');
  assert.match(changed, /range: \[0, 255\]/);
  const file = path.join(path.dirname(SPEC), 'shapes-0-255.yaml');
  fs.writeFileSync(file, changed);
  const run = neurogate('run', file, '--allow-outside', '--report-dir', path.join(tmp, 'report-255'), '--quiet', '--filter', 'top1-shape_0_disk');
  assert.is(run.code, 1, run.out + run.err);
  assert.match(run.out, /FAIL.*top1-shape_0_disk/);
});

test('init refuses to overwrite without --force; with --force it writes the same bytes again', () => {
  const before = fs.readFileSync(SPEC, 'utf8');
  const refused = neurogate(...INIT, '--allow-outside');
  assert.is(refused.code, 2, refused.out + refused.err);
  assert.match(refused.err, /already exists; init does not overwrite it — pass --force/);
  assert.is(fs.readFileSync(SPEC, 'utf8'), before);
  const again = neurogate(...INIT, '--allow-outside', '--force', '--quiet');
  assert.is(again.code, 0, again.out + again.err);
  assert.is(fs.readFileSync(SPEC, 'utf8'), before, 'same model, images and seed: the same spec, byte for byte');
  assert.equal(fs.readdirSync(path.dirname(SPEC)).filter((f) => f.endsWith('.tmp')), [], 'no temp file left by the atomic write');
});

test.run();
