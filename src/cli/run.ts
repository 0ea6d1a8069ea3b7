// `neurogate run [files|dirs…]`: run the specs, write the reports (JSON always; JUnit and HTML
// unless only some formats are asked for), print the summary, exit 0 · 1 · 2 · 3.
import fs from 'node:fs';
import { DEVICES, type Device } from '../engine/session.ts';
import { badInput, EXIT } from '../errors.ts';
import { writeReports } from '../report/index.ts';
import { runSpecs } from '../run/index.ts';
import type { PlanOptions } from '../run/plan.ts';
import { createProgress } from '../run/progress.ts';
import { SpecError } from '../suite/issues.ts';
import { parse } from './args.ts';
import { openGoldenStore, formatBlessSummary, type GoldenRunOptions } from '../golden/index.ts';
import { parseShard } from '../run/shard.ts';
import { applyImageLimits, DEFAULT_LIMITS, type RunLimits } from '../probe/limits.ts';

export const RUN_USAGE = 'neurogate run [files|dirs…] [--filter <regex>] [--device auto|cpu|webgpu|cuda] [--seed <n>] [--model <ref>] [--baseline <ref>] [--shard i/n] [--allow-outside] [--timeout <seconds>] [--max-model-bytes <n>] [--max-image-pixels <n>] [--report-dir <dir>] [--json] [--junit] [--html] [--quiet] [--debug]';

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
  json: { type: 'boolean' },
  junit: { type: 'boolean' },
  html: { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

export async function runCommand(argv: string[], golden: GoldenRunOptions = {}): Promise<number> {
  const { values, positionals } = parse(argv, RUN_OPTIONS, RUN_USAGE);
  const paths = specPaths(positionals, RUN_USAGE);
  const opts = planOptions(values, RUN_USAGE);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard, RUN_USAGE);
  const limits = limitOptions(values, RUN_USAGE);
  applyImageLimits(limits);
  const reportDir = values['report-dir'] ?? 'reports';
  const mode = golden.goldenMode ?? 'compare';
  // Goldens live in golden/ beside the specs' working directory; mismatch images go to the reports.
  const store = openGoldenStore({ root: 'golden', outDir: reportDir });
  const stopOnInterrupt = exitOnInterrupt();
  try {
    const { report } = await runSpecs({ paths, ...opts, limits, shard, progress: createProgress({ quiet: values.quiet }), golden: { store, mode } });
    if (mode === 'bless') console.log(formatBlessSummary(store));
    const only = values.json || values.junit || values.html;
    await writeReports(report, {
      dir: reportDir,
      json: true,
      junit: !only || values.junit === true,
      html: !only || values.html === true,
      quiet: values.quiet,
    });
    return report.exitCode;
  } catch (e) {
    if (e instanceof SpecError) return printSpecError(e);
    throw e;
  } finally {
    stopOnInterrupt();
  }
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

/** --allow-outside, --timeout <seconds>, --max-model-bytes <n>, --max-image-pixels <n>; the defaults for flags not given. */
export function limitOptions(values: { 'allow-outside'?: boolean; timeout?: string; 'max-model-bytes'?: string; 'max-image-pixels'?: string }, usage: string): RunLimits {
  const out: RunLimits = { ...DEFAULT_LIMITS, allowOutside: values['allow-outside'] === true };
  if (values.timeout !== undefined) {
    const n = Number(values.timeout);
    if (values.timeout.trim() === '' || !Number.isFinite(n) || n <= 0) throw badInput('E_ARGS', `--timeout must be a positive number of seconds, got "${values.timeout}"`, undefined, `usage: ${usage}`);
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
  return out;
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
