// Spec errors as values: each issue is a place (`file:line:col` + code frame), a message and a
// hint; a SpecError carries all issues of a load so users fix a file in one pass, not ten.
import { closest, distance } from 'fastest-levenshtein';
import { NeurogateError } from '../errors.ts';
import { codeFrame, whereAt, type SourceText } from './source.ts';

export interface SpecIssue {
  /** `file:line:col`. */
  where: string;
  message: string;
  hint?: string;
  /** The offending source line with a caret, when the text is at hand. */
  frame?: string;
}

export class SpecError extends NeurogateError {
  readonly issues: SpecIssue[];

  constructor(issues: SpecIssue[], code = 'E_SPEC') {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(`${first.message}${more}`, { code, kind: 'bad_input', where: first.where, hint: first.hint });
    this.name = 'SpecError';
    this.issues = issues;
  }

  /** Every issue as `file:line:col: message — hint`, each followed by its code frame when `frames`. */
  report(frames = true): string {
    return this.issues.map((i) => formatIssue(i, frames)).join('\n');
  }
}

export function formatIssue(i: SpecIssue, frame = true): string {
  const head = `${i.where}: ${i.message}${i.hint ? ` — ${i.hint}` : ''}`;
  return frame && i.frame ? `${head}\n${i.frame}` : head;
}

/** One place, one message: the same problem met twice (a shared image, a union's branches) is told once. */
export function dedupeIssues(issues: readonly SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.where}|${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** An issue at a source offset span. */
export function issueAt(src: SourceText, start: number, end: number, message: string, hint?: string): SpecIssue {
  return { where: whereAt(src, start), message, hint, frame: codeFrame(src, start, end) };
}

/** "did you mean …" for a misspelt name, or undefined when nothing is close enough to guess. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || word.length === 0) return undefined;
  const best = closest(word, candidates as string[]);
  // A guess further away than about a third of the word is noise, not help.
  const limit = Math.max(2, Math.ceil(word.length / 3));
  return distance(word, best) <= limit ? best : undefined;
}

/** A short, safe rendering of a user value inside a message (long strings cut, unicode kept). */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

/** The YAML-facing name of a JS value's type (what the user wrote, not what JS calls it). */
export function yamlType(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN (.nan)';
    if (!Number.isFinite(v)) return 'infinity (.inf)';
    return Number.isInteger(v) ? 'an integer' : 'a number';
  }
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}
