// `neurogate init` on zoo:mobilenet_v2 with a photograph: the written spec states its preprocessing
// (the zoo's record, confirmed by the first BatchNorm's statistics), pins the photo's top-1 class,
// holds a unit the scan found, and validates and passes when run (exit 0).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { entryKinds } from '../../src/kinds/index.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-init-mnv2-'));
const SPEC = path.join(tmp, 'mobilenet.yaml');

function neurogate(...args: string[]) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['bin/neurogate.js', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 600_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, seconds: (Date.now() - t0) / 1000 };
}

test('init zoo:mobilenet_v2 --image chelsea.png: a spec that validates and passes when run', () => {
  const r = neurogate('init', '--model', 'zoo:mobilenet_v2', '--image', 'test/fixtures/images/chelsea.png', '--out', SPEC, '--allow-outside');
  console.log(`init on zoo:mobilenet_v2: ${r.seconds.toFixed(1)} s`);
  assert.is(r.code, 0, r.out + r.err);
  assert.match(r.err, /input "input_1" \[N, 224, 224, 3\] \(NHWC\), \d+ layers, 5 classes at "dense_3:preact"/);
  // Stated with how it was guessed: the zoo says RGB / 255, and the photo's statistics at bn_Conv1 agree.
  assert.match(r.err, /preprocessing: the zoo's record for zoo:mobilenet_v2 \(RGB, range \[0, 1\], no mean\/std\); the running statistics of bn_Conv1 \(the first BatchNorm\) on 1 photograph agree/);
  assert.match(r.err, /scanned block_\w+, block_\w+, block_\w+ for curves and lines/);

  const text = fs.readFileSync(SPEC, 'utf8');
  const spec = YAML.parse(text);
  assert.is(spec.model, 'zoo:mobilenet_v2');
  assert.equal(spec.preprocess, { input: 'input_1', layout: 'NHWC', size: [224, 224], range: [0, 1], mean: [0, 0, 0], std: [1, 1, 1], channel_order: 'RGB' });
  assert.match(text, /^# {3}range \[0, 1\]: \d/m, 'the fit of each convention is in the file, best first');
  const neurons = spec.neurons as { id: string; unit?: number; tuning?: unknown; expect: Record<string, Record<string, number>> }[];
  assert.ok(neurons.some((e) => e.tuning !== undefined && e.id.startsWith('curve-unit-')), 'a curve unit found by the scan');
  // chelsea.png reads as Neutral (class 2) with logit 4.477 (specs/mobilenet_v2.yaml measures the same).
  const top = neurons.find((e) => e.id === 'top1-chelsea')!;
  assert.is(top.unit, 2);
  assert.ok(Math.abs(top.expect.activation.near - 4.477) < 0.01, String(top.expect.activation.near));
  assert.ok(neurons.some((e) => e.id === 'others-below-chelsea'));
  if (entryKinds().some((k) => k.key === 'masks')) assert.is(spec.masks?.[0]?.id, 'attribution-grad-cam');
  // Every check was audited: the comment names the broken copies of the model that fail it.
  assert.match(r.out, /mutation score \d+\/\d+/);
  for (const line of text.split('\n').filter((l) => /^\s+[\w.]+: \{ (near|min|max)/.test(l))) assert.match(line, /killed by [\w%@.-]+/);

  const v = neurogate('validate', SPEC, '--allow-outside');
  assert.is(v.code, 0, v.out + v.err);
  const run = neurogate('run', SPEC, '--allow-outside', '--report-dir', path.join(tmp, 'report'), '--quiet');
  console.log(`run of the written spec: ${run.seconds.toFixed(1)} s`);
  assert.is(run.code, 0, run.out + run.err);
  assert.match(run.out, /^PASS {2}\d+ checks: \d+ passed, 0 failed/m);
});

test.run();
