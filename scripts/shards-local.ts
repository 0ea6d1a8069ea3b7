// The CI sharding flow on one machine: n `neurogate run --shard i/n` processes, then
// `neurogate merge-reports`. On Linux each process is pinned (taskset) to its own slice of the
// cores, so onnxruntime's threads (one per visible core) never oversubscribe the machine.
//   node --import tsx scripts/shards-local.ts <n> [spec paths and run options…] [--report-dir <dir>]
// Shard reports go to <report-dir>/shards/shard-<i>/, the merged reports to <report-dir>/.
// The exit code is the merge's: the one a single run would have given; 2 if a shard wrote nothing.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { mergeReportPaths } from '../src/cli/merge-reports.ts';
import { badInput, EXIT, exitCodeFor, isNeurogateError } from '../src/errors.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CLI = path.join(root, 'bin', 'neurogate.js');

export interface LocalShardsOptions {
  shards: number;
  /** `neurogate run` arguments (spec paths, --filter, --seed…); --report-dir and format flags are taken out. */
  args?: string[];
  reportDir?: string;
  cwd?: string;
  /** Pin each shard to its own cores with taskset (Linux, default when taskset exists). */
  pin?: boolean;
  /** Shards running at once (default: as many as there are cores, at most n). */
  jobs?: number;
  /** Where the shards' and merge's output goes (default: this process's stdout/stderr; null: nowhere). */
  log?: NodeJS.WritableStream | null;
  /** Aborting interrupts the shards (SIGINT) and skips the merge: exit code 130. */
  signal?: AbortSignal;
}

export interface LocalShardsResult {
  exitCode: number;
  shards: { index: number; code: number | null; seconds: number; cpus?: string }[];
  /** Wall seconds of the shards (all of them) and of the merge. */
  shardSeconds: number;
  mergeSeconds: number;
  reportDir: string;
}

const FORMAT_FLAGS = ['--json', '--junit', '--html', '--quiet'];

export async function runShardsLocally(o: LocalShardsOptions): Promise<LocalShardsResult> {
  const n = o.shards;
  if (!Number.isInteger(n) || n < 1) throw new Error(`shards must be a positive integer, got ${n}`);
  const cwd = o.cwd ?? process.cwd();
  const log = o.log === undefined ? process.stdout : o.log;
  const { runArgs, formats, reportDir } = splitArgs(o.args ?? [], o.reportDir);
  const cpus = allowedCpus();
  const jobs = Math.max(1, Math.min(n, o.jobs ?? cpus.length));
  const pin = (o.pin ?? true) && hasTaskset();
  // Slot k of `jobs` gets a contiguous slice of the allowed cores; a shard takes a free slot.
  const slices = Array.from({ length: jobs }, (_, k) => cpus.slice(Math.floor((k * cpus.length) / jobs), Math.floor(((k + 1) * cpus.length) / jobs)));
  const files = Array.from({ length: n }, (_, i) => path.resolve(cwd, reportDir, 'shards', `shard-${i + 1}`, 'neurogate-report.json'));
  // A stale report of an earlier run would be merged as if this run had written it.
  for (const f of files) fs.rmSync(f, { force: true });

  const results: LocalShardsResult['shards'] = [];
  const t0 = performance.now();
  let next = 0;
  const slot = async (k: number) => {
    while (next < n && !o.signal?.aborted) {
      const i = next++;
      const args = [CLI, 'run', ...runArgs, '--shard', `${i + 1}/${n}`, '--report-dir', path.dirname(files[i]), '--json', '--quiet'];
      const cores = pin && slices[k].length ? slices[k].join(',') : undefined;
      const [cmd, argv] = cores ? ['taskset', ['-c', cores, process.execPath, ...args]] : [process.execPath, args];
      const t = performance.now();
      const code = await exec(cmd, argv, cwd, log, `[shard ${i + 1}/${n}] `, o.signal);
      results.push({ index: i + 1, code, seconds: (performance.now() - t) / 1000, ...(cores && { cpus: cores }) });
    }
  };
  await Promise.all(slices.map((_, k) => slot(k)));
  const shardSeconds = (performance.now() - t0) / 1000;
  results.sort((a, b) => a.index - b.index);
  for (const r of results) log?.write(`shard ${r.index}/${n}: ${r.code === null ? 'killed by a signal' : `exit ${r.code}`} in ${r.seconds.toFixed(1)} s${r.cpus ? ` on cpus ${r.cpus}` : ''}\n`);

  if (o.signal?.aborted) {
    log?.write('shards-local: interrupted; nothing was merged\n');
    return { exitCode: EXIT.interrupted, shards: results, shardSeconds, mergeSeconds: 0, reportDir: path.resolve(cwd, reportDir) };
  }
  // The merge runs here, as `neurogate merge-reports` would (one process start less). Reports of
  // shards that wrote none are simply absent: the merge then names the missing shards.
  const t1 = performance.now();
  const written = files.filter((f) => fs.existsSync(f));
  const only = formats.some((f) => f !== '--quiet');
  let exitCode: number;
  try {
    if (written.length === 0) throw badInput('E_MERGE_NONE', `no shard wrote a report (${n} ran)`, path.resolve(cwd, reportDir, 'shards'), 'see the shards\' output above');
    exitCode = await mergeReportPaths(written, {
      dir: path.resolve(cwd, reportDir),
      json: true,
      junit: !only || formats.includes('--junit'),
      html: !only || formats.includes('--html'),
      quiet: formats.includes('--quiet'),
      stream: log ?? null,
    });
  } catch (e) {
    if (!isNeurogateError(e)) throw e;
    log?.write(`neurogate: error: ${e.oneLine()}\n`);
    exitCode = exitCodeFor(e);
  }
  return { exitCode, shards: results, shardSeconds, mergeSeconds: (performance.now() - t1) / 1000, reportDir: path.resolve(cwd, reportDir) };
}

