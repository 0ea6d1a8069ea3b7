// Anti-aliased coverage of stroked shapes (segments, arcs, rings, discs), visited row by row over
// only the pixels a shape can touch, so the cost follows the ink, not the image size.
//
// Anti-aliasing is analytic: a pixel's coverage is the exact area of the pixel square inside the
// stroke, computed from the distance d between the pixel centre and the stroke's centre line and the
// stroke's normal there (bandCoverage). Versus supersampling: one distance per pixel instead of 16+
// samples; the value is a continuous function of every parameter (a 0.5° orientation step changes
// the image a little, never by a sample-pattern jump, which matters for tuning curves); the total ink
// of a stroke does not depend on its orientation (a plain distance ramp, clamp(w/2 − d + ½), gives a
// 45° hairline up to 30% too little or too much ink, a 90°-periodic artefact in every tuning curve);
// and strokes thinner than a pixel carry their true ink amount. Where it is approximate: round caps
// (their edge is taken as straight across a pixel: up to ≈0.25·w px² per cap for strokes ≥ 1 px,
// ≈0.9·w for hairlines, whose cap is much smaller than a pixel) and thin strokes curving strongly inside one pixel (a ring of
// radius 5 and width 0.2 is up to 2% off its area); strokes ≥ 1 px with radius ≥ 5 stay within 0.3%.

export interface Grid { width: number; height: number }

/** Receives each visited pixel's row-major index and its coverage in (0, 1]. */
export type Put = (index: number, coverage: number) => void;

/**
 * Area of the unit pixel (centred at 0) on the side p·n ≤ s of a line with unit normal n, where
 * a = max(|nx|, |ny|) and b = min(|nx|, |ny|): the pixel's projection onto n is a trapezoid of
 * width a + b with ramps of width b, so the area is quadratic on the ramps and linear between.
 */
export function halfPlaneArea(s: number, a: number, b: number): number {
  const t0 = (a + b) / 2;
  if (s <= -t0) return 0;
  if (s >= t0) return 1;
  const t1 = (a - b) / 2;
  if (s < -t1) return ((s + t0) * (s + t0)) / (2 * a * b);
  if (s > t1) return 1 - ((t0 - s) * (t0 - s)) / (2 * a * b);
  return 0.5 + s / a;
}

/**
 * Exact area of the unit pixel inside a straight band of width w whose centre line runs at
 * distance d from the pixel centre with unit normal (nx, ny). For curved strokes the local normal
 * (radial direction) is used, exact up to the band's curvature across one pixel.
 */
export function bandCoverage(d: number, w: number, nx: number, ny: number): number {
  let a = Math.abs(nx);
  let b = Math.abs(ny);
  if (b > a) [a, b] = [b, a];
  const c = halfPlaneArea(w / 2 - d, a, b) - halfPlaneArea(-w / 2 - d, a, b);
  return c > 0 ? c : 0;
}

/** A pixel reaches at most half its diagonal from its centre: the farthest a stroke's edge can be and still cover some of it. */
const REACH = Math.SQRT1_2 + 1e-9;

function firstRow(top: number): number { return Math.max(0, Math.ceil(top - 0.5)); }
function lastRow(g: Grid, bottom: number): number { return Math.min(g.height - 1, Math.floor(bottom - 0.5)); }

/** x-interval of u with k·u ∈ [a, b], as [lo, hi] (empty when lo > hi). */
function solveLinear(k: number, a: number, b: number): [number, number] {
  if (Math.abs(k) < 1e-12) return a <= 0 && 0 <= b ? [-Infinity, Infinity] : [Infinity, -Infinity];
  const p = a / k;
  const q = b / k;
  return p < q ? [p, q] : [q, p];
}

/** A straight stroke from A to B with round caps. */
export function strokeSegment(g: Grid, put: Put, ax: number, ay: number, bx: number, by: number, w: number): void {
  const e = w / 2 + REACH; // beyond this distance the coverage is 0
  const len = Math.hypot(bx - ax, by - ay);
  const tx = len > 0 ? (bx - ax) / len : 1;
  const ty = len > 0 ? (by - ay) / len : 0;
  const y0 = firstRow(Math.min(ay, by) - e);
  const y1 = lastRow(g, Math.max(ay, by) + e);
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    const ry = py - ay;
    let lo = Infinity;
    let hi = -Infinity;
    // The capsule is convex, so its row is one interval: the hull of its caps' and body's rows.
    for (const [ex, ey] of [[ax, ay], [bx, by]]) {
      const h = e * e - (py - ey) * (py - ey);
      if (h > 0) {
        const s = Math.sqrt(h);
        lo = Math.min(lo, ex - s);
        hi = Math.max(hi, ex + s);
      }
    }
    const [a0, a1] = solveLinear(tx, -ry * ty, len - ry * ty); // along the segment: 0 ≤ s ≤ len
    const [b0, b1] = solveLinear(-ty, -e - ry * tx, e - ry * tx); // across it: |p| < e
    const u0 = Math.max(a0, b0);
    const u1 = Math.min(a1, b1);
    if (u0 <= u1) {
      lo = Math.min(lo, ax + u0);
      hi = Math.max(hi, ax + u1);
    }
    if (!(lo <= hi)) continue;
    const x0 = Math.max(0, Math.ceil(lo - 0.5));
    const x1 = Math.min(g.width - 1, Math.floor(hi - 0.5));
    const row = y * g.width;
    for (let x = x0; x <= x1; x++) {
      const rx = x + 0.5 - ax;
      let t = rx * tx + ry * ty;
      t = t < 0 ? 0 : t > len ? len : t;
      const dx = rx - t * tx;
      const dy = ry - t * ty;
      const d = Math.sqrt(dx * dx + dy * dy);
      // Normal: from the nearest centre-line point to the pixel (the segment's own normal on the body).
      const c = d > 1e-9 ? bandCoverage(d, w, dx / d, dy / d) : bandCoverage(0, w, -ty, tx);
      if (c > 0) put(row + x, c);
    }
  }
}

