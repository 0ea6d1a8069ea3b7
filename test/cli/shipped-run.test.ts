// The lock around the shared shipped run (test/cli/shipped-run.ts), without running the suites: a
// waiter reads the owner's result, and fails at once, naming the owner, when the owner died
// without one (instead of waiting for ever).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-shipped-lock-'));
process.env.NEUROGATE_TEST_SHARED = shared;
const { shippedRun } = await import('./shipped-run.ts');
const folder = path.join(shared, 'shipped-run');

test('an owner that ended without a result: the waiter fails at once and names it', () => {
  const gone = spawnSync(process.execPath, ['-e', '']).pid!;
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'pid'), String(gone));
  const t0 = Date.now();
  assert.throws(() => shippedRun(), (e: Error) => e.message.includes(`test process ${gone}`) && e.message.includes('without a result'));
  assert.ok(Date.now() - t0 < 5000, 'no long wait');
});

test('an owner that wrote its result: the waiter returns it and runs nothing', () => {
  fs.writeFileSync(path.join(folder, 'pid'), String(process.pid));
  const result = { code: 0, out: 'PASS  1 checks', err: '', reportDir: path.join(folder, 'reports'), seconds: 1 };
  fs.writeFileSync(path.join(folder, 'result.json'), JSON.stringify(result));
  assert.equal(shippedRun(), result);
  assert.not.ok(fs.existsSync(result.reportDir), 'no run of its own');
});

test.after(() => fs.rmSync(shared, { recursive: true, force: true }));
test.run();
