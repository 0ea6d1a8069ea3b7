// TorchRay's smooth mask generator (Fong, Patrick & Vedaldi 2019): parameters on a grid of step s;
// each output pixel is a softmax-weighted ("smooth max", coldness 20) pool over the (2r+1)² nearest
// parameters, each scaled by the kernel exp(−2·max(d/σ − 0.5, 0)²); clamped to [0, 1]. Plus its adjoint.
//
// Same shapes, margins and kernel as TorchRay's `MaskGenerator` (softmax pooling), computed parameter
// by parameter: each parameter reaches a square of pixels where the kernel takes few distinct values
// (it depends on the distance only), so a parameter costs one exp per distinct value, not one per
// pixel; parameters at exactly 0 add nothing (their e⁰ = 1 terms are counted up front) and those at 1
// use shared tables. The forward pass splits into output-row bands and the adjoint into parameter
// ranges, independent of each other: mask-parallel.ts spreads them over threads, and results do not
// depend on the number of threads.

export interface MaskGeneratorOptions {
  /** Parameter grid step in pixels (TorchRay: 7). */
  step: number;
  /** Kernel size σ in pixels (TorchRay: 21); also the margin around the image. */
  sigma: number;
  /** Softmax coldness (TorchRay: 20). */
  coldness?: number;
  /** Clamp the pooled mask to [0, 1] (TorchRay: true). */
  clamp?: boolean;
}

export interface MaskGenerator {
  readonly step: number;
  readonly sigma: number;
  readonly coldness: number;
  readonly clamp: boolean;
  /** Output (cropped) size: the image's H × W. */
  readonly height: number;
  readonly width: number;
  /** Parameter grid size [⌈H/step⌉, ⌈W/step⌉]. */
  readonly shapeIn: [number, number];
  /** Full mask size including the margin (TorchRay's `shape_out`); the area constraint uses it. */
  readonly shapeOut: [number, number];
  /** Offset of the image inside the full mask: round(margin), Python's rounding. */
  readonly crop: number;
  /** Neighbourhood side 2r+1 (TorchRay's unfold kernel size). */
  readonly kernelSide: number;
  /** Distinct kernel values over a parameter's reach (exps per parameter strictly inside (0, 1) in the adjoint). */
  readonly distinctWeights: number;
  /** Full mask from parameters (values should lie in [0, 1]); keeps what the adjoint needs in `state`. */
  generate(params: ArrayLike<number>, full: Float32Array, state: MaskState): void;
  /** The H×W image part of a full mask. */
  cropTo(full: ArrayLike<number>, out: Float32Array): void;
  /** Gradient w.r.t. the parameters from the gradient w.r.t. the full mask (after the clamp). */
  adjoint(params: ArrayLike<number>, state: MaskState, gFull: Float64Array, gParams: Float64Array): void;
  newState(): MaskState;
}

/** Per-pixel softmax normaliser and pooled value before the clamp. */
export interface MaskState {
  den: Float64Array;
  pooled: Float64Array;
}

const MAX_COLDNESS = 600; // exp(coldness) must stay finite in float64

