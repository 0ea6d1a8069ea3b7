// How a `reimpl:` entry becomes the reimpl probe's plain parameters on a given (trained) model: the
// layer from the catalog, units checked against it, the sweep checked, the hand-built parameters
// resolved — every problem recorded at its place in the spec before anything runs.
import { resolveLayer } from '../models/catalog.ts';
import type { ImportedModel } from '../models/types.ts';
import { isNeurogateError } from '../errors.ts';
import { expandSweep } from '../stimuli/index.ts';
import { stimulusFromSpec, type StimulusSpec } from '../suite/schema/stimulus.ts';
import type { SpecIssue } from '../suite/issues.ts';
import type { LoadedSpec } from '../suite/spec.ts';
import type { PathSegment } from '../suite/yaml.ts';
import { resolveParams, type CurveNetOverrides } from './params.ts';
import type { ReimplParams } from './probe.ts';
import type { ReimplEntry } from './schema.ts';

/** What the runner knows of the entry: its spec (only to place issues), its path there and the parsed entry. */
export interface ReimplEntryAt {
  spec: Pick<LoadedSpec, 'issue' | 'where'>;
  path: PathSegment[];
  entry: ReimplEntry;
}

export async function prepareReimpl(at: ReimplEntryAt, model: ImportedModel, issues: SpecIssue[], role = ''): Promise<ReimplParams | undefined> {
  const { spec, path: p, entry: e } = at;
  const suffix = role ? ` (${role})` : '';
  const before = issues.length;
  const record = (where: PathSegment[], err: unknown) => {
    if (!isNeurogateError(err) || err.kind !== 'bad_input') throw err;
    issues.push(spec.issue(where, `${err.message}${suffix}`, err.hint));
  };
  let layer;
  try {
    layer = await resolveLayer(model, e.layer);
  } catch (err) {
    record([...p, 'layer'], err);
    return undefined;
  }
  if (layer.shape.length !== 3) {
    issues.push(spec.issue([...p, 'layer'], `layer "${layer.name}" has shape [${layer.shape.join(', ')}]${suffix}: tuning curves need a spatial map of units`, 'pick a convolutional layer (`neurogate layers <model>`)'));
    return undefined;
  }
  const channels = layer.shape[0];
  e.units.forEach((u, i) => {
    if (u >= channels) issues.push(spec.issue([...p, 'units', i], `unit ${u} does not exist in layer "${layer.name}"${suffix}: it has ${channels} channels`, `pick a unit in 0..${channels - 1}`));
  });

  const { base, sweep } = stimulusFromSpec(e.stimulus as StimulusSpec);
  try {
    const sw = expandSweep(base, sweep);
    const axes = sw.axes.map((a) => a.param);
    const oi = axes.indexOf('orientation');
    if (oi < 0) issues.push(spec.issue([...p, 'stimulus'], 'the sweep must vary orientation over the whole circle', 'e.g. orientation: { from: 0, to: 360, step: 5 }'));
    else {
      const angles = sw.axes[oi].values as number[];
      const step = 360 / angles.length;
      const even = angles.length >= 8 && angles.every((a, i) => Math.abs(((a - angles[0] + 360) % 360) - i * step) < 1e-6);
      if (!even) issues.push(spec.issue([...p, 'stimulus'], `the orientations must tile the whole circle in even steps (at least 8), got ${angles.length} values`, 'orientation: { from: 0, to: 360, step: 5 }'));
    }
    if (axes.length > 2) issues.push(spec.issue([...p, 'stimulus'], `sweep orientation and at most one more parameter (radius), got ${axes.join(', ')}`, 'fix the other parameters to one value'));
    const other = sw.axes.find((a) => a.param !== 'orientation');
    if (other && other.values.some((v) => typeof v !== 'number')) issues.push(spec.issue([...p, 'stimulus'], `the second swept parameter (${other.param}) must be numeric`, 'sweep radius'));
  } catch (err) {
    record([...p, 'stimulus'], err);
  }

  let params;
  try {
    params = resolveParams((e.handbuilt?.params ?? {}) as CurveNetOverrides, spec.where([...p, 'handbuilt', 'params']));
  } catch (err) {
    record([...p, 'handbuilt', 'params'], err);
  }
  const handLayer = e.handbuilt?.layer ?? 'curves';
  if (params && e.handbuilt?.units) {
    const n = handLayer === 'curves' ? params.curves.orientations : params.earlyCurves.orientations;
    e.handbuilt.units.forEach((u, i) => {
      if (u >= n) issues.push(spec.issue([...p, 'handbuilt', 'units', i], `hand-built unit ${u} does not exist: ${handLayer} has ${n} units`, `pick a unit in 0..${n - 1}`));
    });
  }
  if (issues.length > before || !params) return undefined;
  return {
    trained: { layer: { name: layer.name, tensor: layer.tensor, shape: layer.shape, branches: layer.branches }, units: e.units },
    hand: { params, layer: handLayer, units: e.handbuilt?.units },
    stimulus: base,
    sweep,
    ablation: e.ablation,
    halfOf: e.half,
  };
}
