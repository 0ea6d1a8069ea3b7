// fast-check generators of stroke stimuli that fit, with margin, inside a disc of `fit` px around
// the placement point (so no image border clips them and the properties compare whole shapes).
import fc from 'fast-check';
import type { StimulusInput } from '../../src/stimuli/index.ts';

const deg = fc.double({ min: 0, max: 360, noNaN: true });

/**
 * A curve, line or angle (all have an orientation) whose ink stays within `fit` px of the placement
 * point, each at least 2 px long (below that a round cap's curvature inside one pixel dominates).
 */
export function orientedStroke(fit: number): fc.Arbitrary<StimulusInput> {
  const w = fc.double({ min: 0.5, max: Math.min(8, fit / 4), noNaN: true });
  const curve = fc.record({ r: fc.double({ min: 4, max: fit / 2.5, noNaN: true }), span: fc.double({ min: 10, max: 300, noNaN: true }), w, o: deg })
    .filter(({ r, span }) => (r * span * Math.PI) / 180 >= 2) // at least 2 px of arc: a sub-pixel dot is not a curve
    .map(({ r, span, w, o }): StimulusInput => ({ kind: 'curve', radius: r, span, width: w, orientation: o }));
  const line = fc.record({ l: fc.double({ min: 2, max: fit * 1.6, noNaN: true }), w, o: deg })
    .map(({ l, w, o }): StimulusInput => ({ kind: 'line', length: l, width: w, orientation: o }));
  const angle = fc.record({ l: fc.double({ min: 2, max: fit * 0.8, noNaN: true }), op: fc.double({ min: 0, max: 360, noNaN: true }), w, o: deg })
    .map(({ l, op, w, o }): StimulusInput => ({ kind: 'angle', length: l, opening: op, width: w, orientation: o }));
  return fc.oneof(curve, line, angle);
}

/**
 * A Gabor patch whose envelope has faded below 1e-4 at `fit` px (sigma ≤ fit / 4.3) and is at least
 * 4 px wide (the envelope is sampled at pixel centres, which is exact only when it barely changes
 * across one pixel).
 */
export function gabor(fit: number): fc.Arbitrary<StimulusInput> {
  return fc.record({ f: fc.double({ min: 0.01, max: 0.25, noNaN: true }), s: fc.double({ min: 4, max: fit / 4.3, noNaN: true }), ph: deg, o: deg })
    .map(({ f, s, ph, o }): StimulusInput => ({ kind: 'grating', frequency: f, sigma: s, phase: ph, orientation: o }));
}

/** Sum of a coverage map: the ink, in px². */
export function ink(data: Float32Array): number {
  let s = 0;
  for (const v of data) s += v;
  return s;
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
