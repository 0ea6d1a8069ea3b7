// `neurogate run [files|dirs…]`: run the specs, write the reports (JSON always; JUnit and HTML
// unless only some formats are asked for), print the summary, exit 0 · 1 · 2 · 3.
import fs from 'node:fs';
import path from 'node:path';
import { DEVICES, type Device } from '../engine/session.ts';
import { badInput, EXIT, isNeurogateError } from '../errors.ts';
import { DEFAULT_NAMES, writeReports } from '../report/index.ts';
import { shownPath } from '../report/format.ts';
import { run } from '../index.ts';
import type { PlanOptions } from '../run/plan.ts';
import { createProgress } from '../run/progress.ts';
import { SpecError } from '../suite/issues.ts';
import { didYouMean, parse } from './args.ts';
import { annotation, toGithub } from '../report/github.ts';
import { openGoldenStore, formatBlessSummary, type GoldenRunOptions } from '../golden/index.ts';
import { parseShard } from '../run/shard.ts';
import { applyImageLimits, DEFAULT_LIMITS, type RunLimits } from '../probe/limits.ts';
import { oneLine, safeLines } from '../io/terminal.ts';

export const RUN_USAGE = 'neurogate run [files|dirs…] [--filter <regex>] [--device auto|cpu|webgpu|cuda] [--seed <n>] [--model <ref>] [--baseline <ref>] [--shard i/n] [--allow-outside] [--timeout <seconds>] [--max-model-bytes <n>] [--max-image-pixels <n>] [--report-dir <dir>] [--save-maps <dir>] [--save-activations <dir>] [--max-save-bytes <n>] [--cache <dir>] [--cache-max-bytes <n>] [--reporter console,github,json,junit,html] [--json] [--junit] [--html] [--quiet] [--debug]';

const RUN_OPTIONS = {
  filter: { type: 'string' },
  device: { type: 'string' },
  seed: { type: 'string' },
  model: { type: 'string' },
  baseline: { type: 'string' },
  shard: { type: 'string' },
  'allow-outside': { type: 'boolean' },
  timeout: { type: 'string' },
  'max-model-bytes': { type: 'string' },
  'max-image-pixels': { type: 'string' },
  'report-dir': { type: 'string' },
  'save-maps': { type: 'string' },
  'save-activations': { type: 'string' },
  'max-save-bytes': { type: 'string' },
  cache: { type: 'string' },
  'cache-max-bytes': { type: 'string' },
  json: { type: 'boolean' },
  junit: { type: 'boolean' },
  html: { type: 'boolean' },
  quiet: { type: 'boolean' },
  reporter: { type: 'string', multiple: true },
} as const;

export const REPORTERS = ['console', 'github', 'json', 'junit', 'html'] as const;
export type Reporter = (typeof REPORTERS)[number];

/** `--reporter a,b --reporter c` → the set named; undefined when the option is not given. */
export function parseReporters(values: string[] | undefined, usage: string): Set<Reporter> | undefined {
  if (values === undefined) return undefined;
  const names = values.flatMap((v) => v.split(',')).map((n) => n.trim()).filter(Boolean);
  for (const n of names) {
    if (!(REPORTERS as readonly string[]).includes(n)) {
      const near = didYouMean(n, REPORTERS);
      throw badInput('E_ARGS', `--reporter ${oneLine(n)} is not one of ${REPORTERS.join(', ')}`, undefined, near ? `did you mean ${near}?` : `usage: ${usage}`);
    }
  }
  if (!names.length) throw badInput('E_ARGS', '--reporter needs at least one name', undefined, `one or more of ${REPORTERS.join(', ')}`);
  return new Set(names as Reporter[]);
}