/** Python's round(): halves go to the even neighbour (TorchRay crops at round(margin)). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** All tables and scratch one thread needs for a generator of this shape. */
export function buildTables(height: number, width: number, opts: MaskGeneratorOptions): Tables {
  const step = opts.step;
  const sigma = opts.sigma;
  const c = opts.coldness ?? 20;
  const clamp = opts.clamp ?? true;
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`mask generator step must be a positive integer, got ${step}`);
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`mask generator sigma must be > 0, got ${sigma}`);
  if (!(c > 0 && c <= MAX_COLDNESS)) throw new RangeError(`mask generator coldness must be in (0, ${MAX_COLDNESS}], got ${c}`);
  const margin = sigma;
  const pad = 1 + Math.ceil((margin + sigma) / step);
  const rad = 1 + Math.ceil(sigma / step);
  const KS = 2 * rad + 1;
  const K2 = KS * KS;
  const hin = Math.ceil(height / step);
  const win = Math.ceil(width / step);
  const hmid = hin + 2 * pad - KS + 1;
  const wmid = win + 2 * pad - KS + 1;
  const hout = step * hmid - step + 1;
  const wout = step * wmid - step + 1;
  const crop = roundHalfEven(margin);
  if (crop + height > hout || crop + width > wout) {
    // TorchRay would silently return a smaller mask here.
    throw new RangeError(`mask generator: step ${step} and sigma ${sigma} leave no room for the ${height}×${width} image in the ${hout}×${wout} output; use a smaller step or a larger sigma`);
  }

  const RES = 2048;
  const expInt = new Float64Array(Math.ceil(c) + 1);
  for (let i = 0; i < expInt.length; i++) expInt[i] = Math.exp(i);
  const expT = new Float64Array(RES + 1);
  const expD = new Float64Array(RES);
  for (let i = 0; i <= RES; i++) expT[i] = Math.exp(i / RES);
  for (let i = 0; i < RES; i++) expD[i] = expT[i + 1] - expT[i];

  // A parameter at grid (iy, ix) reaches the output pixels whose step-block lists it among its KS×KS
  // neighbours (TorchRay's unfold), a square of side S starting at row/col (i + pad − KS + 1)·step; a
  // pixel at window position (wy, wx) sits at offset (wy + o0 − margin, wx + o0 − margin) from the
  // parameter's centre margin + step·(iy, ix). `slot` maps window positions to the distinct kernel
  // values `Wu` (the kernel depends on the distance only).
  const S = KS * step;
  const o0 = (pad - KS + 1) * step;
  const uniq = new Map<number, number>();
  const vals: number[] = [];
  const slot = new Int32Array(S * S);
  for (let wy = 0; wy < S; wy++) {
    for (let wx = 0; wx < S; wx++) {
      const dy = wy + o0 - margin;
      const dx = wx + o0 - margin;
      const tz = Math.max(Math.sqrt(dy * dy + dx * dx) / sigma - 0.5, 0);
      const w = Math.fround(Math.exp(-2 * tz * tz));
      let q = uniq.get(w);
      if (q === undefined) {
        q = vals.length;
        vals.push(w);
        uniq.set(w, q);
      }
      slot[wy * S + wx] = q;
    }
  }
  const U = vals.length;
  const Wu = Float64Array.from(vals);
  const oneT1 = new Float64Array(U);
  const oneT2 = new Float64Array(U);
  const oneDen = new Float64Array(U);
  for (let q = 0; q < U; q++) {
    const e = Math.exp(c * Wu[q]);
    oneT1[q] = Wu[q] * e;
    oneT2[q] = c * Wu[q] * Wu[q] * e;
    oneDen[q] = e - 1;
  }

  return {
    height, width, step, sigma, KS, K2, pad, hin, win, hmid, wmid, hout, wout, crop, c, clamp,
    expInt, expT, expD, expLimit: Math.floor(c) * RES,
    S, slot, U, Wu, oneT1, oneT2, oneDen, zeroT2: new Float64Array(U), tA: new Float64Array(U), tB: new Float64Array(U),
  };
}

export function createMaskGenerator(height: number, width: number, opts: MaskGeneratorOptions): MaskGenerator {
  const t = buildTables(height, width, opts);
  const nOut = t.hout * t.wout;
  const alpha = new Float64Array(nOut);
  const beta = new Float64Array(nOut);
  return {
    ...describe(t),
    generate(params, full, state) {
      checkParams(t, params);
      forwardBand(t, params, full, state.den, state.pooled, 0, t.hout);
    },
    adjoint(params, state, gFull, gParams) {
      checkParams(t, params);
      adjointWeights(t, state.den, state.pooled, gFull, alpha, beta);
      adjointParams(t, params, alpha, beta, gParams, 0, t.hin * t.win);
    },
    cropTo: (full, out) => cropTo(t, full, out),
    newState: () => ({ den: new Float64Array(nOut), pooled: new Float64Array(nOut) }),
  };
}

/** The read-only facts of a generator (the MaskGenerator fields that are not functions). */
export function describe(t: Tables): Omit<MaskGenerator, 'generate' | 'adjoint' | 'cropTo' | 'newState'> {
  return {
    step: t.step, sigma: t.sigma, coldness: t.c, clamp: t.clamp, height: t.height, width: t.width,
    shapeIn: [t.hin, t.win], shapeOut: [t.hout, t.wout], crop: t.crop, kernelSide: t.KS, distinctWeights: t.U,
  };
}

export function checkParams(t: Tables, params: ArrayLike<number>): void {
  if (params.length !== t.hin * t.win) throw new RangeError(`mask generator: ${params.length} parameters, expected ${t.hin}×${t.win}`);
}

export function cropTo(t: Tables, full: ArrayLike<number>, out: Float32Array): void {
  for (let y = 0; y < t.height; y++) {
    const src = (y + t.crop) * t.wout + t.crop;
    for (let x = 0; x < t.width; x++) out[y * t.width + x] = full[src + x];
  }
}

/** Everything the kernels read, in one object of fixed shape (fast property access in hot loops). */
export interface Tables {
  height: number; width: number; step: number; sigma: number; KS: number; K2: number; pad: number;
  hin: number; win: number; hmid: number; wmid: number; hout: number; wout: number; crop: number;
  c: number; clamp: boolean;
  /** exp(x) for x in [0, c) as e^⌊x⌋ · (table + linear interpolation) of e^{x−⌊x⌋}: relative error < 3e-8. */
  expInt: Float64Array; expT: Float64Array; expD: Float64Array; expLimit: number;
  /** A parameter's reach: window side, slot of each window position, distinct kernel values, tables for p = 1 and p = 0, scratch. */
  S: number; slot: Int32Array; U: number; Wu: Float64Array; oneT1: Float64Array; oneT2: Float64Array; oneDen: Float64Array; zeroT2: Float64Array;
  tA: Float64Array; tB: Float64Array;
}

const RES_SHIFT = 11; // 2048 table entries per unit of the exponent

