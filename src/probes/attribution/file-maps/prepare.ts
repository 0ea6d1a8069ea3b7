// Preparing a `file` method entry: each image's map is read and checked before any model runs, and
// metrics that would re-run the method (on a noisy input, a randomised model) are refused: a map
// from a file cannot be recomputed, and measuring the same file twice would pass without meaning.
import path from 'node:path';
import { isNeurogateError } from '../../../errors.ts';
import { specRoot } from '../../../suite/paths.ts';
import type { SpecIssue } from '../../../suite/issues.ts';
import type { LoadedSpec } from '../../../suite/spec.ts';
import type { PathSegment } from '../../../suite/yaml.ts';
import type { MaskImage, MaskImages } from '../dataset.ts';
import { isImageStream } from '../../../datasets/stream.ts';
import { maskMetrics } from '../metrics/index.ts';
import { measuredBy, type MaskEntry } from '../schema.ts';
import { mapPath, readFileMap } from './file-method.ts';
import { commandArgv, COMMAND_PLACEHOLDERS, unknownPlaceholders } from './command-method.ts';

/**
 * Reads every listed image's map into `images[i].map`; problems become issues (exit 2) naming the
 * file. A streamed source (folder, glob, manifest, scenes) gets its maps as each image is decoded,
 * so 10,000 maps are never held at once: the first is read now (a wrong template or shape stops the
 * run before any model runs), the rest fail their entry, naming the file, when the run reaches them.
 */
export function loadFileMaps(spec: LoadedSpec, p: PathSegment[], entry: MaskEntry, options: Record<string, unknown>, images: MaskImages, inputDims: readonly [number, number, number], issues: SpecIssue[], suffix = ''): MaskImages {
  const block = entry.method.file;
  const at = typeof block === 'string' ? [...p, 'method', 'file'] : [...p, 'method', 'file', 'path'];
  refuseRerunning(spec, p, entry, issues, 'a map read from a file cannot be recomputed', suffix);
  const template = String(options.path);
  const read = (img: MaskImage, i: number) => readFileMap(path.resolve(spec.dir, mapPath(template, img.label, i)), inputDims, { resize: options.resize === true, root: specRoot(spec.dir), allowOutside: spec.allowOutside });
  const attach = (img: MaskImage, i: number): boolean => {
    try {
      img.map = read(img, i);
      return true;
    } catch (err) {
      if (!isNeurogateError(err) || err.kind !== 'bad_input') throw err;
      issues.push(spec.issue(at, `${err.where ? `${err.where}: ` : ''}${err.message}${suffix}`, err.hint));
      // One unknown placeholder is wrong for every image: say it once.
      return err.code !== 'E_MAP_TEMPLATE';
    }
  };
  if (isImageStream(images)) {
    // An undecodable first image is the run's to report (it fails the entry at that file), not a map problem.
    let first: MaskImage | undefined;
    try {
      first = images.length > 0 ? images.load(0) : undefined;
    } catch {
      first = undefined;
    }
    if (first) attach(first, 0);
    return { length: images.length, offset: images.offset, load: (i) => {
      const img = images.load(i);
      img.map = read(img, i);
      return img;
    } };
  }
  for (const [i, img] of images.entries()) if (!attach(img, i)) break;
  return images;
}

/**
 * Metrics that re-run the method on another input or model are refused for maps made outside the
 * gate (a file, a user's command): the outside program never sees the changed model, so the metric
 * would compare a map with itself and pass without meaning.
 */
export function refuseRerunning(spec: LoadedSpec, p: PathSegment[], entry: MaskEntry, issues: SpecIssue[], why: string, suffix = ''): void {
  for (const d of maskMetrics()) {
    const asked = measuredBy(entry)[d.key];
    if (asked !== undefined && asked !== false && d.needs.includes('method')) {
      issues.push(spec.issue([...p, entry.properties?.[d.key] !== undefined ? 'properties' : 'measure', d.key], `\`${d.key}\` re-runs the method on another input or model, and ${why}${suffix}`, 'measure it on the method itself, or drop it here: every metric that reads the map (deletion, insertion, pointing, complexity …) works on outside maps'));
    }
  }
}

/** A `command` method at preparation: placeholders checked, rerunning metrics refused, the spec's directory as the command's. */
export function prepareCommand(spec: LoadedSpec, p: PathSegment[], entry: MaskEntry, options: Record<string, unknown>, issues: SpecIssue[], suffix = ''): void {
  refuseRerunning(spec, p, entry, issues, 'the command cannot be handed a changed model', suffix);
  const block = entry.method.command;
  const at = typeof block === 'object' && !Array.isArray(block) ? [...p, 'method', 'command', 'command'] : [...p, 'method', 'command'];
  const argv = commandArgv(options.command as string[] | string);
  if (argv.length === 0) issues.push(spec.issue(at, `the command is empty${suffix}`, 'give the program and its arguments'));
  const unknown = unknownPlaceholders(argv);
  if (unknown.length) issues.push(spec.issue(at, `unknown placeholder ${unknown.join(', ')} in the command${suffix}`, `use ${Object.keys(COMMAND_PLACEHOLDERS).map((k) => `{${k}}`).join(', ')}`));
  if (!argv.some((a) => a.includes('{out}'))) issues.push(spec.issue(at, `the command is given no {out}${suffix}: it cannot know where to write the map`, 'pass "{out}" as an argument and write the map there'));
  options.cwd = spec.dir;
}
