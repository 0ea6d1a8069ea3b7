// How a `neurons` entry becomes its probe's plain parameters on a given model: the layer from the
// catalog, units and position checked against its shape, images decoded or rendered; entries with
// `tuning:` or `featureviz:` become the tuning or feature-visualization probe's parameters.
import path from 'node:path';
import { resolveLayer } from '../../models/catalog.ts';
import { rgbOnly } from '../../models/preprocess.ts';
import type { ImportedModel } from '../../models/types.ts';
import { isNeurogateError } from '../../errors.ts';
import { describeStimulus, expandSweep, renderStimulus } from '../../stimuli/index.ts';
import { stimulusFromSpec, type StimulusSpec } from '../../suite/schema/stimulus.ts';
import type { ActivationParams } from './activation.ts';
import { featureVizParamsFrom, tuningParamsFrom } from './from-spec.ts';
import type { TuningParams } from './tuning-probe.ts';
import type { FeatureVizParams } from './featureviz-probe.ts';
import type { SpecIssue } from '../../suite/issues.ts';
import type { RgbImage } from '../../stimuli/image.ts';
import type { EntryToPrepare, ImageSource } from '../../probe/kind.ts';
import type { NeuronEntry } from './entry-schema.ts';
import { entryDataset } from '../../datasets/entry.ts';
import { namedImageStream } from '../../datasets/decode.ts';
import { readGuardedText } from '../../io/guarded-fs.ts';
import { specRoot } from '../../suite/paths.ts';
import type { LoadedSpec } from '../../suite/spec.ts';


export async function prepareNeuron(pe: EntryToPrepare<NeuronEntry>, model: ImportedModel, images: ImageSource, issues: SpecIssue[], role = '', policy: { allowOutside?: boolean } = {}): Promise<ActivationParams | TuningParams | FeatureVizParams | undefined> {
  const { spec, at } = pe;
  const e = at.entry;
  const p = at.path;
  const suffix = role ? ` (${role})` : '';
  const before = issues.length;
  let layer;
  try {
    layer = await resolveLayer(model, e.layer);
  } catch (err) {
    if (!isNeurogateError(err) || err.kind !== 'bad_input') throw err;
    issues.push(spec.issue([...p, 'layer'], `${err.message}${suffix}`, err.hint));
    return undefined;
  }
  const shape = layer.shape;
  const channels = shape[0] ?? 0;
  const units = e.units ?? [e.unit!];
  units.forEach((u, i) => {
    if (u >= channels) {
      const up = e.units ? [...p, 'units', i] : [...p, 'unit'];
      issues.push(spec.issue(up, `unit ${u} does not exist in layer "${layer.name}"${suffix}: it has ${channels} channels`, `pick a unit in 0..${channels - 1}`));
    }
  });
  if (Array.isArray(e.position)) {
    const [y, x] = e.position;
    if (shape.length < 3) issues.push(spec.issue([...p, 'position'], `layer "${layer.name}" has no spatial grid (shape [${shape.join(', ')}])${suffix}`, 'remove `position:` — each unit is one value'));
    else if (y >= shape[1] || x >= shape[2]) {
      issues.push(spec.issue([...p, 'position'], `position [${y}, ${x}] is outside the ${shape[1]}×${shape[2]} map of layer "${layer.name}"${suffix}`, `use y < ${shape[1]} and x < ${shape[2]}, or "center"`));
    }
  }
  if (issues.length > before) return undefined;
  const basics = { layer, units, position: e.position, reduce: e.reduce };
  if (e.featureviz) {
    const rgb = rgbOnly(model, 'feature visualization (its colour decorrelation and image parameterisation)');
    if (rgb) issues.push(spec.issue([...p, 'featureviz'], rgb.message, rgb.hint));
    const dir = e.featureviz.direction === undefined ? undefined : directionVector(e.featureviz.direction, spec, channels, layer.name, (message, hint) => issues.push(spec.issue([...p, 'featureviz', 'direction'], `${message}${suffix}`, hint)));
    if (issues.length > before) return undefined;
    return featureVizParamsFrom(basics, e.featureviz, dir);
  }
  if (e.tuning) {
    let stimulus;
    try {
      stimulus = stimulusFromSpec(e.stimulus as StimulusSpec);
      expandSweep(stimulus.base, stimulus.sweep); // refuses bad sweeps here, with the spec's place
    } catch (err) {
      if (!isNeurogateError(err) || err.kind !== 'bad_input') throw err;
      issues.push(spec.issue([...p, 'stimulus'], err.message, err.hint));
      return undefined;
    }
    const refs = e.tuning.reference?.images?.map((img, i) => ({ label: img, image: images(path.resolve(spec.dir, img), [...p, 'tuning', 'reference', 'images', i]) }));
    if (refs?.some((r) => !r.image)) return undefined;
    return tuningParamsFrom(basics, stimulus, e.tuning, refs?.map((r) => ({ label: r.label, image: r.image! })));
  }
  if (e.images && !Array.isArray(e.images)) {
    // A dataset source streams: nothing is decoded now.
    const stream = namedImageStream(spec, entryDataset(spec, p, e), images, policy, pe.part);
    if (!stream) return undefined;
    return { layer: { name: layer.name, tensor: layer.tensor, shape: layer.shape }, units, images: stream, position: e.position, reduce: e.reduce, noise: e.noise, top: e.top };
  }
  const list = e.images as string[] | undefined;
  const decoded = e.stimulus
    ? renderInputs(e.stimulus as StimulusSpec, model, (message, hint) => issues.push(spec.issue([...p, 'stimulus'], message, hint)))
    : (list ?? [e.image!]).map((img, i) => ({ label: img, image: images(path.resolve(spec.dir, img), list ? [...p, 'images', i] : [...p, 'image']) }));
  if (issues.length > before || decoded.some((d) => !d.image)) return undefined;
  return {
    layer: { name: layer.name, tensor: layer.tensor, shape: layer.shape },
    units,
    images: decoded.map((d) => ({ label: d.label, image: d.image! })),
    position: e.position,
    reduce: e.reduce,
    noise: e.noise,
  };
}

