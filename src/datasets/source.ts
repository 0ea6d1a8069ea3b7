// An `images:` source resolved to dataset items: each image's file (or generated pixels), its class
// label, boxes, ground-truth mask and tags. Every problem is found here, before any model loads:
// spec problems at the spec's line, manifest problems at the manifest's line.
import fs from 'node:fs';
import path from 'node:path';
import type { Tensor } from '../engine/tensor.ts';
import { isNeurogateError } from '../errors.ts';
import { readGuardedText } from '../io/guarded-fs.ts';

import { readImage, type RgbImage } from '../stimuli/image.ts';
import { SHAPE_CLASSES, shapeScene } from '../stimuli/scenes.ts';
import { didYouMean, type SpecIssue } from '../suite/issues.ts';
import { outsideIssue, specRoot } from '../suite/paths.ts';
import { sourceText, type SourceText } from '../suite/source.ts';
import type { LoadedSpec } from '../suite/spec.ts';
import type { PathSegment } from '../suite/yaml.ts';
import { makeRng } from '../util/rng.ts';
import { imageSize } from './image-size.ts';
import { lineIssue, parseManifest, type Box } from './manifest.ts';
import type { ImagesSpec, SampleSpec } from './schema.ts';
import { globToRegExp, walkImages } from './walk.ts';
import { noteFolder } from '../io/reads.ts';

/** A manifest is a list of rows: 256 MiB holds millions of them; more is a mistake or an attack. */
const MAX_MANIFEST_BYTES = 256 * 2 ** 20;

export interface DatasetItem {
  /** How reports name the image: its path relative to the spec (or the manifest), or `scene 3`. */
  name: string;
  /** The file to decode, absolute; absent for generated images. */
  abs?: string;
  /** A generated image: its pixels and exact mask, made when asked (a source of 10,000 scenes holds none). */
  generate?: () => { image: RgbImage; mask: Tensor };
  /** Class index or name, as the source gives it. */
  label?: number | string;
  /** Inclusive boxes of the labelled object, in the image's own pixels. */
  boxes: Box[];
  /** Ground-truth mask file (absolute); a generated scene brings its exact mask instead. */
  maskFile?: string;
  tags: string[];
  difficult: boolean;
  /** `manifest.csv:12` for rows of a manifest. */
  where?: string;
}

export interface Resolved {
  items: DatasetItem[];
  issues: SpecIssue[];
  /** Class names the source itself brings (scenes: disk, square, triangle). */
  labels?: readonly string[];
}

/** Every item of a source (sampled when asked), with every problem found; `labels` checks label names. */
export function resolveImages(spec: LoadedSpec, at: PathSegment[], src: ImagesSpec, labels?: readonly string[]): Resolved {
  if (Array.isArray(src)) {
    return { items: src.map((f) => ({ name: f, abs: path.resolve(spec.dir, f), boxes: [], tags: [], difficult: false })), issues: [] };
  }
  let r: Resolved;
  if ('folder' in src) r = fromFolder(spec, [...at, 'folder'], src.folder, src.recursive ?? true);
  else if ('glob' in src) r = fromGlob(spec, [...at, 'glob'], src.glob);
  else if ('manifest' in src) r = fromManifest(spec, [...at, 'manifest'], src.manifest, labels);
  else r = fromScenes(src.scenes);
  if (src.sample) r.items = sampleOf(r.items, src.sample);
  return r;
}

/** A seeded subset of n items, kept in source order (the same for the same seed and source). */
export function sampleOf<T>(items: readonly T[], s: SampleSpec): T[] {
  if (s.n >= items.length) return [...items];
  const rng = makeRng(s.seed ?? 0);
  const idx = items.map((_, i) => i);
  // Partial Fisher–Yates: the first n places hold a uniform n-subset.
  for (let i = 0; i < s.n; i++) {
    const j = i + Math.floor(rng() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, s.n).sort((a, b) => a - b).map((i) => items[i]);
}

function fromFolder(spec: LoadedSpec, at: PathSegment[], folder: string, recursive: boolean): Resolved {
  const abs = path.resolve(spec.dir, folder);
  const outside = outsideIssue(spec, at, abs, 'folder');
  if (outside) return { items: [], issues: [outside] };
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) return { items: [], issues: [spec.issue(at, `folder not found: ${abs}`, `paths resolve relative to the spec file (${spec.src.file})`)] };
  const files = walkImages(abs, recursive);
  if (files.length === 0) return { items: [], issues: [spec.issue(at, `no PNG or JPEG image in ${abs}`, 'put .png / .jpg / .jpeg files there, or name another folder')] };
  return { items: files.map((f) => ({ name: path.relative(spec.dir, f), abs: f, boxes: [], tags: [], difficult: false })), issues: [] };
}

