// Hand-built units against trained units on the same stimulus sweep (orientation × radius): how
// alike their tuning is, and which trained unit each hand-built one corresponds to.
//
// No comparison metric was published for the clean-room curve network; these are neurogate's:
// - similarity: Pearson correlation of the two orientation tuning curves (each at its own best
//   radius) as measured, without shifting — alike in shape AND orientation. The one-to-one matching
//   maximizes its total (Hungarian algorithm), so every hand-built unit gets a distinct partner.
// - aligned correlation / lag: the circular cross-correlation's maximum and where it is: shape
//   alone, whatever the orientation offset. lag > 0 means the trained curve is the hand-built one
//   turned counter-clockwise by lag degrees.
// - peak distance (circular, degrees), FWHM ratio (hand ÷ trained), echo of each (tuning.ts),
//   radius correlation: Pearson correlation of the peak response per radius (the radius profile).
import { badInput } from '../errors.ts';
import type { Artifact } from '../probe/measurement.ts';
import { circularDistance, signedDelta, wrap360 } from '../probes/neuron/angles.ts';
import { tuning2d, type TuningMetrics, type TuningOptions } from '../probes/neuron/tuning.ts';
import { pearson } from '../probes/attribution/metrics/spearman.ts';
import { maxSimilarityMatching } from './hungarian.ts';

/** One unit's responses over the sweep: responses[r][a] at radii[r] and angles[a] (shared by all units compared). */
export interface TuningSurface {
  /** How the report names the unit, e.g. `curves 3` or `mixed2 79`. */
  label: string;
  unit: number;
  responses: readonly (readonly number[])[];
  /** The orientation the unit was built for (hand-built units). */
  designedDeg?: number;
}

export interface UnitSummary {
  label: string;
  unit: number;
  designedDeg?: number;
  /** Tuning metrics at the unit's best radius. */
  tuning: TuningMetrics;
  bestRadius: number;
  /** Orientation tuning curve at the best radius (angles sorted ascending). */
  curve: number[];
  /** Peak response per radius. */
  profile: number[];
}

export interface PairComparison {
  hand: number;
  trained: number;
  handLabel: string;
  trainedLabel: string;
  similarity: number;
  alignedCorrelation: number;
  lagDeg: number;
  peakHandDeg: number;
  peakTrainedDeg: number;
  peakDistanceDeg: number;
  fwhmHandDeg: number | null;
  fwhmTrainedDeg: number | null;
  fwhmRatio: number | null;
  echoHand: number | null;
  echoTrained: number | null;
  radiusCorrelation: number | null;
}

export interface Comparison {
  /** Swept orientations, ascending, evenly spaced over the full circle. */
  angles: number[];
  radii: number[];
  hand: UnitSummary[];
  trained: UnitSummary[];
  /** similarity[h][t] for hand-built unit h and trained unit t (indices into `hand` and `trained`). */
  similarity: number[][];
  /** Matched pairs, in hand-built order: min(#hand, #trained) of them. */
  pairs: PairComparison[];
  unmatchedHand: string[];
  unmatchedTrained: string[];
}

/**
 * Pearson correlation of `a` turned by each lag with `b`: r[l] = corr(a[i − l], b[i]) over a full,
 * evenly sampled circle (index arithmetic wraps).
 */
export function circularCrossCorrelation(a: readonly number[], b: readonly number[]): number[] {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`circularCrossCorrelation: lengths ${n} and ${b.length} differ`);
  const shifted = new Float64Array(n);
  return Array.from({ length: n }, (_, l) => {
    for (let i = 0; i < n; i++) shifted[i] = a[(i - l + n) % n];
    return pearson(shifted, b);
  });
}

/** The best lag (degrees, signed, in (−180, 180]) and the correlation there. */
export function bestAlignment(a: readonly number[], b: readonly number[], stepDeg: number): { lagDeg: number; correlation: number } {
  const r = circularCrossCorrelation(a, b);
  let best = 0;
  for (let l = 1; l < r.length; l++) if (r[l] > r[best]) best = l;
  return { lagDeg: signedDelta(0, best * stepDeg), correlation: r[best] };
}

