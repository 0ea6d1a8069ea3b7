// Tuning-curve metrics over a unit's responses to a 1-D orientation sweep (and per radius for a
// 2-D orientation × radius sweep): peak, circular FWHM, echo, selectivity. Pure functions.
//
// Definitions (specs and reports rely on them):
// - peak: the largest sample refined by the vertex of the parabola through it and its two
//   neighbours (wrapping round on a full circle); peakDeg in [0, 360).
// - FWHM: width of the contiguous arc around the peak where the linearly interpolated curve
//   stays ≥ half, half = floor + (peak − floor) / 2 with floor = the curve's minimum (default)
//   or 0. 360 when it never drops that low on a full circle.
// - echo: response at peakDeg + 180° ÷ peak response (raw values, as the curve-detector papers
//   report for post-ReLU units); null when the peak is not positive or +180° was not swept.
// - selectivity: (max − mean) / (max − min) of the samples, in [0, 1]: 0 for a flat curve, near 1
//   for one narrow bump; unchanged by adding a constant to or positively scaling the responses.
// - resultant: length of the mean vector of the swept angles weighted by (response − min), in
//   [0, 1] (1 − circular variance); only on full, evenly spaced circles.
import { coversCircle, interpolateAt, resultant, sortedOrder, wrap360 } from './angles.ts';

export interface ResponseStats {
  /** Mean and standard deviation of the unit's response over a reference image set. */
  mean: number;
  std: number;
}

export interface TuningOptions {
  /** The FWHM's floor: the curve's minimum (default) or zero. */
  halfOf?: 'min' | 'zero';
  /** The unit's statistics over an image set: adds `peakZ`, the peak in standard deviations. */
  stats?: ResponseStats;
}

export interface TuningMetrics {
  /** Refined peak direction in [0, 360). */
  peakDeg: number;
  /** Refined peak response. */
  peak: number;
  /** Index (into the input arrays) of the largest sample. */
  peakIndex: number;
  min: number;
  mean: number;
  max: number;
  /** null when the curve is flat (no peak to measure a width of). */
  fwhmDeg: number | null;
  /** True when the half-maximum arc ran into the end of a partial sweep (the width is a lower bound). */
  fwhmClipped: boolean;
  echo: number | null;
  selectivity: number;
  resultant: number | null;
  /** (peak − stats.mean) / stats.std, when stats were given. */
  peakZ?: number;
  /** Whether the sweep went all the way round (wrap-around used). */
  circular: boolean;
}

/** Collapse samples that land on the same wrapped angle (0° and 360°) by averaging them. */
function dedupe(anglesDeg: readonly number[], values: readonly number[]): { angles: number[]; values: number[]; index: number[] } {
  const byAngle = new Map<number, { sum: number; n: number; first: number }>();
  anglesDeg.forEach((a, i) => {
    const key = Math.round(wrap360(a) * 1e9) / 1e9;
    const e = byAngle.get(key);
    if (e) { e.sum += values[i]; e.n++; } else byAngle.set(key, { sum: values[i], n: 1, first: i });
  });
  const angles: number[] = [];
  const vals: number[] = [];
  const index: number[] = [];
  for (const [a, e] of byAngle) { angles.push(a); vals.push(e.sum / e.n); index.push(e.first); }
  return { angles, values: vals, index };
}

function checkInput(anglesDeg: readonly number[], values: readonly number[]): void {
  if (anglesDeg.length !== values.length) throw new RangeError(`tuning: ${anglesDeg.length} angles but ${values.length} responses`);
  if (anglesDeg.length < 3) throw new RangeError(`tuning: need at least 3 samples, got ${anglesDeg.length}`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]) || !Number.isFinite(anglesDeg[i])) throw new RangeError(`tuning: sample ${i} is not finite (angle ${anglesDeg[i]}, response ${values[i]})`);
  }
}

/** Vertex of the parabola through (d1, yl), (0, y0), (d2, yr) with d1 < 0 < d2; none when not concave. */
function parabolaVertex(d1: number, yl: number, y0: number, d2: number, yr: number): { t: number; y: number } | null {
  const u = yl - y0;
  const v = yr - y0;
  const det = d1 * d2 * (d1 - d2);
  if (det === 0) return null;
  const a = (u * d2 - v * d1) / det;
  const b = (d1 * d1 * v - d2 * d2 * u) / det;
  if (!(a < 0)) return null;
  const t = Math.min(d2, Math.max(d1, -b / (2 * a)));
  return { t, y: y0 + b * t + a * t * t };
}

