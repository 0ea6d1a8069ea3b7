// A family of rotated units from one prototype: the prototype is a weight function of the offset
// (input pixels) and of each input channel's orientation relative to the unit; unit k is the
// prototype evaluated in a frame turned by k·step, so every unit is an exact rotated copy.
//
// Rotating the function rather than a sampled kernel keeps the family equivariant up to the
// sampling of the kernel grid only; test/reimpl checks that resampling unit k's kernel by one step
// gives unit k+1's (src/reimpl/rotate.ts).
import type { Tensor } from '../engine/tensor.ts';

/** One input channel of a family: its orientation (degrees) and whether that is a line (180°) or a direction (360°). */
export interface InputChannel {
  orientation: number;
  period: 180 | 360;
  /** Extra tag the prototype may read (the Gabor phase of a simple cell). */
  variant?: number;
}

/**
 * Weight of the unit at orientation 0 (and of its `variant`) at offset (dx, dy) input pixels from
 * the kernel centre (x right, y down), for an input channel whose orientation relative to the unit
 * is `rel` degrees. Returns the excitatory and the inhibitory part separately, so the inhibition
 * strength scales one without touching the other.
 */
export type PrototypeFn = (dx: number, dy: number, rel: number, input: InputChannel, variant: number) => { excite: number; inhibit: number };

/** One oriented element of the shape a unit builds: a point of the shape and the input orientation wanted there. */
export interface Element {
  /** Position relative to the kernel centre, input pixels (x right, y down), in the prototype's frame. */
  x: number;
  y: number;
  /** Input orientation (degrees, in the prototype's frame) that excites the unit here. */
  tau: number;
  /** Weight of this element (elements of one prototype usually sum to 1). */
  weight: number;
}

/**
 * A prototype written as the shape it builds: each element adds a Gaussian blob (positionSigma) of
 * weight on the input channels tuned near its orientation (excite) and on the channels
 * `inhibitOffset` degrees away from it (inhibit: 180° = the opposite direction, 90° = perpendicular).
 */
export interface ElementPrototype {
  elements: readonly Element[];
  positionSigma: number;
  orientationSigma: number;
  inhibitOffset: number;
  /** Orientation spread of the inhibition (default: orientationSigma); wider inhibits the flanks too, at the same total weight. */
  inhibitSigma?: number;
}

export type Prototype = PrototypeFn | ElementPrototype;

export interface FamilyDef {
  name: string;
  /** Orientations of the family; unit k has orientation k · period / count. */
  count: number;
  period: 180 | 360;
  /** Output channels per orientation (e.g. 4 Gabor phases); channel = k · variants + v. */
  variants?: number;
  /** Kernel side (odd) on the layer's input grid. */
  kernel: number;
  /** Input pixels per step of the layer's input grid. */
  jump: number;
  inputs: readonly InputChannel[];
  prototype: Prototype;
  /** Weight of the inhibitory part (0 removes it). */
  inhibition: number;
  /**
   * How the prototype's scale is fixed: the sum of the excitatory part over the prototype's kernel
   * (default), or its sum of absolute values (for signed filters such as Gabors). Either way the
   * constant is computed once from unit 0 and shared, so every unit gets the same gain.
   */
  normalize?: 'excite-sum' | 'abs-sum';
  /** Sub-samples per cell side: each weight is the mean over a grid of points inside its cell. */
  supersample?: number;
}

/** The orientation of unit k. */
export function unitOrientation(f: Pick<FamilyDef, 'count' | 'period'>, k: number): number {
  return (k * f.period) / f.count;
}

/**
 * Offset (dx, dy) seen from a unit turned by θ degrees counter-clockwise on screen, expressed in
 * the prototype's frame: the point that lies at direction β from the centre lands at β − θ.
 * Image coordinates have y down, so a turn that looks counter-clockwise flips the sign of the sine.
 */
export function toPrototypeFrame(dx: number, dy: number, thetaDeg: number): [number, number] {
  const t = (thetaDeg * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  return [dx * c - dy * s, dx * s + dy * c];
}

/** Signed difference a − b wrapped into (−period/2, period/2]. */
export function wrapDelta(a: number, period: number): number {
  let d = a % period;
  if (d <= -period / 2) d += period;
  if (d > period / 2) d -= period;
  return d;
}

/** Gaussian of the circular distance on a circle of `period` degrees (1 at 0). */
export function orientationBump(deltaDeg: number, sigmaDeg: number, period: number): number {
  const d = wrapDelta(deltaDeg, period);
  return Math.exp(-(d * d) / (2 * sigmaDeg * sigmaDeg));
}

/** The sample offsets (input pixels) a cell of the kernel averages over. */
function cellSamples(f: FamilyDef): { dx: number; dy: number }[][] {
  const half = (f.kernel - 1) / 2;
  const ss = Math.max(1, f.supersample ?? 3);
  const out: { dx: number; dy: number }[][] = [];
  for (let ky = 0; ky < f.kernel; ky++) {
    for (let kx = 0; kx < f.kernel; kx++) {
      const pts: { dx: number; dy: number }[] = [];
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          pts.push({ dx: (kx - half + (sx + 0.5) / ss - 0.5) * f.jump, dy: (ky - half + (sy + 0.5) / ss - 0.5) * f.jump });
        }
      }
      out.push(pts);
    }
  }
  return out;
}

