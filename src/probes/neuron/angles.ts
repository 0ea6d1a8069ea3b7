// Angles on the circle, in degrees: wrapping, signed distance, circular interpolation of a
// sampled curve. Tuning curves and family tiling are circular data; these keep 359° next to 0°.

/** θ mod 360 in [0, 360). */
export function wrap360(deg: number): number {
  const w = deg % 360;
  return w < 0 ? w + 360 : w === 360 ? 0 : w;
}

/** Signed shortest rotation from `a` to `b`, in (−180, 180]. */
export function signedDelta(a: number, b: number): number {
  const d = wrap360(b - a);
  return d > 180 ? d - 360 : d;
}

/** Shortest distance between two directions, in [0, 180]. */
export function circularDistance(a: number, b: number): number {
  return Math.abs(signedDelta(a, b));
}

/**
 * Whether sorted-by-angle samples go all the way round: the gap that closes the circle is
 * no larger than 1.5 times the typical step. Only then are FWHM, echo and wrap-around valid.
 */
export function coversCircle(anglesDeg: readonly number[]): boolean {
  if (anglesDeg.length < 3) return false;
  const a = anglesDeg.map(wrap360).sort((x, y) => x - y);
  const gaps = a.slice(1).map((v, i) => v - a[i]);
  gaps.push(360 - a[a.length - 1] + a[0]);
  const sorted = gaps.filter((g) => g > 1e-9).sort((x, y) => x - y);
  if (sorted.length === 0) return false;
  const median = sorted[Math.floor(sorted.length / 2)];
  return Math.max(...gaps) <= 1.5 * median + 1e-9;
}

/**
 * Value of a sampled curve at angle `deg`, linearly interpolated between the two nearest
 * samples around it. On a full circle it wraps; otherwise it clamps to the end samples.
 * `order` lists sample indices sorted by wrapped angle (pass it when calling many times).
 */
export function interpolateAt(anglesDeg: readonly number[], values: readonly number[], deg: number, circular: boolean, order = sortedOrder(anglesDeg)): number {
  const n = order.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return values[order[0]];
  const at = (k: number) => wrap360(anglesDeg[order[((k % n) + n) % n]]);
  if (!circular) {
    // A partial sweep is a plain segment: compare unwrapped angles to its first sample.
    const a0 = anglesDeg[order[0]];
    const xs = order.map((i) => a0 + wrap360(anglesDeg[i] - a0));
    const x = a0 + wrap360(deg - a0);
    if (x <= xs[0]) return values[order[0]];
    for (let k = 1; k < n; k++) {
      if (x <= xs[k]) {
        const t = (x - xs[k - 1]) / (xs[k] - xs[k - 1] || 1);
        return values[order[k - 1]] * (1 - t) + values[order[k]] * t;
      }
    }
    return values[order[n - 1]];
  }
  const x = wrap360(deg);
  // First sample at or after x (wrapping to the first one past 360).
  let hi = 0;
  while (hi < n && at(hi) < x) hi++;
  const lo = hi - 1;
  const aLo = lo < 0 ? at(n - 1) - 360 : at(lo);
  const aHi = hi >= n ? at(0) + 360 : at(hi);
  const vLo = values[order[(lo + n) % n]];
  const vHi = values[order[hi % n]];
  const span = aHi - aLo;
  if (span <= 0) return vHi;
  const t = (x - aLo) / span;
  return vLo * (1 - t) + vHi * t;
}

/** Indices of the samples sorted by wrapped angle. */
export function sortedOrder(anglesDeg: readonly number[]): number[] {
  return anglesDeg.map((_, i) => i).sort((i, j) => wrap360(anglesDeg[i]) - wrap360(anglesDeg[j]));
}

/** Mean resultant length and direction of weighted angles (weights ≥ 0): length 1 = all equal, 0 = balanced. */
export function resultant(anglesDeg: readonly number[], weights?: readonly number[]): { length: number; directionDeg: number } {
  let c = 0;
  let s = 0;
  let total = 0;
  anglesDeg.forEach((a, i) => {
    const w = weights ? weights[i] : 1;
    const r = (a * Math.PI) / 180;
    c += w * Math.cos(r);
    s += w * Math.sin(r);
    total += w;
  });
  if (!(total > 0)) return { length: 0, directionDeg: Number.NaN };
  return { length: Math.hypot(c, s) / total, directionDeg: wrap360((Math.atan2(s, c) * 180) / Math.PI) };
}
