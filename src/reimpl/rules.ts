// The geometric rules: one prototype per family (Gabor simple cells, complex cells, lines, early
// curves, curves), each written from geometry alone — no training, no trained weights.
//
// Conventions follow src/stimuli: angles in degrees counter-clockwise on screen from +x, the unit
// direction u(θ) = (cos θ, −sin θ) in image coordinates (y down). A curve's orientation θ is the
// direction from its circle's centre to the arc's midpoint; the midpoint sits at the kernel centre.
// Along an arc at angle α from the midpoint the tangent is the line orientation θ + α + 90° and
// the local curve there has orientation θ + α.
import type { CurveNetParams } from './params.ts';
import type { Element, FamilyDef, InputChannel } from './family.ts';

/** Input pixels per grid step: Gabor and complex cells run on the input grid, lines and early curves after one 2× pool, curves after two. */
export const JUMPS = { gabor: 1, lines: 2, earlyCurves: 2, curves: 4 } as const;

/** Gabor phases per orientation: 0° (dark line centre), 90°, 180°, 270° (the two edges of each polarity). */
export const PHASES = 4;

const rad = (deg: number) => (deg * Math.PI) / 180;

/** Line orientations of the Gabor, complex and line families, as input channels of the next layer. */
export function lineChannels(p: CurveNetParams): InputChannel[] {
  return Array.from({ length: p.gabor.orientations }, (_, k) => ({ orientation: (k * 180) / p.gabor.orientations, period: 180 as const }));
}

/**
 * Simple cells: a Gabor whose stripes run along the unit's orientation. Across the stripes
 * s = the offset along u(θ + 90°); along them t = the offset along u(θ). The carrier's mean under
 * the envelope, cos ψ · exp(−2π²σ²/λ²), is subtracted (times the envelope) so a uniform field
 * gives nothing, whatever the phase.
 */
export function gaborFamily(p: CurveNetParams): FamilyDef {
  const g = p.gabor;
  const sAcross = g.sigma;
  const sAlong = g.sigma * g.aspect;
  const dcFactor = Math.exp((-2 * Math.PI * Math.PI * sAcross * sAcross) / (g.wavelength * g.wavelength));
  return {
    name: 'gabor',
    count: g.orientations,
    period: 180,
    variants: PHASES,
    kernel: g.kernel,
    jump: JUMPS.gabor,
    inputs: [{ orientation: 0, period: 360 }],
    inhibition: 0,
    normalize: 'abs-sum',
    supersample: 5,
    prototype: (dx, dy, _rel, _input, v) => {
      const t = dx;
      const s = -dy;
      const env = Math.exp(-(s * s) / (2 * sAcross * sAcross) - (t * t) / (2 * sAlong * sAlong));
      const psi = rad(v * (360 / PHASES));
      return { excite: env * (Math.cos((2 * Math.PI * s) / g.wavelength + psi) - Math.cos(psi) * dcFactor), inhibit: 0 };
    },
  };
}

/**
 * Complex cells: the sum of the four half-wave rectified phases of one orientation — a phase- and
 * polarity-invariant line/edge energy (1×1, so no spatial rule).
 */
export function complexFamily(p: CurveNetParams): FamilyDef {
  const inputs: InputChannel[] = [];
  for (let k = 0; k < p.gabor.orientations; k++) for (let v = 0; v < PHASES; v++) inputs.push({ orientation: (k * 180) / p.gabor.orientations, period: 180, variant: v });
  return {
    name: 'complex',
    count: p.gabor.orientations,
    period: 180,
    kernel: 1,
    jump: JUMPS.gabor,
    inputs,
    inhibition: 0,
    supersample: 1,
    normalize: 'excite-sum',
    // The family's own orientation channels match exactly; normalizing by the excitatory sum makes each weight 1/4.
    prototype: (_dx, _dy, rel) => ({ excite: Math.abs(rel) < 1e-6 ? 1 : 0, inhibit: 0 }),
  };
}

/**
 * Lines: complex cells of the same orientation summed along the line (collinear support), and
 * complex cells of the perpendicular orientation at the same places subtracted (cross-orientation
 * inhibition, which sharpens the orientation tuning).
 */
