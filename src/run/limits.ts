// Process-wide run limits set from the command line (--allow-outside, --timeout, --max-model-bytes,
// --max-image-pixels) and read where each one applies: spec loading, model and image loading, probes.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../io/project-root.ts';
import { DEFAULT_IMAGE_LIMITS, setImageLimits } from '../stimuli/image.ts';

export interface RunLimits {
  /** Let spec files name models and images outside their project root. */
  allowOutside: boolean;
  /** Seconds one probe task may take before it fails its entry; 0 = no limit. */
  timeoutS: number;
  /** Largest model (with external data or weight shards) that loads, in bytes; undefined = the loader's default. */
  maxModelBytes?: number;
  /** Largest image (width × height, read from its header before decoding) that loads; undefined = the image reader's default. */
  maxImagePixels?: number;
}

export const DEFAULT_LIMITS: Readonly<RunLimits> = { allowOutside: false, timeoutS: 0 };

// One run per process (the CLI), so the limits are set once before it starts; tests that change
// them restore the defaults with resetRunLimits().
let current: RunLimits = { ...DEFAULT_LIMITS };

export function runLimits(): Readonly<RunLimits> {
  return current;
}

export function setRunLimits(l: Partial<RunLimits>): void {
  current = { ...current, ...l };
  applyImageLimits();
}

export function resetRunLimits(): void {
  current = { ...DEFAULT_LIMITS };
  applyImageLimits();
}

// Images are read in many places (spec images, circuit means, goldens); the image reader keeps
// the process-wide pixel limit itself, so it is pushed there rather than passed by every caller.
function applyImageLimits(): void {
  setImageLimits({ maxPixels: current.maxImagePixels ?? DEFAULT_IMAGE_LIMITS.maxPixels });
}

/**
 * The directory a spec's file references must stay inside: the nearest ancestor of the spec
 * holding package.json or .git (the project), else the spec's own directory. A project keeps its
 * specs in one folder and its models and images in others (specs/ next to test/fixtures/), so the
 * spec's own folder alone would be too narrow; the project is what a CI checkout trusts.
 */
export function specRoot(specDir: string): string {
  return projectRoot(specDir);
}

/**
 * Whether `abs` (after following every symlink) lies inside `root`. A missing file is judged by
 * its path as written, so a later "not found" still names it.
 */
export function isInside(root: string, abs: string): boolean {
  const r = realOr(root);
  const t = realOr(abs);
  const rel = path.relative(r, t);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