export async function runCommand(argv: string[], golden: GoldenRunOptions = {}): Promise<number> {
  const { values, positionals } = parse(argv, RUN_OPTIONS, RUN_USAGE);
  const paths = specPaths(positionals, RUN_USAGE);
  const opts = planOptions(values, RUN_USAGE);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard, RUN_USAGE);
  const limits = limitOptions(values, RUN_USAGE);
  applyImageLimits(limits);
  const reporters = parseReporters(values.reporter, RUN_USAGE);
  const reportDir = values['report-dir'] ?? 'reports';
  const resultCache = cacheOptions(values, RUN_USAGE);
  const mode = golden.goldenMode ?? 'compare';
  // Goldens live in golden/ beside the specs' working directory; mismatch images go to the reports.
  const store = openGoldenStore({ root: 'golden', outDir: reportDir });
  const stopOnInterrupt = exitOnInterrupt();
  try {
    const report = await run(paths, { ...opts, limits, shard, progress: createProgress({ quiet: values.quiet }), golden: { store, mode }, ...(values['save-maps'] && { saveMaps: values['save-maps'] }), ...(values['save-activations'] && { saveActivations: values['save-activations'] }), ...(resultCache && { resultCache }) });
    if (mode === 'bless') console.log(safeLines(formatBlessSummary(store)));
    const only = values.json || values.junit || values.html;
    const wants = (format: 'junit' | 'html') => values[format] === true || (reporters ? reporters.has(format) : !only);
    await writeReports(report, {
      dir: reportDir,
      json: true,
      junit: wants('junit'),
      html: wants('html'),
      quiet: values.quiet,
      ...(reporters && !reporters.has('console') && { stream: null }),
    });
    if (reporters?.has('github')) process.stdout.write(toGithub(report));
    return report.exitCode;
  } catch (e) {
    // No report for this run: a green report left from an earlier one would tell CI it passed.
    removeStaleReports(reportDir);
    if (reporters?.has('github') && isNeurogateError(e)) {
      const issues = e instanceof SpecError ? e.issues : [{ where: e.where, message: e.message, hint: e.hint }];
      for (const i of issues) process.stdout.write(annotation({ where: i.where, title: `neurogate: ${e.code}`, message: `${i.message}${i.hint ? ` — ${i.hint}` : ''}` }));
    }
    if (e instanceof SpecError) return printSpecError(e);
    throw e;
  } finally {
    stopOnInterrupt();
  }
}

/** Deletes the report files an earlier run left in `dir`, and says so on stderr. */
export function removeStaleReports(dir: string, stream: NodeJS.WritableStream = process.stderr): string[] {
  const removed = Object.values(DEFAULT_NAMES).map((name) => path.join(dir, name)).filter((f) => {
    try {
      fs.unlinkSync(f);
      return true;
    } catch {
      return false;
    }
  });
  if (removed.length) stream.write(`neurogate: removed the reports of an earlier run (${removed.map(shownPath).join(', ')}): this run wrote none\n`);
  return removed;
}

/**
 * Ctrl-C (SIGINT) ends the run with exit 130. Reports and goldens are written synchronously and
 * atomically (temp file + rename), so by the time this handler runs any write in progress has
 * finished: the files on disk are whole, old or new, never half. Returns the uninstaller.
 */
export function exitOnInterrupt(): () => void {
  const onSigint = () => {
    process.stderr.write('\nneurogate: interrupted; no report was written for this run\n');
    process.exit(EXIT.interrupted);
  };
  process.once('SIGINT', onSigint);
  return () => process.off('SIGINT', onSigint);
}

/** Longest --timeout: a week (Node's timers overflow past 2^31 ms, about 24.8 days, and fire at once). */
export const MAX_TIMEOUT_S = 7 * 24 * 3600;

