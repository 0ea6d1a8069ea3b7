// From a parsed `neurons:` entry (after the runner resolved its layer and decoded its images) to
// the plain parameters of the tuning and feature-visualization probes. No YAML here: the runner
// calls these with values it has already validated and resolved.
import type { LayerInfo } from '../../models/catalog.ts';
import type { StimulusInput, SweepSpec } from '../../stimuli/index.ts';
import type { RgbImage } from '../../stimuli/image.ts';
import type { FeatureVizParams } from './featureviz-probe.ts';
import { ATLAS_DEFAULTS } from './atlas.ts';
import type { FeatureVizSpec, TuningSpec } from './schema.ts';
import type { TuningParams } from './tuning-probe.ts';

export interface EntryBasics {
  layer: LayerInfo;
  units: readonly number[];
  position?: 'center' | readonly [number, number];
  reduce?: 'max' | 'mean';
}

/** `stimulus` is stimulusFromSpec(entry.stimulus); `images` the decoded `tuning.reference.images`. */
export function tuningParamsFrom(e: EntryBasics, stimulus: { base: StimulusInput; sweep: SweepSpec }, t: TuningSpec, images?: readonly { label: string; image: RgbImage }[]): TuningParams {
  return {
    layer: { name: e.layer.name, tensor: e.layer.tensor, shape: e.layer.shape, branches: e.layer.branches },
    units: e.units,
    stimulus: stimulus.base,
    sweep: stimulus.sweep,
    position: e.position,
    reduce: e.reduce,
    reference: { clutter: t.reference?.clutter, images },
    scanTop: t.scan_top,
    halfOf: t.half,
  };
}

/** `direction` is the spec's inline vector or the one its file held (the runner read and checked it). */
export function featureVizParamsFrom(e: EntryBasics, f: FeatureVizSpec, direction?: readonly number[]): FeatureVizParams {
  return {
    layer: e.layer,
    units: e.units,
    targets: f.targets,
    steps: f.steps,
    size: f.size,
    lr: f.lr,
    transforms: f.transforms,
    fourier: f.fourier,
    decorrelate: f.decorrelate,
    preActivation: f.pre_activation,
    l1: f.l1,
    tv: f.tv,
    objective: f.objective,
    position: Array.isArray(e.position) ? (e.position as readonly [number, number]) : undefined,
    direction,
    negative: f.negative,
    batch: f.diversity?.batch,
    diversity: f.diversity?.weight,
    atlas: f.atlas && {
      scenes: f.atlas.scenes ?? ATLAS_DEFAULTS.scenes,
      top: f.atlas.top ?? ATLAS_DEFAULTS.top,
      quantile: f.atlas.quantile ?? ATLAS_DEFAULTS.quantile,
    },
  };
}
