// Number and check formatting shared by the console summary, JUnit messages and the HTML report,
// so the same check reads the same everywhere ("observed 0.42, expected ≥ 0.8, baseline 0.5").
import path from 'node:path';
import type { CheckResult, EntryResult, Measurement, SuiteResult } from './model.ts';

/**
 * Up to 6 significant digits: enough that an observed 0.79996 does not print as the 0.8 it
 * failed against, few enough to read. Non-finite values are spelled out, null is a dash.
 */
export function fmtNumber(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '∞';
  if (n === -Infinity) return '−∞';
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return trimExp(n.toExponential(4));
  return trimZeros(n.toPrecision(6));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

function trimExp(s: string): string {
  const [m, e] = s.split('e');
  return `${trimZeros(m)}e${e}`;
}

export function fmtMeasurement(m: Measurement): string {
  if (m === null) return '—';
  if (typeof m === 'string') return m;
  if (typeof m === 'number') return fmtNumber(m);
  const shown = m.slice(0, 12).map((v) => (v === null ? '—' : fmtNumber(v))).join(', ');
  return `[${shown}${m.length > 12 ? `, … (${m.length} values)` : ''}]`;
}

export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms - m * 60_000) / 1000)} s`;
}

/** `observed 0.42, expected ≥ 0.8, baseline 0.5` — the heart of every failure message. */
export function checkVerdict(c: CheckResult): string {
  const parts = [`observed ${fmtNumber(c.observed)}`, `expected ${c.expectation}`];
  if (c.baseline !== undefined) parts.push(`baseline ${fmtNumber(c.baseline)}`);
  return parts.join(', ');
}

/** One line per failed check: `metric: observed …, expected … — reason (file:line:col)`. */
export function checkLine(c: CheckResult): string {
  const reason = c.reason ? ` — ${c.reason}` : '';
  const where = c.where ? ` (${c.where})` : '';
  return `${c.metric}: ${checkVerdict(c)}${reason}${where}`;
}

export type EntryStatus = 'pass' | 'fail' | 'error';

/** An entry that could not run is an error; one with a failed check fails; an entry with no checks passes. */
export function entryStatus(e: EntryResult): EntryStatus {
  if (e.error) return 'error';
  return e.checks.every((c) => c.passed) ? 'pass' : 'fail';
}

export function suiteStatus(s: SuiteResult): EntryStatus {
  const st = s.entries.map(entryStatus);
  if (st.includes('error')) return 'error';
  return st.includes('fail') ? 'fail' : 'pass';
}

/** The model hash as people compare it: the first 12 hex digits (the full hash stays in the JSON). */
export function shortHash(h: string): string {
  return h.length > 12 ? h.slice(0, 12) : h;
}

/** A path as messages show it: relative to the working directory when below it, else absolute. */
export function shownPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? path.resolve(p) : rel;
}
