// Same spec, seed and device in two separate processes → byte-identical JSON reports once the
// timestamps and durations are stripped; the seeds used are recorded in the report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseReport, stableJson } from '../../src/report/json.ts';
import { repo } from './workspace.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-rel-det-'));

/** One `neurogate run` process (both run at once: the comparison also covers parallel runs). */
function run(dir: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'test/fixtures/specs/seeded', '--device', 'cpu', '--report-dir', dir, '--json', '--quiet'], { cwd: repo, stdio: 'ignore' });
    child.on('exit', resolve);
  });
}

test('two processes, same seeded spec on cpu: identical stable JSON, seeds recorded', async () => {
  const dirs = [path.join(tmp, 'a'), path.join(tmp, 'b')];
  const codes = await Promise.all(dirs.map(run));
  assert.equal(codes, [0, 0]);
  const [a, b] = dirs.map((d) => parseReport(fs.readFileSync(path.join(d, 'neurogate-report.json'), 'utf8')));
  assert.ok(a.startedAt !== undefined && a.durationMs > 0, 'the volatile fields exist and are what differs');
  assert.is(stableJson(a), stableJson(b));
  const text = stableJson(a);
  assert.match(text, /"seed": 11/, 'the suite seed is recorded');
  assert.match(text, /"seed": 3/, 'the entry seed is recorded');
});

test.run();
