// Process-wide run limits set from the command line (--allow-outside, --timeout, --max-model-bytes,
// --max-image-pixels) and read where each one applies: spec loading, model and image loading, probes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
 * holding package.json or .git (the project); without one, the working directory when the spec
 * lies inside it (a plain folder where `neurogate init` wrote specs/ beside the model: the folder
 * it ran in is the project), never the filesystem root or the home folder; else the spec's own directory. A project keeps its
 * specs in one folder and its models and images in others (specs/ next to test/fixtures/), so the
 * spec's own folder alone would be too narrow; the project is what a CI checkout trusts.
 */
export function specRoot(specDir: string): string {
  let dir = realOr(specDir);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) || fs.existsSync(path.join(dir, '.git'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) {
      const cwd = realOr(process.cwd());
      const spec = realOr(specDir);
      const tooWide = path.dirname(cwd) === cwd || cwd === realOr(os.homedir());
      return !tooWide && isInside(cwd, spec) ? cwd : spec;
    }
    dir = up;
  }
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
