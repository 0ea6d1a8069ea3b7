// Never a silent pass, end to end through the CLI: NaN or Inf weights make the measured value
// non-finite and the check fails saying so (exit 1); an unproducible metric and a spec with no
// checks are errors (exit 2); a model over --max-model-bytes and a too-short --timeout are refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { decodeModel, encodeModel } from '../../src/engine/onnx.ts';
import { readWeight, replaceWeight } from '../../src/engine/graph.ts';
import { limitOptions } from '../../src/cli/run.ts';
import { errorOf } from '../helpers.ts';
import { shapesSpec, workspace } from './workspace.ts';

const ws = workspace('silent');

/** The shapes CNN with every value of its first weight set to `v`. */
function poisoned(v: number): Uint8Array {
  const m = decodeModel(fs.readFileSync(path.join(ws.dir, 'models', 'shapes_cnn.onnx')));
  const name = m.graph!.initializer[0].name!;
  const w = readWeight(m, name);
  replaceWeight(m, name, { dims: w.dims, data: new Float32Array(w.data.length).fill(v) });
  return encodeModel(m);
}

for (const [label, v] of [['NaN', NaN], ['Inf', Infinity]] as const) {
  test(`${label} weights: the check fails with a non-finite reason, exit 1, never a pass`, () => {
    ws.write(`models/${label}.onnx`, poisoned(v));
    ws.write(`specs/${label}.yaml`, shapesSpec({ model: `../models/${label}.onnx`, expect: '{ between: [-1e30, 1e30] }' }));
    const r = ws.cli('run', `specs/${label}.yaml`, '--report-dir', `r-${label}`, '--json', '--quiet');
    assert.is(r.code, 1, r.out + r.err);
    const report = JSON.parse(fs.readFileSync(path.join(ws.dir, `r-${label}`, 'neurogate-report.json'), 'utf8'));
    const check = report.suites[0].entries[0].checks[0];
    assert.is(check.passed, false);
    assert.match(`${check.reason} ${JSON.stringify(check.observed)}`, /NaN|Inf|non-finite|not finite|no values/i, JSON.stringify(check));
  });
}

test('an expectation on a metric the probe cannot produce is an error at file:line:col, not a skip', () => {
  ws.write('specs/metric.yaml', shapesSpec().replace('activation:', 'selectivity.nonsense:'));
  const r = ws.cli('run', 'specs/metric.yaml', '--report-dir', 'r-metric', '--quiet');
  assert.is(r.code, 2, r.out + r.err);
  assert.match(r.err, /metric\.yaml:10:7: the neurons\.activation probe does not produce `selectivity\.nonsense`/);
});

test('a spec with zero checks is an error (no entries; an entry with an empty expect)', () => {
  ws.write('specs/empty.yaml', 'suite: nothing\nmodel: ../models/shapes_cnn.onnx\nneurons: []\n');
  const r = ws.cli('run', 'specs/empty.yaml', '--report-dir', 'r-empty', '--quiet');
  assert.is(r.code, 2, r.out + r.err);
  assert.match(r.err, /empty\.yaml:\d+:\d+: .*checks nothing/);
  ws.write('specs/noexpect.yaml', shapesSpec().replace(/ {4}expect:\n.*\n/, '    expect: {}\n'));
  const r2 = ws.cli('run', 'specs/noexpect.yaml', '--report-dir', 'r-empty', '--quiet');
  assert.is(r2.code, 2, r2.out + r2.err);
  assert.match(r2.err, /noexpect\.yaml:\d+:\d+: .*at least one expectation/);
  assert.not.ok(fs.existsSync(path.join(ws.dir, 'r-empty')));
});

test('--max-model-bytes: a model over the limit is refused with its size, exit 2; bad values exit 2', () => {
  ws.write('specs/ok.yaml', shapesSpec());
  const r = ws.cli('run', 'specs/ok.yaml', '--max-model-bytes', '1000', '--report-dir', 'r-big', '--quiet');
  assert.is(r.code, 2, r.out + r.err);
  assert.match(r.err, /ok\.yaml:2:8: model \.\.\/models\/shapes_cnn\.onnx: model file is \d+ bytes, over the limit of 1000/);
  const b = ws.cli('run', 'specs/ok.yaml', '--max-model-bytes=-5', '--quiet');
  assert.is(b.code, 2);
  assert.match(b.err, /--max-model-bytes must be a positive whole number/);
  for (const bad of ['0', '1e9', 'lots', '1.5', '']) assert.is(errorOf(() => limitOptions({ 'max-model-bytes': bad }, 'usage')).code, 'E_ARGS', bad);
  assert.is(limitOptions({ 'max-model-bytes': '123' }, 'usage').maxModelBytes, 123);
});

test('--timeout: an entry over the limit fails naming the entry (exit 2); bad values exit 2', () => {
  ws.write('specs/ok.yaml', shapesSpec());
  // 1 µs: the forward pass (onnxruntime, asynchronous) cannot finish in time.
  const r = ws.cli('run', 'specs/ok.yaml', '--timeout', '0.000001', '--report-dir', 'r-timeout', '--json', '--quiet');
  assert.is(r.code, 2, r.out + r.err);
  const report = JSON.parse(fs.readFileSync(path.join(ws.dir, 'r-timeout', 'neurogate-report.json'), 'utf8'));
  const entry = report.suites[0].entries[0];
  assert.is(entry.error.code, 'E_TIMEOUT');
  assert.match(entry.error.message, /entry reliability\/disk-logit did not finish within 0\.000001 s/);
  const ok = ws.cli('run', 'specs/ok.yaml', '--timeout', '120', '--report-dir', 'r-timeout', '--quiet');
  assert.is(ok.code, 0, ok.out + ok.err);
  const b = ws.cli('run', 'specs/ok.yaml', '--timeout=soon', '--quiet');
  assert.is(b.code, 2);
  assert.match(b.err, /--timeout must be a positive number of seconds/);
  for (const bad of ['0', '-1', '', 'Infinity', 'NaN']) assert.is(errorOf(() => limitOptions({ timeout: bad }, 'usage')).code, 'E_ARGS', bad);
  assert.is(limitOptions({ timeout: '2.5' }, 'usage').timeoutS, 2.5);
});

test.run();
