// The golden store: committed reference values under golden/<suite>/<entry>/<name>[.<device>].json|png.
// Reads anywhere, writes only inside its root, atomically, and never when CI is set.
import fs from 'node:fs';
import path from 'node:path';
import { badInput, NeurogateError } from '../errors.ts';
import { writeInside } from '../util/atomic.ts';
import { readGuarded, realPath } from '../io/guarded-fs.ts';
import { imageLimits } from '../stimuli/image.ts';

export interface GoldenStore {
  /** The committed golden folder (default `golden`). */
  root: string;
  /** Where actual and diff images of failed image goldens go (the report folder); none when absent. */
  outDir?: string;
  /** Under CI nothing is ever written to the store. */
  ci: boolean;
  /** Files written by bless in this run, relative to root (for the bless summary). */
  written: string[];
  /** Those of `written` that did not exist before: untracked, so `git diff` does not show them. */
  created: string[];
}

export interface GoldenKey {
  suite: string;
  entry: string;
  name: string;
  /** The engine, for results that differ by engine; left out for engine-independent goldens. */
  device?: string;
  /** The spec file the golden's check is written in, for the command that records it (not part of the file name). */
  spec?: string;
}

/** CI=true (and any other non-empty value but `false`/`0`), as Jest and Vitest read it. */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

export function openGoldenStore(opts: { root?: string; outDir?: string; ci?: boolean } = {}): GoldenStore {
  return { root: opts.root ?? 'golden', outDir: opts.outDir, ci: opts.ci ?? isCI(), written: [], created: [] };
}

/** Engines a golden can be keyed by (the concrete devices of src/engine/session.ts). */
export const GOLDEN_DEVICES = ['cpu', 'webgpu', 'cuda'] as const;
const DEVICE_SUFFIX = new RegExp(`\\.(${GOLDEN_DEVICES.join('|')})$`);

/**
 * One path component from an id: letters, digits, `_ - .` stay (ids stay readable), anything
 * else becomes `~XX` per UTF-8 byte, so distinct ids never share a file and none can climb out
 * (`/`, `\` and a leading `.` are encoded).
 */
