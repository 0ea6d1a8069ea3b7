// Reports from one RunReport: the JSON source of truth, JUnit XML and HTML derived from it, and
// the console summary; files are written atomically and only inside the report directory.
import type { RunReport } from './model.ts';
import { toJson } from './json.ts';
import { toJunit } from './junit.ts';
import { toHtml } from './html/page.ts';
import { formatSummary, oneLine, wantsColor } from './console.ts';
import { writeInside } from '../util/atomic.ts';
import { shownPath } from './format.ts';

export type { RunReport } from './model.ts';
export { toJson, stripVolatile, stableJson, parseReport } from './json.ts';
export { toJunit } from './junit.ts';
export { toHtml } from './html/page.ts';
export { formatSummary, wantsColor } from './console.ts';
export { resolveInside, writeFileAtomic, writeInside } from '../util/atomic.ts';

export const DEFAULT_NAMES = { json: 'neurogate-report.json', junit: 'junit.xml', html: 'report.html' } as const;

export interface ReportOptions {
  /** The report directory; every file lands inside it. */
  dir: string;
  /**
   * Per format: `false` = not written; `true` or left out = the default name; a string = a path
   * relative to `dir` (no `..`). JSON is the source of truth, so leaving it out still writes it.
   */
  json?: boolean | string;
  junit?: boolean | string;
  html?: boolean | string;
  /** Console: only failing entries and the final counts, and no list of written files. */
  quiet?: boolean;
  /** Where the console summary goes (default stdout); `null` prints nothing. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean } | null;
}

export interface WrittenReports {
  json?: string;
  junit?: string;
  html?: string;
}

function nameFor(choice: boolean | string | undefined, fallback: string): string | null {
  if (choice === false) return null;
  return typeof choice === 'string' ? choice : fallback;
}

/** Writes the chosen formats (each atomically), prints the console summary, returns absolute paths. */
export async function writeReports(report: RunReport, opts: ReportOptions): Promise<WrittenReports> {
  const written: WrittenReports = {};
  const plan: [keyof WrittenReports, string | null, (r: RunReport) => string][] = [
    ['json', nameFor(opts.json, DEFAULT_NAMES.json), toJson],
    ['junit', nameFor(opts.junit, DEFAULT_NAMES.junit), toJunit],
    ['html', nameFor(opts.html, DEFAULT_NAMES.html), toHtml],
  ];
  // The summary first: a report folder that cannot be written (read-only, full disk) must not
  // hide which checks failed.
  const stream = opts.stream === undefined ? process.stdout : opts.stream;
  if (stream) stream.write(formatSummary(report, { color: wantsColor(stream), quiet: opts.quiet }));
  for (const [kind, name, render] of plan) {
    if (name !== null) written[kind] = writeInside(opts.dir, name, render(report), `${kind} report`);
  }
  if (stream && !opts.quiet) stream.write(Object.values(written).map((f) => `report: ${oneLine(shownPath(f))}\n`).join(''));
  return written;
}
