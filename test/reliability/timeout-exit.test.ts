// --timeout bounds the process, not only the entry: once the timed-out entry and the run report
// are written, onnxruntime work that cannot be cancelled (a million RISE masks here) is abandoned
// by exiting. Measured from the report's write to the process's end, so startup time does not count.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { MAX_TIMEOUT_S, limitOptions } from '../../src/cli/run.ts';
import { errorOf } from '../helpers.ts';
import { workspace } from './workspace.ts';

const ws = workspace('timeout');
/** Seconds the process may outlive its report (the exit grace is 2 s; the rest is a loaded machine's slack). */
const GONE_WITHIN_S = 8;

test('after --timeout the process is gone within seconds of writing its report', async () => {
  ws.write('specs/slow.yaml', [
    'suite: slow', 'model: ../models/shapes_cnn.onnx', 'engine: { device: cpu }', 'masks:', '  - id: rise',
    '    image: ../images/shape_0_disk.png', '    target: top', '    method: { rise: { masks: 1000000 } }',
    '    expect:', '      deletion_auc: { max: 1 }', '',
  ].join('\n'));
  const child = ws.spawn('run', 'specs/slow.yaml', '--timeout', '2', '--report-dir', 'r', '--json', '--quiet');
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  // A guard far past the bound, so a failure is a failed assertion, not a hung test run.
  const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const endedAt = Date.now();
  clearTimeout(guard);
  const reportFile = path.join(ws.dir, 'r', 'neurogate-report.json');
  assert.ok(fs.existsSync(reportFile), `no report; stderr: ${err}`);
  const lived = (endedAt - fs.statSync(reportFile).mtimeMs) / 1000;
  assert.ok(lived < GONE_WITHIN_S, `the process lived ${lived.toFixed(1)} s after its report`);
  assert.is(code, 2, err);
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  assert.is(report.suites[0].entries[0].error.code, 'E_TIMEOUT');
});

test('a timeout past what a timer can hold is refused naming the limit, not fired at once', () => {
  for (const bad of ['2147484', String(MAX_TIMEOUT_S + 1), '1e300']) {
    const e = errorOf(() => limitOptions({ timeout: bad }, 'usage'));
    assert.is(e.code, 'E_ARGS');
    assert.match(e.message, new RegExp(`over the limit of ${MAX_TIMEOUT_S} s`));
  }
  assert.is(limitOptions({ timeout: String(MAX_TIMEOUT_S) }, 'usage').timeoutS, MAX_TIMEOUT_S);
});

test.run();
