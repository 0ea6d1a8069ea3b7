// Unit matching across model versions: retraining (even with another seed) reorders a layer's
// units, so each baseline unit is paired with the candidate unit that responds most alike on a
// probe set (Pearson correlation of response profiles), by one optimal one-to-one assignment.
import { maxSimilarityMatching } from './hungarian.ts';

/** Responses of `units` units on `samples` probe values each: data[unit · samples + sample]. */
export interface UnitProfiles {
  units: number;
  samples: number;
  data: Float32Array;
}

export interface UnitMatch {
  /** The unit in the baseline's numbering. */
  baseline: number;
  /** Its matched candidate unit, or −1 when the candidate has fewer units and this one is left over. */
  candidate: number;
  /**
   * Pearson correlation of the two profiles; 0 when one unit never varies on the probe set and the
   * other does, 1 when both are the same constant.
   */
  correlation: number;
}

export interface Matching {
  /** One entry per baseline unit, in baseline order. */
  pairs: UnitMatch[];
  /** Baseline and candidate units that are constant on the probe set (their match means nothing). */
  silent: { baseline: number; candidate: number };
}

/**
 * Per-unit response profiles from a batch of [C, H, W] maps ([n, C, H, W] flattened): each unit's
 * map is average-pooled to at most grid × grid cells, so a profile holds n · cells values — where a
 * unit responds, not just how much, at a cost that does not grow with the map size.
 */
export function profilesOf(dims: readonly number[], data: Float32Array, grid = 4): UnitProfiles {
  const [n, c, h = 1, w = 1] = dims.length === 2 ? [dims[0], dims[1], 1, 1] : dims;
  if (dims.length !== 2 && dims.length !== 4) throw new RangeError(`profilesOf: expected [n, C, H, W] or [n, C] activations, got [${dims.join(', ')}]`);
  if (data.length !== n * c * h * w) throw new RangeError(`profilesOf: ${data.length} values for [${dims.join(', ')}]`);
  if (!(Number.isInteger(grid) && grid >= 1)) throw new RangeError(`profilesOf: grid ${grid} must be an integer ≥ 1`);
  const gy = Math.min(grid, h);
  const gx = Math.min(grid, w);
  const cells = gy * gx;
  const samples = n * cells;
  const out = new Float32Array(c * samples);
  // Cell boundaries split the map as evenly as integers allow.
  const ys = Array.from({ length: gy + 1 }, (_, i) => Math.round((i * h) / gy));
  const xs = Array.from({ length: gx + 1 }, (_, i) => Math.round((i * w) / gx));
  for (let b = 0; b < n; b++) {
    for (let u = 0; u < c; u++) {
      const base = (b * c + u) * h * w;
      for (let cy = 0; cy < gy; cy++) {
        for (let cx = 0; cx < gx; cx++) {
          let s = 0;
          for (let y = ys[cy]; y < ys[cy + 1]; y++) for (let x = xs[cx]; x < xs[cx + 1]; x++) s += data[base + y * w + x];
          out[u * samples + b * cells + cy * gx + cx] = s / ((ys[cy + 1] - ys[cy]) * (xs[cx + 1] - xs[cx]));
        }
      }
    }
  }
  return { units: c, samples, data: out };
}

/** Profiles with zero mean and unit norm per unit (float64); a constant unit becomes all zeros. */
function standardised(p: UnitProfiles): { z: Float64Array; silent: boolean[]; means: Float64Array } {
  const { units, samples, data } = p;
  const z = new Float64Array(units * samples);
  const silent = new Array<boolean>(units).fill(false);
  const means = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    const o = u * samples;
    let mean = 0;
    for (let s = 0; s < samples; s++) {
      const v = data[o + s];
      if (!Number.isFinite(v)) throw new RangeError(`unit ${u} has a non-finite response ${v} on the probe set`);
      mean += v;
    }
    mean /= samples;
    means[u] = mean;
    let ss = 0;
    for (let s = 0; s < samples; s++) ss += (data[o + s] - mean) ** 2;
    // Relative floor: float noise on a constant unit must not pass for a response.
    if (!(ss > 1e-12 * samples * Math.max(1, mean * mean))) { silent[u] = true; continue; }
    const inv = 1 / Math.sqrt(ss);
    for (let s = 0; s < samples; s++) z[o + s] = (data[o + s] - mean) * inv;
  }
  return { z, silent, means };
}

/** Pearson correlation of every baseline unit with every candidate unit: rows baseline, columns candidate. */
export function correlationMatrix(a: UnitProfiles, b: UnitProfiles): number[][] {
  return correlate(a, b).r;
}

function correlate(a: UnitProfiles, b: UnitProfiles): { r: number[][]; silent: { baseline: number; candidate: number } } {
  if (a.samples !== b.samples) throw new RangeError(`correlationMatrix: profiles have ${a.samples} and ${b.samples} samples; both need the same probe set`);
  const sa = standardised(a);
  const sb = standardised(b);
  const za = sa.z;
  const zb = sb.z;
  const S = a.samples;
  const count = (s: boolean[]) => s.filter(Boolean).length;
  const r = Array.from({ length: a.units }, (_, i) => {
    const row = new Array<number>(b.units);
    for (let j = 0; j < b.units; j++) {
      let s = 0;
      for (let k = 0; k < S; k++) s += za[i * S + k] * zb[j * S + k];
      // Two constant units agree when their constants do (a unit dead in both versions has not moved).
      if (sa.silent[i] && sb.silent[j]) s = Math.abs(sa.means[i] - sb.means[j]) <= 1e-6 * Math.max(1, Math.abs(sa.means[i])) ? 1 : 0;
      row[j] = s;
    }
    return row;
  });
  return { r, silent: { baseline: count(sa.silent), candidate: count(sb.silent) } };
}

/** Match every baseline unit to a distinct candidate unit maximising the total correlation. */
export function matchUnits(a: UnitProfiles, b: UnitProfiles): Matching {
  const { r, silent } = correlate(a, b);
  const byBaseline = new Map(maxSimilarityMatching(r).map(([i, j]) => [i, j]));
  const pairs = Array.from({ length: a.units }, (_, i): UnitMatch => {
    const j = byBaseline.get(i) ?? -1;
    return { baseline: i, candidate: j, correlation: j >= 0 ? r[i][j] : 0 };
  });
  return { pairs, silent };
}

/** Fraction of baseline units whose match reaches correlation r (left-over units count as unmatched). */
export function fractionMatched(m: Matching, r: number): number {
  if (m.pairs.length === 0) return NaN;
  return m.pairs.filter((p) => p.candidate >= 0 && p.correlation >= r).length / m.pairs.length;
}