export function tuningMetrics(anglesDeg: readonly number[], responses: readonly number[], opts: TuningOptions = {}): TuningMetrics {
  checkInput(anglesDeg, responses);
  const d = dedupe(anglesDeg, responses);
  const circular = coversCircle(d.angles);
  const order = circular ? sortedOrder(d.angles) : segmentOrder(d.angles);
  const n = order.length;
  const ang = order.map((i) => d.angles[i]);
  const val = order.map((i) => d.values[i]);

  let k0 = 0;
  let min = Infinity;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    if (val[k] > val[k0]) k0 = k;
    min = Math.min(min, val[k]);
    sum += val[k];
  }
  const max = val[k0];
  const mean = sum / n;

  // Sub-step refinement of the peak from its two neighbours (unwrapped offsets).
  let peakDeg = ang[k0];
  let peak = max;
  const hasLeft = circular || k0 > 0;
  const hasRight = circular || k0 < n - 1;
  if (hasLeft && hasRight && n >= 3) {
    const kl = (k0 - 1 + n) % n;
    const kr = (k0 + 1) % n;
    const d1 = -wrap360(ang[k0] - ang[kl]);
    const d2 = wrap360(ang[kr] - ang[k0]);
    const v = parabolaVertex(d1, val[kl], max, d2, val[kr]);
    if (v) { peakDeg = wrap360(ang[k0] + v.t); peak = Math.max(max, v.y); }
  }

  const floor = (opts.halfOf ?? 'min') === 'zero' ? 0 : min;
  const { fwhmDeg, clipped } = fwhm(ang, val, k0, peak, floor, circular);

  let echo: number | null = null;
  if (peak > 0) {
    const opposite = wrap360(peakDeg + 180);
    const reachable = circular || (() => {
      const a0 = ang[0];
      const off = wrap360(opposite - a0);
      return off <= wrap360(ang[n - 1] - a0) + 1e-9;
    })();
    if (reachable) echo = interpolateAt(ang, val, opposite, circular, ang.map((_, i) => i)) / peak;
  }

  const selectivity = max > min ? (max - mean) / (max - min) : 0;
  const res = circular && max > min ? resultant(ang, val.map((v) => v - min)).length : null;

  const out: TuningMetrics = { peakDeg, peak, peakIndex: d.index[order[k0]], min, mean, max, fwhmDeg, fwhmClipped: clipped, echo, selectivity, resultant: res, circular };
  if (opts.stats) out.peakZ = opts.stats.std > 0 ? (peak - opts.stats.mean) / opts.stats.std : Number.NaN;
  return out;
}

/** A partial sweep sorted from its start: the sample just after the largest gap comes first. */
function segmentOrder(anglesDeg: readonly number[]): number[] {
  const order = sortedOrder(anglesDeg);
  const n = order.length;
  let start = 0;
  let widest = -1;
  for (let k = 0; k < n; k++) {
    const gap = wrap360(anglesDeg[order[k]] - anglesDeg[order[(k - 1 + n) % n]]) || (n === 1 ? 360 : 0);
    if (gap > widest) { widest = gap; start = k; }
  }
  return [...order.slice(start), ...order.slice(0, start)];
}

/** Width of the arc around sample k0 where the curve stays ≥ half; samples sorted by angle. */
function fwhm(ang: number[], val: number[], k0: number, peak: number, floor: number, circular: boolean): { fwhmDeg: number | null; clipped: boolean } {
  const n = ang.length;
  if (!(peak > floor)) return { fwhmDeg: null, clipped: false };
  const half = floor + (peak - floor) / 2;
  // Walk outward in one direction; return the unwrapped offset (degrees) of the crossing.
  const walk = (dir: 1 | -1): { offset: number; hitEnd: boolean } => {
    let offset = 0;
    let k = k0;
    for (let step = 0; step < n - 1; step++) {
      const next = k + dir;
      if (!circular && (next < 0 || next >= n)) return { offset, hitEnd: true };
      const kn = (next + n) % n;
      const gap = dir === 1 ? wrap360(ang[kn] - ang[k]) : wrap360(ang[k] - ang[kn]);
      if (val[kn] < half) {
        const t = (val[k] - half) / (val[k] - val[kn]);
        return { offset: offset + t * gap, hitEnd: false };
      }
      offset += gap;
      k = kn;
    }
    return { offset: 360, hitEnd: true };
  };
  const right = walk(1);
  const left = walk(-1);
  if (circular && (right.offset >= 360 || left.offset >= 360)) return { fwhmDeg: 360, clipped: false };
  return { fwhmDeg: Math.min(360, right.offset + left.offset), clipped: !circular && (right.hitEnd || left.hitEnd) };
}

/** Responses in units of the unit's standard deviation over an image set (centred on its mean unless `center` is false). */
export function standardize(responses: readonly number[], stats: ResponseStats, center = true): number[] {
  if (!(stats.std > 0)) throw new RangeError(`standardize: std must be positive, got ${stats.std}`);
  return responses.map((r) => (r - (center ? stats.mean : 0)) / stats.std);
}

/** Mean and (population) standard deviation of a set of responses. */
export function responseStats(values: ArrayLike<number>): ResponseStats {
  const n = values.length;
  if (n === 0) throw new RangeError('responseStats: no values');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / n) };
}

export interface Tuning2dMetrics {
  /** One entry per radius, in the order given. */
  perRadius: (TuningMetrics & { radius: number })[];
  /** Peak response per radius: the radius profile. */
  radiusProfile: { radius: number; peak: number }[];
  /** Index of the radius with the largest peak; its metrics are the unit's headline metrics. */
  bestRadiusIndex: number;
  best: TuningMetrics & { radius: number };
}

/** Orientation × radius sweep: `responses[r][a]` is the response at radii[r], anglesDeg[a]. */
export function tuning2d(anglesDeg: readonly number[], radii: readonly number[], responses: readonly (readonly number[])[], opts: TuningOptions = {}): Tuning2dMetrics {
  if (responses.length !== radii.length || radii.length === 0) throw new RangeError(`tuning2d: ${radii.length} radii but ${responses.length} rows of responses`);
  const perRadius = radii.map((radius, r) => ({ ...tuningMetrics(anglesDeg, responses[r], opts), radius }));
  let best = 0;
  perRadius.forEach((m, r) => { if (m.peak > perRadius[best].peak) best = r; });
  return {
    perRadius,
    radiusProfile: perRadius.map((m) => ({ radius: m.radius, peak: m.peak })),
    bestRadiusIndex: best,
    best: perRadius[best],
  };
}