export function encodeComponent(s: string, what: string): string {
  if (s === '') throw badInput('E_GOLDEN_KEY', `golden ${what} is empty`, undefined, 'give suites, entries and goldens non-empty names');
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) || (c === '.' && out !== '') ? c : `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length > 120) throw badInput('E_GOLDEN_KEY', `golden ${what} "${s.slice(0, 40)}…" is too long for a file name`, undefined, 'use a shorter id (≤ 100 plain characters)');
  return out;
}

/** `<suite>/<entry>/<name>[.<device>].<ext>`, relative to the store root. */
export function goldenRelPath(key: GoldenKey, ext: 'json' | 'png'): string {
  // A device-free name ending in `.cpu` would share a file with the cpu golden of its stem.
  if (DEVICE_SUFFIX.test(key.name)) throw badInput('E_GOLDEN_KEY', `golden name "${key.name}" ends in a device name`, undefined, 'rename it; the device is added to the file name when needed');
  if (key.device !== undefined && !(GOLDEN_DEVICES as readonly string[]).includes(key.device)) {
    throw badInput('E_GOLDEN_KEY', `golden device "${key.device}" is not one of ${GOLDEN_DEVICES.join(', ')}`, undefined, 'key goldens by the device that ran (report.device.used), never by "auto"');
  }
  const dev = key.device === undefined ? '' : `.${key.device}`;
  return path.posix.join(encodeComponent(key.suite, 'suite'), encodeComponent(key.entry, 'entry'), `${encodeComponent(key.name, 'name')}${dev}.${ext}`);
}

/** The file a golden lives in, as the user sees it (root joined, for messages). */
export function goldenDisplayPath(store: GoldenStore, key: GoldenKey, ext: 'json' | 'png'): string {
  return path.join(store.root, goldenRelPath(key, ext));
}

/** Numeric goldens are one number a line: 16 MiB is millions of values. */
const MAX_GOLDEN_JSON_BYTES = 16 * 2 ** 20;

/**
 * A golden's bytes, or null when there is none. It must be a regular file inside the store (a
 * link out of it, a FIFO or a device is refused, never read), of bounded size.
 */
export function readGoldenBytes(store: GoldenStore, key: GoldenKey, ext: 'json' | 'png'): Buffer | null {
  const file = path.join(store.root, goldenRelPath(key, ext));
  if (realPath(file) === undefined) {
    // A dangling link is not "no golden": someone put it there.
    if (isLink(file)) throw badInput('E_GOLDEN_NOT_FILE', 'golden is a symbolic link to nothing', file, 'remove the link and bless the golden again');
    return null;
  }
  return readGuarded(file, {
    what: 'golden', code: 'GOLDEN', root: store.root, maxBytes: ext === 'json' ? MAX_GOLDEN_JSON_BYTES : imageLimits().maxBytes,
  });
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

export function writeGoldenBytes(store: GoldenStore, key: GoldenKey, ext: 'json' | 'png', data: string | Uint8Array): string {
  if (store.ci) {
    throw new NeurogateError('goldens are never written when CI is set', {
      code: 'E_GOLDEN_CI',
      where: goldenDisplayPath(store, key, ext),
      hint: 'run `npx neurogate bless` on a developer machine and commit the golden folder',
    });
  }
  const rel = goldenRelPath(key, ext);
  const existed = fs.existsSync(path.join(store.root, rel));
  writeInside(store.root, rel, data, 'golden');
  store.written.push(rel);
  if (!existed) store.created.push(rel);
  return rel;
}

// ---- numeric golden files -----------------------------------------------------------------------

export interface NumericGolden {
  value: number | number[];
}

const FORMAT = 1;

/** JSON cannot hold NaN or ±Infinity; goldens must, so they are written as strings. */
function encodeNumber(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return Object.is(v, -0) ? 0 : v;
}

function decodeNumber(v: unknown, where: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  throw badInput('E_GOLDEN_FORMAT', `golden holds ${v === null ? 'null' : Array.isArray(v) ? 'a list' : `a ${typeof v}`} where a number belongs`, where, 'bless it again with `npx neurogate bless`');
}

/**
 * One number per line: a changed element shows as a one-line diff in review. No timestamps,
 * so blessing an unchanged result leaves the file byte-identical.
 */
export function formatNumericGolden(key: GoldenKey, value: number | ArrayLike<number>): string {
  const head = { neurogateGolden: FORMAT, suite: key.suite, entry: key.entry, name: key.name, ...(key.device ? { device: key.device } : {}) };
  const lines = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const body = typeof value === 'number'
    ? `  "value": ${JSON.stringify(encodeNumber(value))}`
    : value.length === 0
      ? '  "value": []'
      : `  "value": [\n${Array.from(value, (v) => `    ${JSON.stringify(encodeNumber(v))}`).join(',\n')}\n  ]`;
  return `{\n${lines.join('\n')}\n${body}\n}\n`;
}

export function parseNumericGolden(text: string, where: string): NumericGolden {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the offending bytes; a golden from a hostile branch must not reach the log.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw badInput('E_GOLDEN_FORMAT', `golden is not valid JSON${at ? ` (at byte ${at})` : ''}`, where, 'restore it from git or bless it again');
  }
  const o = v as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || o.neurogateGolden !== FORMAT || !('value' in o)) {
    throw badInput('E_GOLDEN_FORMAT', `not a neurogate golden (format ${FORMAT})`, where, 'restore it from git or bless it again');
  }
  const value = Array.isArray(o.value) ? o.value.map((x) => decodeNumber(x, where)) : decodeNumber(o.value, where);
  return { value };
}

/**
 * What bless did, for the end of its output: new files and changed files listed apart, because
 * `git diff` shows only the changed ones — new goldens are untracked until `git add`.
 */
export function formatBlessSummary(store: GoldenStore): string {
  if (store.written.length === 0) return 'bless: no golden changed\n';
  const list = (files: string[]) => files.map((f) => `  ${path.join(store.root, f)}\n`).join('');
  const plural = (n: number) => `${n} golden${n === 1 ? '' : 's'}`;
  const changed = store.written.filter((f) => !store.created.includes(f));
  let out = '';
  if (store.created.length) out += `bless: ${plural(store.created.length)} new — untracked, so \`git diff\` does not show them: review each file, then \`git add ${store.root}\` and commit:\n${list(store.created)}`;
  if (changed.length) out += `bless: ${plural(changed.length)} updated — review with \`git diff ${store.root}\` and commit:\n${list(changed)}`;
  return out;
}