/** Sort the sweep's angles and check they tile the circle evenly (circular correlation needs it). */
function evenCircle(angles: readonly number[], where: string): { order: number[]; sorted: number[]; step: number } {
  const order = angles.map((_, i) => i).sort((i, j) => wrap360(angles[i]) - wrap360(angles[j]));
  const sorted = order.map((i) => wrap360(angles[i]));
  const n = sorted.length;
  const step = 360 / n;
  const even = n >= 8 && sorted.every((a, i) => Math.abs(a - sorted[0] - i * step) < 1e-6);
  if (!even) {
    throw badInput('E_REIMPL_SWEEP', `comparing tuning curves needs orientations evenly spaced over the whole circle (at least 8), got ${n} angles`, where,
      'sweep orientation: { from: 0, to: 360, step: 5 }');
  }
  return { order, sorted, step };
}

function summarize(s: TuningSurface, angles: readonly number[], radii: readonly number[], order: readonly number[], opts: TuningOptions): UnitSummary {
  if (s.responses.length !== radii.length || s.responses.some((row) => row.length !== angles.length)) {
    throw new RangeError(`compare: unit ${s.label} has responses [${s.responses.length}×${s.responses[0]?.length}], the sweep is [${radii.length}×${angles.length}]`);
  }
  const t = tuning2d(angles, radii, s.responses, opts);
  return {
    label: s.label,
    unit: s.unit,
    ...(s.designedDeg !== undefined ? { designedDeg: s.designedDeg } : {}),
    tuning: t.best,
    bestRadius: t.best.radius,
    curve: order.map((i) => s.responses[t.bestRadiusIndex][i]),
    profile: t.radiusProfile.map((r) => r.peak),
  };
}

function profileCorrelation(a: readonly number[], b: readonly number[]): number | null {
  const varies = (v: readonly number[]) => v.some((x) => Math.abs(x - v[0]) > 1e-12 * (1 + Math.abs(v[0])));
  return a.length >= 2 && varies(a) && varies(b) ? pearson(a, b) : null;
}

export function compareTunings(
  hand: readonly TuningSurface[], trained: readonly TuningSurface[], angles: readonly number[], radii: readonly number[],
  opts: TuningOptions & { where?: string } = {},
): Comparison {
  const where = opts.where ?? 'reimpl';
  if (hand.length === 0 || trained.length === 0) throw badInput('E_REIMPL_UNITS', 'nothing to compare: give at least one hand-built and one trained unit', where);
  const { order, sorted, step } = evenCircle(angles, where);
  const h = hand.map((s) => summarize(s, angles, radii, order, opts));
  const t = trained.map((s) => summarize(s, angles, radii, order, opts));
  const similarity = h.map((a) => t.map((b) => pearson(a.curve, b.curve)));
  const matching = maxSimilarityMatching(similarity);
  const pairs = matching.map(([i, j]): PairComparison => {
    const a = h[i];
    const b = t[j];
    const al = bestAlignment(a.curve, b.curve, step);
    const fr = a.tuning.fwhmDeg !== null && b.tuning.fwhmDeg !== null && b.tuning.fwhmDeg > 0 ? a.tuning.fwhmDeg / b.tuning.fwhmDeg : null;
    return {
      hand: a.unit,
      trained: b.unit,
      handLabel: a.label,
      trainedLabel: b.label,
      similarity: similarity[i][j],
      alignedCorrelation: al.correlation,
      lagDeg: al.lagDeg,
      peakHandDeg: a.tuning.peakDeg,
      peakTrainedDeg: b.tuning.peakDeg,
      peakDistanceDeg: circularDistance(a.tuning.peakDeg, b.tuning.peakDeg),
      fwhmHandDeg: a.tuning.fwhmDeg,
      fwhmTrainedDeg: b.tuning.fwhmDeg,
      fwhmRatio: fr,
      echoHand: a.tuning.echo,
      echoTrained: b.tuning.echo,
      radiusCorrelation: profileCorrelation(a.profile, b.profile),
    };
  });
  const usedH = new Set(matching.map(([i]) => i));
  const usedT = new Set(matching.map(([, j]) => j));
  return {
    angles: sorted,
    radii: [...radii],
    hand: h,
    trained: t,
    similarity,
    pairs,
    unmatchedHand: h.filter((_, i) => !usedH.has(i)).map((x) => x.label),
    unmatchedTrained: t.filter((_, j) => !usedT.has(j)).map((x) => x.label),
  };
}