function fromGlob(spec: LoadedSpec, at: PathSegment[], pattern: string): Resolved {
  // The walk starts at the pattern's fixed leading folders, so `images/**/*.png` never reads the whole project.
  const parts = pattern.split('/');
  let fixed = 0;
  while (fixed < parts.length - 1 && !/[*?{[]/.test(parts[fixed])) fixed++;
  const base = path.resolve(spec.dir, parts.slice(0, fixed).join('/') || '.');
  const outside = outsideIssue(spec, at, base, 'glob');
  if (outside) return { items: [], issues: [outside] };
  const re = globToRegExp(parts.slice(fixed).join('/'));
  noteFolder(base); // even when missing: creating it later changes what the pattern matches
  const files = fs.existsSync(base) && fs.statSync(base).isDirectory() ? walkImages(base, true).filter((f) => re.test(path.relative(base, f).split(path.sep).join('/'))) : [];
  if (files.length === 0) return { items: [], issues: [spec.issue(at, `no PNG or JPEG image matches ${pattern}`, `patterns resolve relative to the spec file (${spec.src.file}); \`**\` matches any folders`)] };
  return { items: files.map((f) => ({ name: path.relative(spec.dir, f), abs: f, boxes: [], tags: [], difficult: false })), issues: [] };
}

function fromScenes(s: { n: number; seed?: number; size?: number }): Resolved {
  const items: DatasetItem[] = [];
  for (let i = 0; i < s.n; i++) {
    // One stream per scene: scene i is the same whatever n is. Its label and box are read now,
    // its pixels made again when a probe reaches it.
    const make = () => shapeScene(makeRng(((s.seed ?? 0) * 100_003 + i) >>> 0), s.size ?? 224);
    const sc = make();
    const generate = () => {
      const g = make();
      const [, , H, W] = g.input.dims;
      const hw = H * W;
      const data = new Float32Array(hw * 3);
      for (let c = 0; c < 3; c++) for (let k = 0; k < hw; k++) data[k * 3 + c] = g.input.data[c * hw + k] * 255;
      return { image: { width: W, height: H, data }, mask: g.mask };
    };
    items.push({ name: `scene ${i}`, generate, label: SHAPE_CLASSES[sc.label], boxes: [sc.box], tags: [], difficult: false });
  }
  return { items, issues: [], labels: SHAPE_CLASSES };
}

function fromManifest(spec: LoadedSpec, at: PathSegment[], file: string, labels?: readonly string[]): Resolved {
  const abs = path.resolve(spec.dir, file);
  const outside = outsideIssue(spec, at, abs, 'manifest');
  if (outside) return { items: [], issues: [outside] };
  let text: string;
  try {
    text = readGuardedText(abs, { what: 'manifest', code: 'MANIFEST', maxBytes: MAX_MANIFEST_BYTES, root: specRoot(spec.dir), allowOutside: spec.allowOutside, missingHint: `paths resolve relative to the spec file (${spec.src.file})` });
  } catch (e) {
    if (!isNeurogateError(e)) throw e;
    return { items: [], issues: [spec.issue(at, e.message, e.hint)] };
  }
  const src = sourceText(abs, text.replace(/^\uFEFF/, ''));
  const { rows, issues } = parseManifest(src);
  const dir = path.dirname(abs);
  const items: DatasetItem[] = [];
  for (const row of rows) {
    const before = issues.length;
    const bad = (msg: string, hint?: string) => issues.push(lineIssue(src, row.line, msg, hint));
    const img = path.resolve(dir, row.path);
    const size = fileSize(spec, src, row.line, img, 'image', issues);
    if (row.label !== undefined && labels) {
      if (typeof row.label === 'number' && row.label >= labels.length) bad(`label ${row.label} is not a class: there are ${labels.length} (0..${labels.length - 1})`);
      if (typeof row.label === 'string' && !labels.includes(row.label)) {
        const guess = didYouMean(row.label, labels);
        bad(`label "${row.label}" is not in \`labels:\``, guess ? `did you mean "${guess}"?` : `labels: ${labels.slice(0, 20).join(', ')}${labels.length > 20 ? ', …' : ''}`);
      }
    }
    if (size) {
      for (const b of row.boxes) {
        const [x0, y0, x1, y1] = b;
        if (x0 < 0 || y0 < 0 || x0 > x1 || y0 > y1 || x1 >= size.width || y1 >= size.height) {
          bad(`bad box [${b.join(', ')}]: corners must satisfy 0 ≤ x0 ≤ x1 < ${size.width} and 0 ≤ y0 ≤ y1 < ${size.height} (the image's size)`, 'boxes are inclusive pixel corners x0 y0 x1 y1 of the image as stored');
        }
      }
    }
    let maskFile: string | undefined;
    if (row.mask !== undefined) {
      maskFile = path.resolve(dir, row.mask);
      const ms = fileSize(spec, src, row.line, maskFile, 'mask', issues);
      if (ms && size && (ms.width !== size.width || ms.height !== size.height)) {
        bad(`mask ${row.mask} is ${ms.width}×${ms.height} but its image is ${size.width}×${size.height}`, 'a segmentation mask has its image’s size');
      }
    }
    if (issues.length > before) continue;
    items.push({ name: row.path, abs: img, label: row.label, boxes: row.boxes, maskFile, tags: row.tags, difficult: row.difficult, where: `${src.file}:${row.line}` });
  }
  if (rows.length === 0 && issues.length === 0) issues.push(lineIssue(src, 1, 'the manifest lists no image', 'one row per image'));
  return { items, issues };
}

/** An image file's width and height (from its header when it can), or an issue at the manifest line. */
export function fileSize(spec: LoadedSpec, src: SourceText, line: number, abs: string, what: string, issues: SpecIssue[]): { width: number; height: number } | undefined {
  const outside = outsideIssue(spec, [], abs, what);
  if (outside) {
    issues.push(lineIssue(src, line, outside.message, outside.hint));
    return undefined;
  }
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) {
    issues.push(lineIssue(src, line, `${what} file not found: ${path.relative(path.dirname(src.abs), abs)}`, 'paths in a manifest resolve relative to the manifest'));
    return undefined;
  }
  try {
    return imageSize(abs, { root: specRoot(spec.dir), allowOutside: spec.allowOutside }) ?? readImage(abs);
  } catch (e) {
    if (!isNeurogateError(e)) throw e;
    issues.push(lineIssue(src, line, e.message, e.hint));
    return undefined;
  }
}
