// A spec file's text with what every message needs: offset → line:col, `file:line:col`, and a
// code frame (the offending line with a caret), so each error points at the exact spot.
import path from 'node:path';
import { LineCounter } from 'yaml';

export interface SourceText {
  /** Path as shown to users: relative to the working directory when inside it. */
  file: string;
  /** Absolute path; relative paths in the spec resolve from its directory. */
  abs: string;
  text: string;
  lines: LineCounter;
}

export function sourceText(file: string, text: string): SourceText {
  const abs = path.resolve(file);
  const lines = new LineCounter();
  // LineCounter is filled by the YAML lexer; filling it here keeps positions usable even for
  // text that never reaches the parser (a file over the size limit, say).
  lines.addNewLine(0);
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines.addNewLine(i + 1);
  return { file: displayPath(abs), abs, text, lines };
}

export function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

export interface LineCol {
  line: number;
  col: number;
}

export function lineCol(src: SourceText, offset: number): LineCol {
  const o = Math.max(0, Math.min(offset, src.text.length));
  return src.lines.linePos(o);
}

/** `file:line:col` — the form editors and CI annotators turn into a link. */
export function whereAt(src: SourceText, offset: number): string {
  const { line, col } = lineCol(src, offset);
  return `${src.file}:${line}:${col}`;
}

/**
 * The line holding `offset` (and the one before it, for context) with a caret under the span.
 * Long lines are cut around the span so the frame stays readable.
 */
export function codeFrame(src: SourceText, offset: number, end = offset + 1): string {
  const { line, col } = lineCol(src, offset);
  const all = src.text.split('\n');
  const width = String(line).length;
  const out: string[] = [];
  const show = (n: number, text: string, mark: boolean) => `${mark ? '>' : ' '} ${String(n).padStart(width)} | ${text}`;
  const clip = (s: string, from: number) => (s.length > 100 ? `${from > 0 ? '…' : ''}${s.slice(from, from + 100)}${from + 100 < s.length ? '…' : ''}` : s);
  const cur = (all[line - 1] ?? '').replace(/\r$/, '');
  const from = cur.length > 100 ? Math.max(0, col - 50) : 0;
  if (line > 1) {
    const prev = (all[line - 2] ?? '').replace(/\r$/, '');
    out.push(show(line - 1, clip(prev, 0), false));
  }
  out.push(show(line, clip(cur, from), true));
  const spanEnd = lineCol(src, end);
  const len = spanEnd.line === line ? Math.max(1, spanEnd.col - col) : Math.max(1, cur.length - col + 1);
  const lead = col - 1 - from + (from > 0 ? 1 : 0);
  out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, lead))}${'^'.repeat(Math.min(len, 80))}`);
  return out.join('\n');
}
