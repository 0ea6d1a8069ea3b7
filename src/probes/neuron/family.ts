// Family metrics: how the peak directions of a set of units (rotated copies of one feature, such
// as curve detectors) spread around the circle. Pure functions over peak angles in degrees.
//
// - largestGapDeg: the widest arc with no peak in it (360 for one unit); evenly tiled n units give 360/n.
// - gapRatio: largestGapDeg ÷ (360 / n); 1 for perfect tiling, n when all peaks coincide.
// - uniformity: 1 − mean resultant length of the peaks; 1 when the peaks balance around the circle
//   (even tiling, or opposite pairs), 0 when they all point the same way.
// - rayleighZ: n·R², the Rayleigh statistic: large values reject "peaks spread uniformly at random"
//   in favour of a common direction (p ≈ exp(−Z) for large n).
import { resultant, wrap360, circularDistance } from './angles.ts';

export interface FamilyMetrics {
  n: number;
  /** Peaks sorted ascending in [0, 360). */
  sortedPeaksDeg: number[];
  /** Gaps between consecutive sorted peaks, the last one closing the circle. */
  gapsDeg: number[];
  largestGapDeg: number;
  gapRatio: number;
  uniformity: number;
  rayleighZ: number;
  /** Smallest distance between two peaks (near 0 = duplicate units). */
  minSeparationDeg: number;
}

export function familyMetrics(peaksDeg: readonly number[]): FamilyMetrics {
  const n = peaksDeg.length;
  if (n === 0) throw new RangeError('familyMetrics: no peaks');
  for (const p of peaksDeg) if (!Number.isFinite(p)) throw new RangeError(`familyMetrics: peak ${p} is not finite`);
  const sorted = peaksDeg.map(wrap360).sort((a, b) => a - b);
  const gaps = sorted.map((p, i) => (i + 1 < n ? sorted[i + 1] - p : 360 - p + sorted[0]));
  const largest = Math.max(...gaps);
  const R = resultant(sorted).length;
  let minSep = n > 1 ? Infinity : 360;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) minSep = Math.min(minSep, circularDistance(sorted[i], sorted[j]));
  return {
    n,
    sortedPeaksDeg: sorted,
    gapsDeg: gaps,
    largestGapDeg: largest,
    gapRatio: largest / (360 / n),
    uniformity: 1 - R,
    rayleighZ: n * R * R,
    minSeparationDeg: minSep,
  };
}
