// `neurogate merge-reports <dir|files…>`: the JSON reports of a sharded run (`run --shard i/n`)
// become one JSON / JUnit / HTML report and the exit code one run would have given; exit 2 when
// they do not make up one whole plan (different plans, missing or duplicated shards, bad files).
import { readGuardedText } from '../io/guarded-fs.ts';
import path from 'node:path';
import { badInput } from '../errors.ts';
import { DEFAULT_NAMES, writeReports, type ReportOptions } from '../report/index.ts';
import { mergeReports, parseShardReport } from '../report/merge.ts';
import { findFiles } from '../util/find-files.ts';
import { parse } from './args.ts';

export const MERGE_USAGE = 'neurogate merge-reports <dir|files…> [--report-dir <dir>] [--json] [--junit] [--html] [--quiet] [--debug]';

/** A shard report is read whole into one string; reports with thumbnails stay far below this. */
const MAX_REPORT_BYTES = 256 * 2 ** 20;

export async function mergeReportsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    'report-dir': { type: 'string' },
    json: { type: 'boolean' },
    junit: { type: 'boolean' },
    html: { type: 'boolean' },
    quiet: { type: 'boolean' },
  }, MERGE_USAGE);
  if (positionals.length === 0) throw badInput('E_ARGS', 'no shard reports given', undefined, `usage: ${MERGE_USAGE}`);
  const only = values.json || values.junit || values.html;
  return mergeReportPaths(positionals, {
    dir: values['report-dir'] ?? 'reports',
    json: true,
    junit: !only || values.junit === true,
    html: !only || values.html === true,
    quiet: values.quiet,
  });
}

/** Reads the shard reports named by files and folders, writes the merged reports, returns the exit code one run would have given. */
export async function mergeReportPaths(paths: readonly string[], out: ReportOptions): Promise<number> {
  const files = reportFiles(paths);
  // Shards of `neurogate audit --shard i/n` leave audit-matrix.json files: those merge as one audit.
  const matrices = files.filter((f) => path.basename(f) === 'audit-matrix.json');
  if (matrices.length) {
    const { mergeAuditFiles } = await import('./audit.ts');
    return mergeAuditFiles(matrices, { dir: out.dir, html: out.html !== false, quiet: out.quiet });
  }
  // The merged report must not replace one of its own inputs (a rerun would then merge it again).
  const target = path.resolve(out.dir, typeof out.json === 'string' ? out.json : DEFAULT_NAMES.json);
  const clash = files.find((f) => path.resolve(f) === target);
  if (clash) throw badInput('E_ARGS', `the merged report would overwrite its input ${clash}`, undefined, 'write it elsewhere with --report-dir, or keep shard reports in their own folders');
  const report = mergeReports(files.map((f) => parseShardReport(readReport(f), f)));
  await writeReports(report, out);
  return report.exitCode;
}

/** Files as given; folders searched (recursively, sorted) for `.json` files. */
export function reportFiles(args: readonly string[]): string[] {
  return findFiles(args, {
    accept: /\.json$/,
    missing: { code: 'E_ARGS', hint: 'give shard report files or folders holding them' },
    none: { code: 'E_MERGE_NONE', message: 'the folder holds no .json reports', hint: 'give the folder the shard jobs\' reports were downloaded into' },
  });
}

function readReport(file: string): string {
  return readGuardedText(file, { what: 'shard report', code: 'MERGE_REPORT', maxBytes: MAX_REPORT_BYTES, missingHint: 'pass the neurogate-report.json files of the shards' });
}
