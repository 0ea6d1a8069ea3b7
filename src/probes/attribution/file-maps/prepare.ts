// Preparing a `file` method entry: each image's map is read and checked before any model runs, and
// metrics that would re-run the method (on a noisy input, a randomised model) are refused: a map
// from a file cannot be recomputed, and measuring the same file twice would pass without meaning.
import path from 'node:path';
import { isNeurogateError } from '../../../errors.ts';
import { specRoot } from '../../../suite/paths.ts';
import type { SpecIssue } from '../../../suite/issues.ts';
import type { LoadedSpec } from '../../../suite/spec.ts';
import type { PathSegment } from '../../../suite/yaml.ts';
import type { MaskImage } from '../dataset.ts';
import { maskMetrics } from '../metrics/index.ts';
import type { MaskEntry } from '../schema.ts';
import { mapPath, readFileMap } from './file-method.ts';

/** Reads every image's map into `images[i].map`; problems become issues (exit 2) naming the file. */
export function loadFileMaps(spec: LoadedSpec, p: PathSegment[], entry: MaskEntry, options: Record<string, unknown>, images: MaskImage[], inputDims: readonly [number, number, number], issues: SpecIssue[], suffix = ''): void {
  const block = entry.method.file;
  const at = typeof block === 'string' ? [...p, 'method', 'file'] : [...p, 'method', 'file', 'path'];
  for (const d of maskMetrics()) {
    const asked = entry.measure?.[d.key];
    if (asked !== undefined && asked !== false && d.needs.includes('method')) {
      issues.push(spec.issue([...p, 'measure', d.key], `\`${d.key}\` re-runs the method on another input or model, and a map read from a file cannot be recomputed${suffix}`, 'measure it on the method itself, or drop it here: every metric that reads the map (deletion, insertion, pointing, complexity …) works on file maps'));
    }
  }
  const template = String(options.path);
  for (const [i, img] of images.entries()) {
    try {
      const abs = path.resolve(spec.dir, mapPath(template, img.label, i));
      img.map = readFileMap(abs, inputDims, { resize: options.resize === true, root: specRoot(spec.dir), allowOutside: spec.allowOutside });
    } catch (err) {
      if (!isNeurogateError(err) || err.kind !== 'bad_input') throw err;
      issues.push(spec.issue(at, `${err.where ? `${err.where}: ` : ''}${err.message}${suffix}`, err.hint));
      // One unknown placeholder is wrong for every image: say it once.
      if (err.code === 'E_MAP_TEMPLATE') return;
    }
  }
}
