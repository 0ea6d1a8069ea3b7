// One real `neurogate run specs/` per `npm test`, shared by the test files that assert on the
// shipped suites (not a test file itself: no `.test.ts`). The whole suite is minutes of CPU; three
// files used to run parts of it again and again. test/run.ts names a folder for the whole test run
// in NEUROGATE_TEST_SHARED: the first file to ask runs the command there, the others wait for its
// result. A file run on its own (no such folder) runs the command itself, in a temporary folder.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunReport } from '../../src/report/index.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** The exact arguments; test/docs/commands.test.ts checks they are README's `npx neurogate run specs/`. */
export const SHIPPED_ARGS = ['run', 'specs/'] as const;

export interface ShippedRun {
  /** Exit code of the command (null: killed, e.g. by the time limit). */
  code: number | null;
  out: string;
  err: string;
  /** Where it wrote neurogate-report.json, junit.xml and report.html. */
  reportDir: string;
  /** Wall seconds of the command. */
  seconds: number;
}

// 1500 s: ~160 s alone on an idle 2-core machine, several times that beside other test files on a loaded one.
const LIMIT_MS = 1_500_000;
const RESULT = 'result.json';

let memo: ShippedRun | undefined;

/** The shipped suites' run for this `npm test`: computed by the first test file that asks, read by the others. */
export function shippedRun(): ShippedRun {
  if (memo) return memo;
  const shared = process.env.NEUROGATE_TEST_SHARED;
  const folder = shared ? path.join(shared, 'shipped-run') : privateFolder();
  memo = claim(folder) ? compute(folder) : waitFor(folder);
  return memo;
}

/** The JSON report of that run. */
export function shippedReport(): RunReport {
  return JSON.parse(fs.readFileSync(path.join(shippedRun().reportDir, 'neurogate-report.json'), 'utf8')) as RunReport;
}

function privateFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-shipped-run-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'shipped-run');
}

/**
 * Whether this process won the folder. The folder appears whole, with the owner's pid inside, by a
 * rename (atomic, and refused when it exists), so a waiter always knows whom it waits for.
 */
function claim(folder: string): boolean {
  const staged = `${folder}.${process.pid}`;
  fs.mkdirSync(staged, { recursive: true });
  fs.writeFileSync(path.join(staged, 'pid'), String(process.pid));
  try {
    fs.renameSync(staged, folder);
    return true;
  } catch (e) {
    fs.rmSync(staged, { recursive: true, force: true });
    if (['EEXIST', 'ENOTEMPTY'].includes((e as NodeJS.ErrnoException).code ?? '')) return false;
    throw e;
  }
}

function compute(folder: string): ShippedRun {
  const reportDir = path.join(folder, 'reports');
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...SHIPPED_ARGS, '--report-dir', reportDir],
    { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: LIMIT_MS, maxBuffer: 64 * 1024 * 1024 });
  const run: ShippedRun = { code: r.status, out: r.stdout ?? '', err: `${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`, reportDir, seconds: (Date.now() - t0) / 1000 };
  const tmp = path.join(folder, `${RESULT}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(run));
  fs.renameSync(tmp, path.join(folder, RESULT));
  console.log(`shipped suites (neurogate ${SHIPPED_ARGS.join(' ')}): computed here, ${run.seconds.toFixed(1)} s, exit ${run.code}`);
  return run;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

function waitFor(folder: string): ShippedRun {
  const owner = Number(fs.readFileSync(path.join(folder, 'pid'), 'utf8'));
  const t0 = Date.now();
  for (;;) {
    const file = path.join(folder, RESULT);
    if (fs.existsSync(file)) {
      const run = JSON.parse(fs.readFileSync(file, 'utf8')) as ShippedRun;
      console.log(`shipped suites (neurogate ${SHIPPED_ARGS.join(' ')}): computed by test process ${owner} in this test run, waited ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return run;
    }
    // An owner that died without a result (killed, crashed) would leave us waiting for ever.
    if (!alive(owner)) throw new Error(`the test process ${owner} that ran \`neurogate ${SHIPPED_ARGS.join(' ')}\` for this test run ended without a result (${folder})`);
    if (Date.now() - t0 > LIMIT_MS + 60_000) throw new Error(`waited ${LIMIT_MS / 1000} s for \`neurogate ${SHIPPED_ARGS.join(' ')}\` in ${folder}`);
    Atomics.wait(pause, 0, 0, 500);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