function fastExp(t: Tables, x: number): number {
  const u = x * 2048;
  if (u >= 0 && u < t.expLimit) {
    const n = u | 0;
    const j = n & 2047;
    return t.expInt[n >> RES_SHIFT] * (t.expT[j] + (u - n) * t.expD[j]);
  }
  return Math.exp(x);
}

/**
 * Forward pass for output rows [y0, y1), parameter by parameter: each adds e^{cWp} − 1 to the
 * normaliser (which starts at K², every term as e⁰) and W·p·e^{cWp} to the numerator of the pixels it
 * reaches. Every pixel sums its parameters in the same order whatever the row split.
 */
export function forwardBand(t: Tables, params: ArrayLike<number>, full: Float32Array, den: Float64Array, pooled: Float64Array, y0: number, y1: number): void {
  const { step, KS, K2, pad, hin, win, wout, c, clamp, S, slot, U, Wu, oneDen, oneT1, tA, tB } = t;
  den.fill(K2, y0 * wout, y1 * wout);
  pooled.fill(0, y0 * wout, y1 * wout);
  const num = pooled; // the numerator, divided at the end
  for (let iy = 0; iy < hin; iy++) {
    const Y0 = (iy + pad - KS + 1) * step;
    const wy0 = Math.max(0, y0 - Y0);
    const wy1 = Math.min(S, y1 - Y0);
    if (wy0 >= wy1) continue;
    for (let ix = 0; ix < win; ix++) {
      const p = params[iy * win + ix];
      if (p === 0) continue;
      let dT: Float64Array;
      let nT: Float64Array;
      if (p === 1) {
        dT = oneDen;
        nT = oneT1;
      } else {
        for (let q = 0; q < U; q++) {
          const v = Wu[q] * p;
          const e = fastExp(t, c * v);
          tA[q] = e - 1;
          tB[q] = e * v;
        }
        dT = tA;
        nT = tB;
      }
      const X0 = (ix + pad - KS + 1) * step;
      const wx0 = Math.max(0, -X0);
      const wx1 = Math.min(S, wout - X0);
      for (let wy = wy0; wy < wy1; wy++) {
        const srow = wy * S;
        const orow = (Y0 + wy) * wout + X0;
        for (let wx = wx0; wx < wx1; wx++) {
          const q = slot[srow + wx];
          const o = orow + wx;
          den[o] += dT[q];
          num[o] += nT[q];
        }
      }
    }
  }
  for (let o = y0 * wout; o < y1 * wout; o++) {
    const q = num[o] / den[o];
    pooled[o] = q;
    full[o] = clamp ? (q < 0 ? 0 : q > 1 ? 1 : q) : q;
  }
}

/** Per-pixel weights α, β of the adjoint (0 where the gradient is 0 or the clamp is active). */
export function adjointWeights(t: Tables, den: Float64Array, pooled: Float64Array, gFull: Float64Array, alpha: Float64Array, beta: Float64Array): void {
  const { c, clamp } = t;
  for (let o = 0; o < den.length; o++) {
    const g = gFull[o];
    const q = pooled[o];
    // torch.clamp passes the gradient where min ≤ x ≤ max.
    if (g === 0 || (clamp && (q < 0 || q > 1))) {
      alpha[o] = 0;
      beta[o] = 0;
    } else {
      const a = g / den[o];
      alpha[o] = a;
      beta[o] = a * (1 - c * q);
    }
  }
}

/** Gradients of parameters [j0, j1) (flat index), each gathered from the pixels it reaches. */
export function adjointParams(t: Tables, params: ArrayLike<number>, alpha: Float64Array, beta: Float64Array, gParams: Float64Array, j0: number, j1: number): void {
  const { step, KS, pad, win, hout, wout, c, S, slot, U, Wu, oneT1, oneT2, zeroT2, tA, tB } = t;
  for (let j = j0; j < j1; j++) {
    const iy = Math.floor(j / win);
    const ix = j - iy * win;
    const p = params[j];
    let t1: Float64Array;
    let t2: Float64Array;
    if (p === 0) {
      t1 = Wu;
      t2 = zeroT2;
    } else if (p === 1) {
      t1 = oneT1;
      t2 = oneT2;
    } else {
      for (let q = 0; q < U; q++) {
        const w = Wu[q];
        const e = fastExp(t, c * w * p);
        tA[q] = w * e;
        tB[q] = c * w * w * p * e;
      }
      t1 = tA;
      t2 = tB;
    }
    const y0 = (iy + pad - KS + 1) * step;
    const x0 = (ix + pad - KS + 1) * step;
    const wy0 = Math.max(0, -y0);
    const wy1 = Math.min(S, hout - y0);
    const wx0 = Math.max(0, -x0);
    const wx1 = Math.min(S, wout - x0);
    let s = 0;
    for (let wy = wy0; wy < wy1; wy++) {
      const srow = wy * S;
      const orow = (y0 + wy) * wout + x0;
      for (let wx = wx0; wx < wx1; wx++) {
        const q = slot[srow + wx];
        const o = orow + wx;
        s += beta[o] * t1[q] + alpha[o] * t2[q];
      }
    }
    gParams[j] = s;
  }
}