export function linesFamily(p: CurveNetParams): FamilyDef {
  const l = p.lines;
  const reach = Math.ceil(2.5 * l.length);
  const elements: Element[] = [];
  for (let t = -reach; t <= reach; t += 0.5) elements.push({ x: t, y: 0, tau: 0, weight: Math.exp(-(t * t) / (2 * l.length * l.length)) });
  normalizeWeights(elements);
  return {
    name: 'lines',
    count: p.gabor.orientations,
    period: 180,
    kernel: l.kernel,
    jump: JUMPS.lines,
    inputs: lineChannels(p),
    inhibition: l.inhibition,
    prototype: { elements, positionSigma: l.width, orientationSigma: l.orientationSigma, inhibitOffset: 90 },
  };
}

/** Points of an arc of `radius` through the kernel centre, convex side towards +x (orientation 0), every `stepDeg` over `span`. */
export function arcElements(radius: number, span: number, stepDeg: number, tau: (alphaDeg: number) => number): Element[] {
  const n = Math.max(1, Math.round(span / stepDeg));
  const out: Element[] = [];
  for (let i = 0; i <= n; i++) {
    const a = -span / 2 + (i * span) / n;
    // p(α) = r·(u(α) − u(0)), u(α) = (cos α, −sin α) in image coordinates.
    out.push({ x: radius * (Math.cos(rad(a)) - 1), y: -radius * Math.sin(rad(a)), tau: tau(a), weight: 1 });
  }
  return out;
}

/** Angular step that puts arc elements about half a position-σ apart (smooth, not wasteful). */
function arcStep(radius: number, positionSigma: number): number {
  return Math.min(5, Math.max(0.5, ((positionSigma / 2 / radius) * 180) / Math.PI));
}

/**
 * Early curves: lines tangent to a small arc, at the arc's points (the tangent at angle α is the
 * line orientation α + 90°), minus lines perpendicular to the tangent at the same points.
 */
export function earlyCurvesFamily(p: CurveNetParams): FamilyDef {
  const e = p.earlyCurves;
  const elements = arcElements(e.radius, e.span, arcStep(e.radius, e.positionSigma), (a) => a + 90);
  normalizeWeights(elements);
  return {
    name: 'early_curves',
    count: e.orientations,
    period: 360,
    kernel: e.kernel,
    jump: JUMPS.earlyCurves,
    inputs: lineChannels(p),
    inhibition: e.inhibition,
    prototype: { elements, positionSigma: e.positionSigma, orientationSigma: e.orientationSigma, inhibitOffset: 90 },
  };
}

/**
 * Curves: early curves along arcs of every radius in the band — at angle α from the midpoint the
 * early curve wanted has orientation α (its circle's centre lies towards the big circle's centre) —
 * minus early curves of the opposite orientation α + 180° at the same points: the arc bending the
 * other way, which is exactly what a curve turned by 180° (the echo) would excite.
 */
export function curvesFamily(p: CurveNetParams): FamilyDef {
  const c = p.curves;
  const elements: Element[] = [];
  for (let i = 0; i < c.radius.steps; i++) {
    const r = c.radius.steps === 1 ? c.radius.min : c.radius.min + ((c.radius.max - c.radius.min) * i) / (c.radius.steps - 1);
    const arc = arcElements(r, c.span, arcStep(r, c.positionSigma), (a) => a);
    // Each radius counts the same, however many points its arc needs.
    for (const el of arc) elements.push({ ...el, weight: 1 / arc.length });
  }
  normalizeWeights(elements);
  return {
    name: 'curves',
    count: c.orientations,
    period: 360,
    kernel: c.kernel,
    jump: JUMPS.curves,
    inputs: Array.from({ length: p.earlyCurves.orientations }, (_, k) => ({ orientation: (k * 360) / p.earlyCurves.orientations, period: 360 as const })),
    inhibition: c.inhibition,
    prototype: { elements, positionSigma: c.positionSigma, orientationSigma: c.orientationSigma, inhibitOffset: 180, inhibitSigma: c.inhibitionSigma },
  };
}

function normalizeWeights(elements: Element[]): void {
  const s = elements.reduce((acc, e) => acc + e.weight, 0);
  for (const e of elements) e.weight /= s;
}

/** Every family of the network in order, from the input up. */
export function families(p: CurveNetParams): FamilyDef[] {
  return [gaborFamily(p), complexFamily(p), linesFamily(p), earlyCurvesFamily(p), curvesFamily(p)];
}
