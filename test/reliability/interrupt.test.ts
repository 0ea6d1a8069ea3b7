// Nothing half-written: SIGKILL in the middle of a run leaves no report and no partial (temp)
// file; SIGINT ends the run with exit 130. Reports are written by temp file + rename.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { shapesSpec, workspace } from './workspace.ts';

const ws = workspace('kill');
// Enough work that the run is surely still going when the signal lands: 400 noisy repeats (~10 s).
ws.write('specs/slow.yaml', shapesSpec({ expect: '{ min: 3, k: 1 }' }).replace('    unit: 0\n', '    unit: 0\n    noise: { std: 8 }\n    repeat: 400\n'));
ws.write('specs/ok.yaml', shapesSpec());

/** Resolve once stderr shows the run has started its probes (the models are loaded). */
function startedProbes(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      if (/running \d+ probes/.test(err)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before the probes started:\n${err}`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

function leftovers(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

test('SIGKILL mid-run: no report, no temp file; an earlier complete report stays whole', async () => {
  // A finished run first, so the killed run has an old report it must not damage.
  const first = ws.cli('run', 'specs/ok.yaml', '--report-dir', 'killed', '--quiet');
  assert.is(first.code, 0, first.out + first.err);
  const before = fs.readFileSync(path.join(ws.dir, 'killed', 'neurogate-report.json'), 'utf8');
  const child = ws.spawn('run', 'specs/slow.yaml', '--report-dir', 'killed');
  await startedProbes(child);
  child.kill('SIGKILL');
  const { signal } = await exited(child);
  assert.is(signal, 'SIGKILL');
  assert.equal(leftovers(path.join(ws.dir, 'killed')).sort(), ['junit.xml', 'neurogate-report.json', 'report.html']);
  assert.is(fs.readFileSync(path.join(ws.dir, 'killed', 'neurogate-report.json'), 'utf8'), before, 'the old report is untouched');
  assert.not.ok(fs.existsSync(path.join(ws.dir, 'golden')), 'no golden written either');
});

test('SIGINT mid-run: exit 130, a message on stderr, no report and no temp file', async () => {
  const child = ws.spawn('run', 'specs/slow.yaml', '--report-dir', 'interrupted');
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await startedProbes(child);
  child.kill('SIGINT');
  const { code } = await exited(child);
  assert.is(code, 130, err);
  assert.match(err, /neurogate: interrupted/);
  assert.equal(leftovers(path.join(ws.dir, 'interrupted')), []);
});

test.run();