/** Run arguments for the shards; --report-dir and format flags (which the merge honours) apart. */
function splitArgs(args: readonly string[], reportDir?: string): { runArgs: string[]; formats: string[]; reportDir: string } {
  const runArgs: string[] = [];
  const formats: string[] = [];
  let dir = reportDir;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--report-dir') dir = args[++i];
    else if (a.startsWith('--report-dir=')) dir = a.slice('--report-dir='.length);
    else if (a === '--shard' || a.startsWith('--shard=')) throw new Error('--shard is set by the script for each shard; give the number of shards as the first argument');
    else if (FORMAT_FLAGS.includes(a)) formats.push(a);
    else runArgs.push(a);
  }
  return { runArgs, formats, reportDir: dir ?? 'reports' };
}

/** CPU ids this process may run on (Linux: its affinity list), else 0 … cores−1. */
function allowedCpus(): number[] {
  const count = os.availableParallelism?.() ?? os.cpus().length;
  try {
    const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (line) {
      const ids = line.split(',').flatMap((part) => {
        const [a, b] = part.split('-').map(Number);
        return Array.from({ length: (b ?? a) - a + 1 }, (_, k) => a + k);
      });
      if (ids.length && ids.every(Number.isInteger)) return ids;
    }
  } catch {
    // not Linux
  }
  return Array.from({ length: count }, (_, k) => k);
}

function hasTaskset(): boolean {
  if (process.platform !== 'linux') return false;
  return spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;
}

/** Runs a command, prefixing each line of its output; resolves with its exit code. */
function exec(cmd: string, args: string[], cwd: string, log: NodeJS.WritableStream | null, prefix: string, signal?: AbortSignal): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    // A Ctrl-C in a terminal reaches the shards too; a signal sent to this script alone is passed on.
    const stop = () => child.kill('SIGINT');
    signal?.addEventListener('abort', stop, { once: true });
    child.on('exit', () => signal?.removeEventListener('abort', stop));
    for (const s of [child.stdout, child.stderr]) {
      let rest = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        const lines = (rest + d).split('\n');
        rest = lines.pop()!;
        for (const l of lines) log?.write(`${prefix}${l}\n`);
      });
      s.on('end', () => rest && log?.write(`${prefix}${rest}\n`));
    }
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [n, ...rest] = process.argv.slice(2);
  if (!n || !/^\d+$/.test(n) || Number(n) < 1) {
    console.error('usage: node --import tsx scripts/shards-local.ts <n> [spec paths and run options…] [--report-dir <dir>]');
    process.exitCode = 2;
  } else {
    const interrupt = new AbortController();
    process.once('SIGINT', () => interrupt.abort());
    runShardsLocally({ shards: Number(n), args: rest, signal: interrupt.signal }).then(
      (r) => { process.exitCode = r.exitCode; },
      (e) => { console.error(`shards-local: ${(e as Error).message}`); process.exitCode = 2; },
    );
  }
}
