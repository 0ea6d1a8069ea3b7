// Bad `generators:` entries stop the run with exit 2 and point at the line: an unknown generator,
// a judge layer the judge lacks, two analyses in one entry, a model that is not a generator.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve('.');
const cnn = path.join(repo, 'test/fixtures/shapes_cnn/shapes_cnn.onnx');

function runSpec(body: string): { code: number | null; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-genkind-'));
  fs.copyFileSync(cnn, path.join(dir, 'cnn.onnx'));
  fs.writeFileSync(path.join(dir, 'spec.yaml'), `suite: bad\nmodel: cnn.onnx\ngenerators:\n${body}`);
  const r = spawnSync(process.execPath, [path.join(repo, 'bin', 'neurogate.js'), 'run', 'spec.yaml', '--reporter', 'console', '--report-dir', path.join(dir, 'reports')], { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 120_000 });
  fs.rmSync(dir, { recursive: true });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('unknown generator, missing judge layer and a CNN as generator: exit 2 at the entry line', () => {
  const r = runSpec(`  - id: a
    generator: zoo:no-such-generator
    noise: {}
    expect: { noise.scale_effect: { min: 0.5 } }
  - id: b
    generator: zoo:reimpl-generator
    judge: { neuron: { layer: no_such_layer, unit: 0 } }
    direction: {}
    expect: { direction.accuracy: { min: 0.9 } }
  - id: c
    generator: cnn.onnx
    noise: {}
    expect: { noise.scale_effect: { min: 0.5 } }
`);
  assert.is(r.code, 2, r.out);
  assert.match(r.out, /spec\.yaml:5:.*no zoo generator named "no-such-generator"/);
  assert.match(r.out, /spec\.yaml:10:.*no_such_layer/);
  assert.match(r.out, /spec\.yaml:14:.*exactly one 2-D float input/);
});

test('an entry with two analyses is refused by the schema', () => {
  const r = runSpec(`  - id: a
    generator: zoo:reimpl-generator
    noise: {}
    inversion: {}
    expect: { noise.scale_effect: { min: 0.5 } }
`);
  assert.is(r.code, 2, r.out);
  assert.match(r.out, /exactly one of intervention, direction, inversion, noise/);
});

test.run();