/** At most this many rendered stimuli per entry: each is a full model-sized image in memory. */
export const MAX_STIMULI = 1000;

/**
 * A `stimulus:` block rendered at the model's input size (so the placement point is the input's
 * centre), one image per sweep item, labelled by the swept parameters.
 */
function renderInputs(stim: StimulusSpec, model: ImportedModel, fail: (message: string, hint?: string) => void): { label: string; image: RgbImage | undefined }[] {
  try {
    const { base, sweep } = stimulusFromSpec(stim);
    const sw = expandSweep(base, sweep);
    if (sw.items.length > MAX_STIMULI) {
      fail(`the stimulus sweep has ${sw.items.length} items, over the limit of ${MAX_STIMULI} per entry`, 'sweep fewer values (a coarser step) or split the entry');
      return [];
    }
    const size = { width: model.preprocess.width, height: model.preprocess.height };
    const swept = sw.axes.map((a) => a.param);
    return sw.items.map((item) => ({
      label: describeStimulus(item.stimulus, swept.length ? swept : undefined),
      image: renderStimulus(item.stimulus, size),
    }));
  } catch (e) {
    if (!isNeurogateError(e) || e.kind !== 'bad_input') throw e;
    fail(e.message, e.hint);
    return [];
  }
}

/** A direction is one number per channel: a few thousand channels fit in well under this. */
const MAX_DIRECTION_BYTES = 16 * 2 ** 20;

/**
 * A featureviz `direction:` as numbers, one per channel of the layer: inline, or read from a JSON
 * file holding an array or `{ "vector": [...] }`. Every problem is reported at the key.
 */
function directionVector(given: readonly number[] | string, spec: LoadedSpec, channels: number, layer: string, fail: (message: string, hint?: string) => void): number[] | undefined {
  let v: unknown = given;
  if (typeof given === 'string') {
    const file = path.resolve(spec.dir, given);
    let text: string;
    try {
      // Through the guarded opener: inside the project, bounded, and seen by `--cache`'s read log.
      text = readGuardedText(file, { what: 'direction file', code: 'DIRECTION', maxBytes: MAX_DIRECTION_BYTES, root: specRoot(spec.dir), allowOutside: spec.allowOutside, missingHint: 'the path is relative to the spec' });
    } catch (err) {
      if (!isNeurogateError(err)) throw err;
      fail(`cannot read the direction file "${given}": ${err.message}`, err.hint ?? `the path is relative to the spec (${file})`);
      return undefined;
    }
    try {
      v = JSON.parse(text);
    } catch (err) {
      fail(`the direction file "${given}" is not JSON: ${(err as Error).message}`, 'write an array of numbers, one per channel, or { "vector": [...] }');
      return undefined;
    }
    if (v && typeof v === 'object' && !Array.isArray(v)) v = (v as { vector?: unknown }).vector;
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    fail('the direction must be an array of finite numbers', 'one value per channel of the layer, or { "vector": [...] } in a JSON file');
    return undefined;
  }
  if (v.length !== channels) {
    fail(`the direction has ${v.length} values, layer "${layer}" has ${channels} channels`, `give one value per channel (${channels})`);
    return undefined;
  }
  if (!v.some((x) => x !== 0)) {
    fail('the direction is all zeros: there is nothing to maximize', 'give a vector with at least one non-zero value');
    return undefined;
  }
  return v as number[];
}
