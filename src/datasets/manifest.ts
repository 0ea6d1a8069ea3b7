// A manifest file read into rows, each keeping its line so any problem found later (a missing
// file, a box outside the image) points at `file:line`. CSV with a header, or JSON Lines.
import { issueAt, type SpecIssue } from '../suite/issues.ts';
import type { SourceText } from '../suite/source.ts';

/** Inclusive pixel box [x0, y0, x1, y1] (as VOC and the pointing game store them). */
export type Box = [number, number, number, number];

export interface ManifestRow {
  /** 1-based line in the manifest. */
  line: number;
  path: string;
  label?: number | string;
  boxes: Box[];
  mask?: string;
  tags: string[];
  difficult: boolean;
}

export const MANIFEST_COLUMNS = ['path', 'label', 'boxes', 'mask', 'tags', 'difficult'] as const;

/** An issue at one line of a manifest (the whole line underlined). */
export function lineIssue(src: SourceText, line: number, message: string, hint?: string): SpecIssue {
  const starts = [0];
  for (let i = 0; i < src.text.length; i++) if (src.text.charCodeAt(i) === 10) starts.push(i + 1);
  const start = starts[line - 1] ?? src.text.length;
  const end = (starts[line] ?? src.text.length + 1) - 1;
  return issueAt(src, start, Math.max(start + 1, end), message, hint);
}

/** Rows of a manifest, or the issues of its malformed lines. JSONL when the file ends in .jsonl/.ndjson. */
export function parseManifest(src: SourceText): { rows: ManifestRow[]; issues: SpecIssue[] } {
  const jsonl = /\.(jsonl|ndjson)$/i.test(src.abs);
  return jsonl ? parseJsonl(src) : parseCsv(src);
}

function parseJsonl(src: SourceText): { rows: ManifestRow[]; issues: SpecIssue[] } {
  const rows: ManifestRow[] = [];
  const issues: SpecIssue[] = [];
  src.text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trim();
    if (text === '') return;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      issues.push(lineIssue(src, line, `not JSON: ${(e as Error).message}`, 'one JSON object per line: {"path": "a.png", "label": "cat", "boxes": [[x0, y0, x1, y1]]}'));
      return;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      issues.push(lineIssue(src, line, 'a manifest line must be a JSON object', 'e.g. {"path": "a.png", "label": 0}'));
      return;
    }
    const o = v as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !(MANIFEST_COLUMNS as readonly string[]).includes(k));
    if (unknown.length) issues.push(lineIssue(src, line, `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`, `keys: ${MANIFEST_COLUMNS.join(', ')}`));
    const row = rowFrom(src, line, {
      path: o.path,
      label: o.label,
      boxes: o.boxes,
      mask: o.mask,
      tags: o.tags,
      difficult: o.difficult,
    }, issues);
    if (row) rows.push(row);
  });
  return { rows, issues };
}

function parseCsv(src: SourceText): { rows: ManifestRow[]; issues: SpecIssue[] } {
  const rows: ManifestRow[] = [];
  const issues: SpecIssue[] = [];
  const lines = src.text.split('\n').map((l) => l.replace(/\r$/, ''));
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) return { rows, issues: [lineIssue(src, 1, 'the manifest is empty', `start with a header line: ${MANIFEST_COLUMNS.join(',')}`)] };
  const header = splitCsv(lines[headerAt]).map((h) => h.trim().toLowerCase());
  const bad = header.filter((h) => !(MANIFEST_COLUMNS as readonly string[]).includes(h));
  if (bad.length || !header.includes('path')) {
    return { rows, issues: [lineIssue(src, headerAt + 1, bad.length ? `unknown column${bad.length > 1 ? 's' : ''} ${bad.map((b) => `"${b}"`).join(', ')}` : 'the header has no `path` column', `columns: ${MANIFEST_COLUMNS.join(', ')} (path required)`)] };
  }
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cells = splitCsv(lines[i]);
    if (cells.length !== header.length) {
      issues.push(lineIssue(src, i + 1, `${cells.length} cells, but the header has ${header.length}`, 'quote a cell holding a comma: "a, b"'));
      continue;
    }
    const o: Record<string, unknown> = {};
    header.forEach((h, k) => (o[h] = cells[k].trim()));
    const label = o.label === '' || o.label === undefined ? undefined : /^\d+$/.test(o.label as string) ? Number(o.label) : o.label;
    const boxes = o.boxes ? String(o.boxes).split(';').map((b) => b.trim().split(/[\s]+/).map(Number)) : undefined;
    const tags = o.tags ? String(o.tags).split(';').map((t) => t.trim()).filter(Boolean) : undefined;
    const difficult = o.difficult === undefined || o.difficult === '' ? undefined : o.difficult === '1' || o.difficult === 'true' ? true : o.difficult === '0' || o.difficult === 'false' ? false : o.difficult;
    const row = rowFrom(src, i + 1, { path: o.path, label, boxes, mask: o.mask || undefined, tags, difficult }, issues);
    if (row) rows.push(row);
  }
  return { rows, issues };
}

/** One CSV line into cells; double quotes group a cell, "" is a quote inside one. */
export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Field types checked; box geometry against the image is checked once the image's size is known. */
function rowFrom(src: SourceText, line: number, o: Record<string, unknown>, issues: SpecIssue[]): ManifestRow | undefined {
  const before = issues.length;
  const bad = (msg: string, hint?: string) => issues.push(lineIssue(src, line, msg, hint));
  if (typeof o.path !== 'string' || o.path === '') bad('no image path', 'every row needs `path` (relative to the manifest)');
  const label = o.label;
  if (label !== undefined && !(typeof label === 'string' && label !== '') && !(typeof label === 'number' && Number.isInteger(label) && label >= 0)) bad(`label ${JSON.stringify(label)} is neither a class index nor a name`);
  const boxes: Box[] = [];
  if (o.boxes !== undefined) {
    const list = Array.isArray(o.boxes) ? o.boxes : [o.boxes];
    for (const b of list) {
      if (!Array.isArray(b) || b.length !== 4 || !b.every((v) => typeof v === 'number' && Number.isInteger(v))) {
        bad(`bad box ${JSON.stringify(b)}: a box is four integers x0 y0 x1 y1`, 'inclusive pixel corners of the image as stored; in CSV separate boxes with `;`');
        continue;
      }
      boxes.push(b as Box);
    }
  }
  if (o.mask !== undefined && (typeof o.mask !== 'string' || o.mask === '')) bad('mask must be a file path');
  const tags = o.tags === undefined ? [] : Array.isArray(o.tags) && o.tags.every((t) => typeof t === 'string') ? (o.tags as string[]) : (bad('tags must be a list of strings'), []);
  if (o.difficult !== undefined && typeof o.difficult !== 'boolean') bad(`difficult must be true/false (or 1/0), not ${JSON.stringify(o.difficult)}`);
  if (issues.length > before) return undefined;
  return { line, path: o.path as string, label: label as number | string | undefined, boxes, mask: o.mask as string | undefined, tags, difficult: o.difficult === true };
}
