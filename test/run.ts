// The test command: runs every test/**/*.test.ts in its own process (isolation from native
// state, a crash counts as a failure instead of killing the run), two at a time, longest first,
// and ends with the line CI counts: `N passed, N failed`.
//   npm test                 all tests
//   npm test -- engine zoo   only files whose path contains one of the words
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { loadTimings, saveTimings } from './timings.ts';

const root = path.dirname(new URL(import.meta.url).pathname);
const filters = process.argv.slice(2);

function findTests(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : findTests(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  }).sort();
}

const repoRoot = path.dirname(root);
const rel = (file: string) => path.relative(repoRoot, file).split(path.sep).join('/');
const timing = loadTimings(repoRoot);
// Longest first: with two workers the run ends when its longest file does only if that file
// started early (a 4-minute file picked last would leave the other worker idle for minutes).
const files = findTests(root)
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .map((f) => ({ f, s: timing(rel(f)) }))
  .sort((a, b) => b.s - a.s || (a.f < b.f ? -1 : 1))
  .map((x) => x.f);
const jobs = Math.max(1, Math.min(Number(process.env.TEST_JOBS ?? 2), os.availableParallelism?.() ?? 2));

interface FileResult { file: string; passed: number; failed: number; skipped: number; ms: number; output: string; code: number | null }

function runFile(file: string): Promise<FileResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      const grab = (label: string) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(output)?.[1] ?? NaN);
      const total = grab('Total');
      const passed = grab('Passed');
      const skipped = grab('Skipped') || 0;
      let failed = Number.isNaN(total) ? 1 : total - passed - skipped;
      // A file that printed a clean total but exited non-zero (crash after the suite, unhandled rejection) still fails.
      if (failed === 0 && code !== 0) failed = 1;
      resolve({ file, passed: Number.isNaN(passed) ? 0 : passed, failed, skipped, ms: Date.now() - t0, output, code });
    });
  });
}

const results: FileResult[] = [];
let next = 0;
async function worker() {
  while (next < files.length) {
    const file = files[next++];
    const r = await runFile(file);
    results.push(r);
    const status = r.failed ? 'FAIL' : 'ok  ';
    console.log(`${status} ${rel(file)}  (${r.passed} passed, ${r.failed} failed, ${(r.ms / 1000).toFixed(1)} s)`);
    if (r.failed) console.log(r.output.split('\n').map((l) => `     ${l}`).join('\n'));
  }
}
await Promise.all(Array.from({ length: jobs }, worker));
saveTimings(repoRoot, results.filter((r) => r.code !== null).map((r) => ({ file: rel(r.file), seconds: r.ms / 1000 })));

const passed = results.reduce((s, r) => s + r.passed, 0);
const failed = results.reduce((s, r) => s + r.failed, 0);
const skipped = results.reduce((s, r) => s + r.skipped, 0);
if (files.length === 0) console.log('no test files matched');
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