/** --allow-outside, --timeout <seconds>, --max-model-bytes <n>, --max-image-pixels <n>; the defaults for flags not given. */
export function limitOptions(values: { 'allow-outside'?: boolean; timeout?: string; 'max-model-bytes'?: string; 'max-image-pixels'?: string; 'max-save-bytes'?: string }, usage: string): RunLimits {
  const out: RunLimits = { ...DEFAULT_LIMITS, allowOutside: values['allow-outside'] === true };
  if (values.timeout !== undefined) {
    const n = Number(values.timeout);
    if (values.timeout.trim() === '' || !Number.isFinite(n) || n <= 0) throw badInput('E_ARGS', `--timeout must be a positive number of seconds, got "${values.timeout}"`, undefined, `usage: ${usage}`);
    if (n > MAX_TIMEOUT_S) throw badInput('E_ARGS', `--timeout ${values.timeout} is over the limit of ${MAX_TIMEOUT_S} s (a week)`, undefined, 'give a timeout per entry in seconds, at most a week');
    out.timeoutS = n;
  }
  const count = (flag: string, what: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n <= 0) throw badInput('E_ARGS', `${flag} must be a positive whole number of ${what}, got "${v}"`, undefined, `usage: ${usage}`);
    return n;
  };
  const modelBytes = count('--max-model-bytes', 'bytes', values['max-model-bytes']);
  if (modelBytes !== undefined) out.maxModelBytes = modelBytes;
  const imagePixels = count('--max-image-pixels', 'pixels (width × height)', values['max-image-pixels']);
  if (imagePixels !== undefined) out.maxImagePixels = imagePixels;
  const saveBytes = count('--max-save-bytes', 'bytes', values['max-save-bytes']);
  if (saveBytes !== undefined) out.maxSaveBytes = saveBytes;
  return out;
}

/** `--cache <dir>` and its cap `--cache-max-bytes <n>` (which alone is refused: it would do nothing). */
export function cacheOptions(values: { cache?: string; 'cache-max-bytes'?: string }, usage: string): { dir: string; maxBytes?: number } | undefined {
  const cap = values['cache-max-bytes'];
  if (values.cache === undefined) {
    if (cap !== undefined) throw badInput('E_ARGS', '--cache-max-bytes needs --cache <dir>', undefined, `usage: ${usage}`);
    return undefined;
  }
  if (values.cache.trim() === '') throw badInput('E_ARGS', '--cache needs a folder', undefined, 'e.g. --cache .cache/neurogate');
  if (cap === undefined) return { dir: values.cache };
  const n = Number(cap);
  if (!/^\d+$/.test(cap) || !Number.isSafeInteger(n) || n <= 0) throw badInput('E_ARGS', `--cache-max-bytes must be a positive whole number of bytes, got "${cap}"`, undefined, `usage: ${usage}`);
  return { dir: values.cache, maxBytes: n };
}

/** Every issue as `file:line:col: message — hint` with its code frame, on stderr; exit 2. */
export function printSpecError(e: SpecError, stream: NodeJS.WritableStream = process.stderr): number {
  const n = e.issues.length;
  stream.write(`${e.report(true)}\nneurogate: ${n} problem${n === 1 ? '' : 's'} in the specs; nothing was run\n`);
  return EXIT.badInput;
}

/** Positional paths, or `specs/` when none are given and it exists. */
export function specPaths(positionals: string[], usage: string): string[] {
  if (positionals.length) return positionals;
  if (fs.existsSync('specs')) return ['specs'];
  throw badInput('E_ARGS', 'no spec files or directories given', undefined, `usage: ${usage}`);
}

export function planOptions(values: { filter?: string; device?: string; seed?: string; model?: string; baseline?: string }, usage: string): PlanOptions {
  const opts: PlanOptions = {};
  if (values.filter !== undefined) {
    try {
      opts.filter = new RegExp(values.filter);
    } catch (e) {
      throw badInput('E_ARGS', `--filter is not a valid regular expression: ${(e as Error).message}`, undefined, 'entries are matched as "suite/id"');
    }
  }
  if (values.device !== undefined) {
    if (!(DEVICES as readonly string[]).includes(values.device)) throw badInput('E_ARGS', `--device ${values.device} is not one of ${DEVICES.join(', ')}`, undefined, `usage: ${usage}`);
    opts.device = values.device as Device;
  }
  if (values.seed !== undefined) {
    const n = Number(values.seed);
    if (!/^\d+$/.test(values.seed) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1) throw badInput('E_ARGS', `--seed must be an integer 0 … 4294967295, got "${values.seed}"`, undefined, `usage: ${usage}`);
    opts.seed = n;
  }
  if (values.model !== undefined) opts.model = values.model;
  if (values.baseline !== undefined) opts.baseline = values.baseline;
  return opts;
}
