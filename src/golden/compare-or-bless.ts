// The one place a measured value meets its golden: compare (never writes) or bless (writes a
// new or changed golden). Returns a check record for the report, so goldens read like any other check.
import path from 'node:path';
import { badInput } from '../errors.ts';
import type { Artifact, CheckResult } from '../probe/measurement.ts';
import { fmtNumber, shownPath } from '../report/format.ts';
import { writeInside } from '../util/atomic.ts';
import type { RgbImage } from '../stimuli/image.ts';
import { compareNumeric, type NumericComparison, type Numbers } from './numeric.ts';
import { checkTolerance, type Tolerance } from './tolerance.ts';
import { compareImages, decodePngRgba, encodePngRgba, resolveImageTolerance, rgbToRgba, type ImageTolerance, type RgbaImage } from './image.ts';
import {
  formatNumericGolden, goldenDisplayPath, goldenRelPath, parseNumericGolden, readGoldenBytes, writeGoldenBytes,
  type GoldenKey, type GoldenStore,
} from './store.ts';

export type GoldenMode = 'compare' | 'bless';

/** What `neurogate bless` hands the runner (`runCommand(argv, opts)`); `run` leaves it out (compare). */
export interface GoldenRunOptions {
  goldenMode?: GoldenMode;
}

export interface GoldenResult {
  /** match/mismatch/missing in compare mode; blessed (written) or kept (already within tolerance) in bless mode. */
  status: 'match' | 'mismatch' | 'missing' | 'blessed' | 'kept';
  passed: boolean;
  /** The golden file, root included (`golden/suite/entry/name.cpu.json`). */
  file: string;
  /** A check record for the entry's `checks`; the runner may set `where` to the expectation's place. */
  check: CheckResult;
  /** Golden, actual and diff images for the HTML report when an image golden does not match. */
  artifacts: Artifact[];
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command that records this golden: `--filter` is matched against `<suite>/<entry>`. */
export function blessHint(key: GoldenKey): string {
  const re = `^${escapeRegex(key.suite)}/${escapeRegex(key.entry)}$`;
  return `npx neurogate bless --filter ${shellQuote(re)}`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function missingReason(store: GoldenStore, file: string, key: GoldenKey): string {
  const ci = store.ci ? ' CI=true never writes goldens:' : '';
  return `no golden at ${file}.${ci} record it with \`${blessHint(key)}\` on a developer machine, review the file and commit it`;
}

function refuseBlessInCI(store: GoldenStore, file: string): void {
  if (store.ci) {
    throw badInput('E_GOLDEN_CI', 'bless refuses to write goldens when CI is set', file, 'run `npx neurogate bless` locally (without CI=true) and commit the golden folder');
  }
}

// ---- numbers ------------------------------------------------------------------------------------

function numericReason(c: NumericComparison): string {
  if (c.sizeMismatch) return `size differs: actual has ${c.sizeMismatch.actual} values, golden ${c.sizeMismatch.expected}`;
  if (!c.worst) return 'no values to compare';
  const w = c.worst;
  const at = c.count > 1 ? ` [${w.index}]` : '';
  const detail = `actual ${fmtNumber(w.actual)} vs golden ${fmtNumber(w.expected)}, |Δ| ${fmtNumber(w.absDiff)} ${c.passed ? '≤' : '>'} allowed ${fmtNumber(w.allowed)}`;
  if (c.passed) return `${c.count} value${c.count === 1 ? '' : 's'} match; closest to the limit${at}: ${detail}`;
  const count = c.count > 1 ? `${c.mismatches} of ${c.count} values differ; worst${at}: ` : '';
  return `${count}${detail}`;
}

function numericCheck(key: GoldenKey, file: string, tol: Tolerance, c: NumericComparison | null, passed: boolean, reason: string): CheckResult {
  const observed = c?.worst && Number.isFinite(c.worst.absDiff) ? c.worst.absDiff : null;
  return {
    metric: `golden ${key.name}`,
    expectation: `matches ${file} (|Δ| ≤ ${fmtNumber(tol.atol)} + ${fmtNumber(tol.rtol)}·|golden|${tol.nanEqual ? ', NaN = NaN' : ''})`,
    threshold: { golden: file, atol: tol.atol, rtol: tol.rtol, nanEqual: tol.nanEqual === true },
    observed,
    passed,
    reason,
  };
}

/**
 * Compare `actual` with its golden, or (mode `bless`) record it. Bless leaves a golden that still
 * matches untouched (no churn from noise) and rewrites one that does not. Throws E_GOLDEN_CI
 * when asked to bless under CI.
 */
export function compareOrBless(store: GoldenStore, key: GoldenKey, actual: Numbers, tolerance: Tolerance, mode: GoldenMode): GoldenResult {
  checkTolerance(tolerance);
  const file = goldenDisplayPath(store, key, 'json');
  const bytes = readGoldenBytes(store, key, 'json');
  const golden = bytes === null ? null : parseNumericGolden(bytes.toString('utf8'), file);
  const cmp = golden === null ? null : compareNumeric(actual, golden.value, tolerance);
  const result = (status: GoldenResult['status'], passed: boolean, reason: string): GoldenResult => ({
    status, passed, file, check: numericCheck(key, file, tolerance, cmp, passed, reason), artifacts: [],
  });

  if (mode === 'bless') {
    refuseBlessInCI(store, file);
    if (cmp?.passed) return result('kept', true, `golden kept: ${numericReason(cmp)}`);
    writeGoldenBytes(store, key, 'json', formatNumericGolden(key, actual));
    return result('blessed', true, cmp ? `golden updated (was: ${numericReason(cmp)})` : 'golden recorded');
  }
  if (!cmp) return result('missing', false, missingReason(store, file, key));
  return result(cmp.passed ? 'match' : 'mismatch', cmp.passed, numericReason(cmp));
}

// ---- images -------------------------------------------------------------------------------------

function toRgba(img: RgbImage | RgbaImage | Uint8Array, where: string): RgbaImage {
  if (img instanceof Uint8Array) return decodePngRgba(img, where);
  return img.data instanceof Uint8Array ? (img as RgbaImage) : rgbToRgba(img as RgbImage);
}

function imageArtifact(name: string, caption: string, img: RgbaImage): Artifact {
  return { type: 'image', name, caption, pngBase64: encodePngRgba(img).toString('base64'), width: img.width, height: img.height };
}

function pct(r: number): string {
  return `${fmtNumber(Math.round(r * 1e6) / 1e4)}%`;
}

/**
 * The image counterpart of `compareOrBless`. On a mismatch the actual image and `…diff.png` are
 * written next to each other under `store.outDir/golden/…` (the report folder, never the store)
 * and returned as artifacts with the golden for the HTML report.
 */
export function compareOrBlessImage(store: GoldenStore, key: GoldenKey, actual: RgbImage | RgbaImage | Uint8Array, tolerance: ImageTolerance, mode: GoldenMode): GoldenResult {
  const tol = resolveImageTolerance(tolerance);
  const file = goldenDisplayPath(store, key, 'png');
  const act = toRgba(actual, `actual image for ${file}`);
  const bytes = readGoldenBytes(store, key, 'png');
  const golden = bytes === null ? null : decodePngRgba(bytes, file);
  const cmp = golden === null ? null : compareImages(act, golden, tol);
  const check = (passed: boolean, reason: string): CheckResult => ({
    metric: `golden ${key.name}`,
    expectation: `≤ ${pct(tol.maxDiffRatio)} of pixels differ from ${file} (pixelmatch threshold ${tol.threshold})`,
    threshold: { golden: file, threshold: tol.threshold, maxDiffRatio: tol.maxDiffRatio, includeAA: tol.includeAA },
    observed: cmp ? cmp.diffRatio : null,
    passed,
    reason,
  });
  const describe = () => {
    if (!cmp) return '';
    if (cmp.sizeMismatch) return `size differs: actual ${cmp.sizeMismatch.actual.join('×')}, golden ${cmp.sizeMismatch.expected.join('×')}`;
    return `${cmp.diffPixels} of ${cmp.width * cmp.height} pixels differ (${pct(cmp.diffRatio)})`;
  };

  if (mode === 'bless') {
    refuseBlessInCI(store, file);
    if (cmp?.passed) return { status: 'kept', passed: true, file, check: check(true, `golden kept: ${describe()}`), artifacts: [] };
    writeGoldenBytes(store, key, 'png', encodePngRgba(act));
    return { status: 'blessed', passed: true, file, check: check(true, cmp ? `golden updated (was: ${describe()})` : 'golden recorded'), artifacts: [] };
  }
  if (!cmp || !golden) return { status: 'missing', passed: false, file, check: check(false, missingReason(store, file, key)), artifacts: [imageArtifact(`${key.name} (actual)`, 'no golden yet', act)] };
  if (cmp.passed) return { status: 'match', passed: true, file, check: check(true, describe()), artifacts: [] };

  const artifacts = [imageArtifact(`${key.name} (golden)`, file, golden), imageArtifact(`${key.name} (actual)`, 'this run', act)];
  let written = '';
  if (cmp.diff) artifacts.push(imageArtifact(`${key.name} (diff)`, tol.includeAA ? 'differing pixels in red' : 'differing pixels in red, anti-aliasing (not counted) in yellow', cmp.diff));
  if (store.outDir) {
    const stem = goldenRelPath(key, 'png').replace(/\.png$/, '');
    const actualFile = writeInside(store.outDir, path.posix.join('golden', `${stem}.actual.png`), encodePngRgba(act), 'actual image');
    if (cmp.diff) writeInside(store.outDir, path.posix.join('golden', `${stem}.diff.png`), encodePngRgba(cmp.diff), 'diff image');
    written = `; actual and diff images in ${shownPath(path.dirname(actualFile))}`;
  }
  return { status: 'mismatch', passed: false, file, check: check(false, `${describe()} > ${pct(tol.maxDiffRatio)} allowed${written}`), artifacts };
}