/** Excitatory and inhibitory kernels of one unit (orientation θ, variant v), unscaled: [inputs, k, k] each. */
function unitParts(f: FamilyDef, theta: number, v: number, cells: { dx: number; dy: number }[][]): { excite: Float64Array; inhibit: Float64Array } {
  const kk = f.kernel * f.kernel;
  const excite = new Float64Array(f.inputs.length * kk);
  const inhibit = new Float64Array(f.inputs.length * kk);
  const rels = f.inputs.map((input) => wrapDelta(input.orientation - theta, input.period));
  if (typeof f.prototype === 'function') {
    const at = f.prototype;
    cells.forEach((pts, cell) => {
      const rotated = pts.map((p) => toPrototypeFrame(p.dx, p.dy, theta));
      f.inputs.forEach((input, c) => {
        let e = 0;
        let i = 0;
        for (const [x, y] of rotated) {
          const w = at(x, y, rels[c], input, v);
          e += w.excite;
          i += w.inhibit;
        }
        excite[c * kk + cell] = e / rotated.length;
        inhibit[c * kk + cell] = i / rotated.length;
      });
    });
    return { excite, inhibit };
  }
  // Element prototypes: the spatial blob of each element does not depend on the input channel, so
  // it is computed once per cell and combined with a per-channel orientation table.
  const p = f.prototype;
  const n = p.elements.length;
  const oe = f.inputs.map((input, c) => p.elements.map((e) => e.weight * orientationBump(rels[c] - e.tau, p.orientationSigma, input.period)));
  // A wider inhibitory bump is lower, so its total weight matches the excitatory bump's: the
  // inhibition strength keeps meaning "that much inhibition per unit of excitation".
  const sInh = p.inhibitSigma ?? p.orientationSigma;
  const oi = f.inputs.map((input, c) => p.elements.map((e) => e.weight * (p.orientationSigma / sInh) * orientationBump(rels[c] - e.tau - p.inhibitOffset, sInh, input.period)));
  const ex = Float64Array.from(p.elements, (e) => e.x);
  const ey = Float64Array.from(p.elements, (e) => e.y);
  const te = oe.map((row) => Float64Array.from(row));
  const ti = oi.map((row) => Float64Array.from(row));
  const g = new Float64Array(n);
  const inv2s2 = 1 / (2 * p.positionSigma * p.positionSigma);
  cells.forEach((pts, cell) => {
    g.fill(0);
    const share = 1 / pts.length;
    for (const pt of pts) {
      const [x, y] = toPrototypeFrame(pt.dx, pt.dy, theta);
      for (let j = 0; j < n; j++) {
        const a = x - ex[j];
        const b = y - ey[j];
        g[j] += share * Math.exp(-(a * a + b * b) * inv2s2);
      }
    }
    for (let c = 0; c < f.inputs.length; c++) {
      let e = 0;
      let i = 0;
      const rowE = te[c];
      const rowI = ti[c];
      for (let j = 0; j < n; j++) {
        e += g[j] * rowE[j];
        i += g[j] * rowI[j];
      }
      excite[c * kk + cell] = e;
      inhibit[c * kk + cell] = i;
    }
  });
  return { excite, inhibit };
}

/**
 * The family's weights as a Conv kernel [count · variants, inputs, k, k], and the gain of each
 * variant (fixed on unit 0 and shared by every orientation, so rotated units stay exact copies).
 */
export function familyWeights(f: FamilyDef): { weight: Tensor; gains: number[] } {
  const variants = f.variants ?? 1;
  const kk = f.kernel * f.kernel;
  const cells = cellSamples(f);
  const per = f.inputs.length * kk;
  const out = new Float32Array(f.count * variants * per);
  const gains = new Array<number>(variants).fill(1);
  for (let k = 0; k < f.count; k++) {
    const theta = unitOrientation(f, k);
    for (let v = 0; v < variants; v++) {
      const { excite, inhibit } = unitParts(f, theta, v, cells);
      if (k === 0) {
        let s = 0;
        if ((f.normalize ?? 'excite-sum') === 'abs-sum') for (let j = 0; j < per; j++) s += Math.abs(excite[j] - f.inhibition * inhibit[j]);
        else for (let j = 0; j < per; j++) s += excite[j];
        gains[v] = s > 0 ? 1 / s : 1;
      }
      const base = (k * variants + v) * per;
      for (let j = 0; j < per; j++) out[base + j] = gains[v] * (excite[j] - f.inhibition * inhibit[j]);
    }
  }
  // Gaussian tails far from the shape reach float32's subnormal range (< 1.2e-38), which makes CPU
  // convolution several times slower; below a millionth of the largest weight they change nothing
  // measurable, so they become exact zeros. The cut is symmetric under rotation, as the weights are.
  let largest = 0;
  for (const v of out) largest = Math.max(largest, Math.abs(v));
  const floor = 1e-6 * largest;
  for (let i = 0; i < out.length; i++) if (Math.abs(out[i]) < floor) out[i] = 0;
  return { weight: { dims: [f.count * variants, f.inputs.length, f.kernel, f.kernel], data: out }, gains };
}
