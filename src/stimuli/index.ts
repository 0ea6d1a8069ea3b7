// Public face of the stimuli: deterministic, anti-aliased renderers (curve, line, angle, circle,
// grating/Gabor, blank, seeded clutter), sweeps over their parameters, labels and PNG output.
//
//   const img = renderStimulus({ kind: 'curve', orientation: 90, radius: 20 }, { width: 224, height: 224 });
//   const { items } = expandSweep({ kind: 'curve', width: 5 }, { orientation: { from: 0, to: 360, step: 5 }, radius: [20, 35] });
//   fs.writeFileSync('curve.png', encodePng(img));
// Conventions (angles, placement, polarity): see types.ts.
export type {
  Stimulus, StimulusInput, StimulusKind, StimulusOf, Color, Polarity, Clutter, RenderOptions,
  CurveStimulus, LineStimulus, AngleStimulus, CircleStimulus, GratingStimulus, BlankStimulus,
} from './types.ts';
export { PARAMS, CLUTTER_PARAMS, KINDS, POLARITIES, resolveStimulus, paramInfo, describeRange, type ParamInfo, type NumberParam } from './params.ts';
export { renderStimulus, renderStimulusInto, renderCoverage, type CoverageMap } from './render.ts';
export { expandSweep, sweepSize, countSweep, rangeCount, isRange, MAX_SWEEP, type Sweep, type SweepAxis, type SweepItem, type SweepSpec, type Range } from './sweep.ts';
export { describeStimulus, stimulusSlug } from './describe.ts';
export { toRgb, paintColors, type Rgb } from './color.ts';
export { encodePng, type RgbImage } from './image.ts';
export { makeRng, type Rng } from '../util/rng.ts';

import type { StimulusKind, StimulusOf } from './types.ts';
import { resolveStimulus } from './params.ts';

/** Every parameter of a kind at its default value. */
export function defaults<K extends StimulusKind>(kind: K): StimulusOf<K> {
  return resolveStimulus({ kind } as never) as StimulusOf<K>;
}