const r4 = (v: number | null | undefined, d = 3): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toFixed(d)));

/** The report's view: a table of matched pairs and one polar plot per pair with both curves (each ÷ its own peak). */
export function comparisonArtifacts(c: Comparison, prefix = 'match'): Artifact[] {
  const table: Artifact = {
    type: 'table',
    name: `${prefix}-table`,
    caption: `hand-built ↔ trained units, one-to-one (Hungarian on the tuning-curve correlation); lag > 0: the trained curve is the hand-built one turned counter-clockwise${c.unmatchedTrained.length ? `; unmatched trained: ${c.unmatchedTrained.join(', ')}` : ''}${c.unmatchedHand.length ? `; unmatched hand-built: ${c.unmatchedHand.join(', ')}` : ''}`,
    columns: ['hand-built', 'designed°', 'trained', 'similarity', 'aligned r', 'lag°', 'peak° hand', 'peak° trained', 'peak distance°', 'FWHM° hand', 'FWHM° trained', 'FWHM ratio', 'echo hand', 'echo trained', 'radius r', 'best radius hand', 'best radius trained'],
    rows: c.pairs.map((p) => {
      const a = c.hand.find((x) => x.label === p.handLabel)!;
      const b = c.trained.find((x) => x.label === p.trainedLabel)!;
      return [p.handLabel, r4(a.designedDeg, 1), p.trainedLabel, r4(p.similarity), r4(p.alignedCorrelation), r4(p.lagDeg, 1), r4(p.peakHandDeg, 1), r4(p.peakTrainedDeg, 1),
        r4(p.peakDistanceDeg, 1), r4(p.fwhmHandDeg, 1), r4(p.fwhmTrainedDeg, 1), r4(p.fwhmRatio), r4(p.echoHand), r4(p.echoTrained), r4(p.radiusCorrelation), a.bestRadius, b.bestRadius];
    }),
  };
  const norm = (curve: readonly number[]) => {
    const peak = Math.max(...curve);
    return curve.map((v) => (peak > 0 ? Number((v / peak).toFixed(4)) : 0));
  };
  const plots: Artifact[] = c.pairs.map((p) => {
    const a = c.hand.find((x) => x.label === p.handLabel)!;
    const b = c.trained.find((x) => x.label === p.trainedLabel)!;
    return {
      type: 'plot',
      name: `${prefix}-${a.unit}-${b.unit}`,
      caption: `${p.handLabel} (radius ${a.bestRadius}) vs ${p.trainedLabel} (radius ${b.bestRadius}), each ÷ its peak: r = ${p.similarity.toFixed(3)}, aligned r = ${p.alignedCorrelation.toFixed(3)} at lag ${p.lagDeg.toFixed(0)}°, peaks ${p.peakHandDeg.toFixed(1)}° / ${p.peakTrainedDeg.toFixed(1)}°`,
      plot: {
        kind: 'polar',
        yLabel: 'response ÷ peak',
        series: [
          { name: p.handLabel, x: [...c.angles], y: norm(a.curve) },
          { name: p.trainedLabel, x: [...c.angles], y: norm(b.curve) },
        ],
      },
    };
  });
  return [table, ...plots];
}