/**
 * An arc of the circle (cx, cy, r) whose midpoint lies in the unit direction (mx, my) from the
 * centre, spanning ±halfSpan radians around it (halfSpan ≥ π: the whole ring), round caps.
 */
export function strokeArc(g: Grid, put: Put, cx: number, cy: number, r: number, mx: number, my: number, halfSpan: number, w: number): void {
  const e = w / 2 + REACH;
  const full = halfSpan >= Math.PI;
  const cosH = Math.cos(halfSpan);
  const sinH = Math.sin(halfSpan);
  // Endpoints: the midpoint direction turned by ±halfSpan.
  const e1x = cx + r * (mx * cosH + my * sinH);
  const e1y = cy + r * (-mx * sinH + my * cosH);
  const e2x = cx + r * (mx * cosH - my * sinH);
  const e2y = cy + r * (mx * sinH + my * cosH);
  // Bounding box: the endpoints plus every extreme point of the circle that lies on the arc.
  let bx0 = Math.min(e1x, e2x);
  let bx1 = Math.max(e1x, e2x);
  let by0 = Math.min(e1y, e2y);
  let by1 = Math.max(e1y, e2y);
  for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
    if (full || dx * mx + dy * my >= cosH) {
      bx0 = Math.min(bx0, cx + r * dx);
      bx1 = Math.max(bx1, cx + r * dx);
      by0 = Math.min(by0, cy + r * dy);
      by1 = Math.max(by1, cy + r * dy);
    }
  }
  bx0 -= e;
  bx1 += e;
  const y0 = firstRow(by0 - e);
  const y1 = lastRow(g, by1 + e);
  const ro = r + e;
  const ri = r - e;
  for (let y = y0; y <= y1; y++) {
    const vy = y + 0.5 - cy;
    const ay = Math.abs(vy);
    if (ay >= ro) continue;
    // The annulus r − e < |v| < r + e meets this row in one or two intervals; (a−b)(a+b) keeps
    // precision when r is huge (a nearly straight curve).
    const xo = Math.sqrt((ro - ay) * (ro + ay));
    const xi = ri > ay ? Math.sqrt((ri - ay) * (ri + ay)) : 0;
    const spans = xi > 0 ? [[cx - xo, cx - xi], [cx + xi, cx + xo]] : [[cx - xo, cx + xo]];
    const row = y * g.width;
    let next = 0; // first column not yet visited in this row, so no pixel is visited twice
    for (const [s0, s1] of spans) {
      const lo = Math.max(s0, bx0);
      const hi = Math.min(s1, bx1);
      if (lo > hi) continue;
      const x0 = Math.max(next, Math.ceil(lo - 0.5));
      const x1 = Math.min(g.width - 1, Math.floor(hi - 0.5));
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        const vx = px - cx;
        const rad = Math.sqrt(vx * vx + vy * vy);
        let c: number;
        if (full || vx * mx + vy * my >= rad * cosH) {
          // On the arc's side of the sector: distance and normal are radial.
          c = rad > 1e-9 ? bandCoverage(Math.abs(rad - r), w, vx / rad, vy / rad) : bandCoverage(r, w, mx, my);
        } else {
          // Past an end: the round cap of the nearer endpoint.
          const py = y + 0.5;
          const d1 = (px - e1x) ** 2 + (py - e1y) ** 2;
          const d2 = (px - e2x) ** 2 + (py - e2y) ** 2;
          const [ex, ey, d2min] = d1 <= d2 ? [e1x, e1y, d1] : [e2x, e2y, d2];
          const d = Math.sqrt(d2min);
          c = d > 1e-9 ? bandCoverage(d, w, (px - ex) / d, (py - ey) / d) : bandCoverage(0, w, (ex - cx) / r, (ey - cy) / r);
        }
        if (c > 0) put(row + x, c);
      }
      next = Math.max(next, x1 + 1);
    }
  }
}

/** A filled disc of radius r: each pixel's area inside the disc, its edge taken as straight across one pixel. */
export function fillDisc(g: Grid, put: Put, cx: number, cy: number, r: number): void {
  const e = r + REACH;
  const y0 = firstRow(cy - e);
  const y1 = lastRow(g, cy + e);
  for (let y = y0; y <= y1; y++) {
    const vy = y + 0.5 - cy;
    const h = (e - Math.abs(vy)) * (e + Math.abs(vy));
    if (h <= 0) continue;
    const s = Math.sqrt(h);
    const x0 = Math.max(0, Math.ceil(cx - s - 0.5));
    const x1 = Math.min(g.width - 1, Math.floor(cx + s - 0.5));
    const row = y * g.width;
    for (let x = x0; x <= x1; x++) {
      const vx = x + 0.5 - cx;
      const rad = Math.sqrt(vx * vx + vy * vy);
      const c = rad > 1e-9 ? halfPlaneArea(r - rad, Math.max(Math.abs(vx), Math.abs(vy)) / rad, Math.min(Math.abs(vx), Math.abs(vy)) / rad) : Math.min(1, r * r * Math.PI);
      if (c > 0) put(row + x, c);
    }
  }
}
