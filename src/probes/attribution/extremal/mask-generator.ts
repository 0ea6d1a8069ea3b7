// TorchRay's smooth mask generator (Fong, Patrick & Vedaldi 2019): parameters on a grid of step s;
// each output pixel is a softmax-weighted ("smooth max", coldness 20) pool over the (2r+1)² nearest
// parameters, each scaled by the kernel exp(−2·max(d/σ − 0.5, 0)²); clamped to [0, 1]. Plus its adjoint.
//
// Same shapes, margins and kernel as TorchRay's `MaskGenerator` (softmax pooling), computed by
// distinct kernel value: the kernel depends on the distance only, so over a parameter's reach it
// takes few distinct values W_u (461 for 224² with step 7, σ 21). For each W_u the terms e^{c·W_u·p}
// of all parameters form one small plane (one exp per parameter), and every (phase in the step×step
// block, neighbour offset) pair that uses W_u adds a shifted copy of that plane to its phase of the
// output: contiguous row additions, run two values at a time by simd-rows.ts, with no per-pixel exps
// and no scattered writes. The forward pass also keeps, per W_u, the two parameter planes the adjoint
// multiplies with, so the adjoint is row multiply-adds only. The forward pass splits into block rows,
// the adjoint into parameter rows; every pixel and parameter sums its terms in one fixed order, so
// mask-parallel.ts can spread the ranges over threads and results do not depend on their number.

import { ensureValues, kernelMemory, rowKernels, type RowKernels } from './simd-rows.ts';

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
  /** Distinct kernel values over a parameter's reach (exps per parameter in a forward pass). */
  readonly distinctWeights: number;
  /** Full mask from parameters (values should lie in [0, 1]); keeps what the adjoint needs in `state`. */
  generate(params: ArrayLike<number>, full: Float32Array, state: MaskState): void;
  /** The H×W image part of a full mask. */
  cropTo(full: ArrayLike<number>, out: Float32Array): void;
  /** Gradient w.r.t. the parameters from the gradient w.r.t. the full mask (after the clamp), at the parameters of the last generate with `state`. */
  adjoint(params: ArrayLike<number>, state: MaskState, gFull: Float64Array, gParams: Float64Array): void;
  newState(): MaskState;
}

/**
 * What the adjoint needs from the last forward pass: per-pixel softmax normaliser and pooled value
 * before the clamp, and the planes W_u·e^{cv} and c·W_u·v·e^{cv} (v = W_u·p) of every parameter,
 * [U × params] each, which live in the kernel memory from offset `planes` on.
 */
export interface MaskState {
  den: Float64Array;
  pooled: Float64Array;
  planes: number;
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

/**
 * Where everything lies in the kernel memory (float64 offsets): first what all threads share (the
 * adjoint weights α, β, the parameter gradient and the parameters), then each thread's scratch (per-phase sums and
 * two parameter planes), then each state's planes.
 */
export function memoryLayout(P: number, BB: number, nIn: number, U: number, threads: number, states: number) {
  const shared = 2 * P * BB + 2 * nIn;
  const own = 2 * P * BB + 2 * nIn;
  const perState = 2 * U * nIn;
  return {
    alpha: 0, beta: P * BB, g: 2 * P * BB, params: 2 * P * BB + nIn,
    thread: (i: number) => {
      const base = shared + i * own;
      return { accD: base, accN: base + P * BB, planeA: base + 2 * P * BB, planeB: base + 2 * P * BB + nIn };
    },
    state: (k: number) => shared + threads * own + k * perState,
    perState,
    total: shared + threads * own + states * perState,
  };
}

/**
 * All tables and scratch one thread needs for a generator of this shape. The threads of a parallel
 * generator pass the memory the first one made (memoryLayout with `threads` and `states`); a
 * generator of its own makes a memory that grows as states are added.
 */
export function buildTables(height: number, width: number, opts: MaskGeneratorOptions, memory?: WebAssembly.Memory, thread = 0, threads = 1, states = 0): Tables {
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

  // Output pixel (y, x) = (step·by + ry, step·bx + rx) lies in block (by, bx) at phase (ry, rx). Its
  // KS×KS neighbours (TorchRay's unfold) are the parameters (by + e − ky, bx + e − kx), e = KS − 1 − pad,
  // one per tap (ky, kx); those outside the grid are TorchRay's zero padding. The kernel value of a
  // (phase, tap) pair depends on the pixel's offset from the parameter's centre margin + step·(iy, ix),
  // which is (step·ky + ry + o0 − margin, …) with o0 = (pad − KS + 1)·step.
  const o0 = (pad - KS + 1) * step;
  const P = step * step;
  const uniq = new Map<number, number>();
  const vals: number[] = [];
  const slotOf = new Int32Array(P * K2);
  for (let ky = 0; ky < KS; ky++) {
    for (let ry = 0; ry < step; ry++) {
      for (let kx = 0; kx < KS; kx++) {
        for (let rx = 0; rx < step; rx++) {
          const dy = step * ky + ry + o0 - margin;
          const dx = step * kx + rx + o0 - margin;
          const tz = Math.max(Math.sqrt(dy * dy + dx * dx) / sigma - 0.5, 0);
          const w = Math.fround(Math.exp(-2 * tz * tz));
          let q = uniq.get(w);
          if (q === undefined) {
            q = vals.length;
            vals.push(w);
            uniq.set(w, q);
          }
          slotOf[(ry * step + rx) * K2 + ky * KS + kx] = q;
        }
      }
    }
  }
  const U = vals.length;
  // The (phase, tap) pairs grouped by kernel value, in a fixed order (CSR over u).
  const uStart = new Int32Array(U + 1);
  for (let i = 0; i < slotOf.length; i++) uStart[slotOf[i] + 1]++;
  for (let u = 0; u < U; u++) uStart[u + 1] += uStart[u];
  const fillAt = uStart.slice(0, U);
  const entPhaseY = new Int32Array(slotOf.length);
  const entPhaseX = new Int32Array(slotOf.length);
  const entKy = new Int32Array(slotOf.length);
  const entKx = new Int32Array(slotOf.length);
  for (let r = 0; r < P; r++) {
    for (let k = 0; k < K2; k++) {
      const q = fillAt[slotOf[r * K2 + k]]++;
      entPhaseY[q] = Math.floor(r / step);
      entPhaseX[q] = r % step;
      entKy[q] = Math.floor(k / KS);
      entKx[q] = k % KS;
    }
  }
  // Blocks that hold a pixel at phase row ry (the last block row has only ry = 0), likewise columns.
  const nbY = Int32Array.from({ length: step }, (_, ry) => Math.ceil((hout - ry) / step));
  const nbX = Int32Array.from({ length: step }, (_, rx) => Math.ceil((wout - rx) / step));
  const BB = hmid * wmid;
  const nIn = hin * win;
  const layout = memoryLayout(P, BB, nIn, U, threads, states);
  // A generator of its own grows by one state's planes per newState (up to 1 GiB).
  const kernel = rowKernels(memory ?? kernelMemory(layout.total, 2 ** 27));
  ensureValues(kernel.memory, layout.total);
  const at = { alpha: layout.alpha, beta: layout.beta, g: layout.g, params: layout.params, ...layout.thread(thread) };
  const view = (offset: number, length: number) => new Float64Array(kernel.memory.buffer, offset * 8, length);

  return {
    height, width, step, sigma, KS, K2, pad, hin, win, hmid, wmid, hout, wout, crop, c, clamp,
    U, Wu: Float64Array.from(vals), e: KS - 1 - pad, P, BB, nbY, nbX, uStart, entPhaseY, entPhaseX, entKy, entKx,
    kernel, layout, at,
    accD: view(at.accD, P * BB), accN: view(at.accN, P * BB), planeA: view(at.planeA, nIn), planeB: view(at.planeB, nIn),
    alphaP: view(at.alpha, P * BB), betaP: view(at.beta, P * BB), g: view(at.g, nIn), params: view(at.params, nIn),
  };
}

/** The state whose planes start at `planes` in the kernel memory (den and pooled given, or new). */
export function stateAt(t: Tables, planes: number, den?: Float64Array, pooled?: Float64Array): MaskState {
  const nOut = t.hout * t.wout;
  return { den: den ?? new Float64Array(nOut), pooled: pooled ?? new Float64Array(nOut), planes };
}

export function createMaskGenerator(height: number, width: number, opts: MaskGeneratorOptions): MaskGenerator {
  const t = buildTables(height, width, opts);
  let states = 0;
  return {
    ...describe(t),
    generate(params, full, state) {
      checkParams(t, params);
      t.params.set(params);
      forwardRows(t, full, state, 0, t.hmid);
    },
    adjoint(params, state, gFull, gParams) {
      checkParams(t, params);
      adjointWeights(t, state.den, state.pooled, gFull);
      adjointRows(t, state, 0, t.hin);
      gParams.set(t.g);
    },
    cropTo: (full, out) => cropTo(t, full, out),
    newState() {
      const planes = t.layout.state(states++);
      ensureValues(t.kernel.memory, planes + t.layout.perState);
      return stateAt(t, planes);
    },
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
  /** Distinct kernel values W_u; tap offset e = KS − 1 − pad; phases P = step²; blocks per phase BB = hmid·wmid. */
  U: number; Wu: Float64Array; e: number; P: number; BB: number;
  /** Blocks holding a pixel at each phase row / column. */
  nbY: Int32Array; nbX: Int32Array;
  /** (phase, tap) pairs by kernel value: pairs uStart[u] … uStart[u+1] − 1 use W_u. */
  uStart: Int32Array; entPhaseY: Int32Array; entPhaseX: Int32Array; entKy: Int32Array; entKx: Int32Array;
  /** The row kernels, the memory layout and where this thread's arrays lie. */
  kernel: RowKernels; layout: ReturnType<typeof memoryLayout>;
  at: { alpha: number; beta: number; g: number; params: number; accD: number; accN: number; planeA: number; planeB: number };
  /** Views on the kernel memory: this thread's per-phase sums [P × BB] and two parameter planes; the shared adjoint weights [P × BB], parameter gradient and parameters. */
  accD: Float64Array; accN: Float64Array; planeA: Float64Array; planeB: Float64Array; alphaP: Float64Array; betaP: Float64Array; g: Float64Array; params: Float64Array;
}

/**
 * Forward pass for block rows [b0, b1) (output rows step·b0 … step·b1 − 1) at the parameters in
 * t.params. The normaliser of a pixel is K² (every term as e⁰) plus Σ (e^{cv} − 1) over its
 * neighbours, the numerator Σ v·e^{cv}, v = W·p. The bands of one pass keep disjoint parameter rows
 * of the adjoint's planes in `state`.
 */
export function forwardRows(t: Tables, full: Float32Array, state: MaskState, b0: number, b1: number): void {
  const { step, KS, K2, hin, win, hmid, wmid, hout, wout, c, clamp, U, Wu, e, P, BB, nbY, nbX, uStart, entPhaseY, entPhaseX, entKy, entKx, accD, accN, kernel, at } = t;
  const { den, pooled } = state;
  const nIn = hin * win;
  for (let r = 0; r < P; r++) {
    accD.fill(0, r * BB + b0 * wmid, r * BB + b1 * wmid);
    accN.fill(0, r * BB + b0 * wmid, r * BB + b1 * wmid);
  }
  // Parameter rows these blocks reach: iy = by + e − ky (e ≥ 1). The band keeps the adjoint's planes
  // for rows b0 + e … b1 + e (from 0 for the first band, to the end for the last), which tile the grid.
  const i0 = Math.max(0, b0 + e - KS + 1);
  const i1 = Math.min(hin, b1 + e);
  const s0 = (b0 === 0 ? 0 : Math.min(hin, b0 + e)) * win;
  const s1 = (b1 >= hmid ? hin : i1) * win;
  for (let u = 0; u < U && i0 < i1; u++) {
    const w = Wu[u];
    kernel.planes(at.params + i0 * win, at.planeA + i0 * win, at.planeB + i0 * win, (i1 - i0) * win, w, c);
    if (s1 > s0) kernel.keep(at.params + s0, at.planeA + s0, state.planes + u * nIn + s0, state.planes + (U + u) * nIn + s0, s1 - s0, w, c);
    for (let q = uStart[u]; q < uStart[u + 1]; q++) {
      const ry = entPhaseY[q];
      const rx = entPhaseX[q];
      const ky = entKy[q];
      const kx = entKx[q];
      const byA = Math.max(b0, ky - e);
      const byB = Math.min(b1, nbY[ry], ky - e + hin);
      const bxA = Math.max(0, kx - e);
      const bxB = Math.min(nbX[rx], kx - e + win);
      if (byA >= byB || bxA >= bxB) continue;
      const d = (ry * step + rx) * BB + byA * wmid + bxA;
      const s = (byA + e - ky) * win + bxA + e - kx;
      kernel.addRows(at.accD + d, at.planeA + s, at.accN + d, at.planeB + s, byB - byA, bxB - bxA, wmid, win);
    }
  }
  for (let by = b0; by < b1; by++) {
    for (let ry = 0; ry < step; ry++) {
      const y = by * step + ry;
      if (y >= hout) break;
      for (let rx = 0; rx < step; rx++) {
        const base = (ry * step + rx) * BB + by * wmid;
        for (let bx = 0, x = rx; x < wout; bx++, x += step) {
          const o = y * wout + x;
          const d = K2 + accD[base + bx];
          const q = accN[base + bx] / d;
          den[o] = d;
          pooled[o] = q;
          full[o] = clamp ? (q < 0 ? 0 : q > 1 ? 1 : q) : q;
        }
      }
    }
  }
}

/**
 * Per-pixel weights α = g/den and β = α·(1 − c·pooled) of the adjoint, laid out by phase
 * ([P × BB], like the forward sums) in the shared t.alphaP, t.betaP; 0 where the gradient is 0, the
 * clamp is active or no pixel exists.
 */
export function adjointWeights(t: Tables, den: Float64Array, pooled: Float64Array, gFull: Float64Array): void {
  const { step, hmid, wmid, hout, wout, c, clamp, BB, alphaP, betaP } = t;
  alphaP.fill(0);
  betaP.fill(0);
  for (let by = 0; by < hmid; by++) {
    for (let ry = 0; ry < step; ry++) {
      const y = by * step + ry;
      if (y >= hout) break;
      for (let rx = 0; rx < step; rx++) {
        const base = (ry * step + rx) * BB + by * wmid;
        for (let bx = 0, x = rx; x < wout; bx++, x += step) {
          const o = y * wout + x;
          const g = gFull[o];
          const q = pooled[o];
          // torch.clamp passes the gradient where min ≤ x ≤ max.
          if (g === 0 || (clamp && (q < 0 || q > 1))) continue;
          const a = g / den[o];
          alphaP[base + bx] = a;
          betaP[base + bx] = a * (1 - c * q);
        }
      }
    }
  }
}

/**
 * Gradients of parameter rows [i0, i1) into t.g, from the weights adjointWeights left. With v = W·p
 * and s = e^{cv}/den, ∂pooled/∂p = W·s·(1 + c·(v − pooled)), so a parameter gathers
 * Σ β·W·e^{cv} + α·c·W·v·e^{cv} over the pixels it reaches: for each pair that uses W_u, the pair's
 * shifted β and α planes times the state's planes of W_u.
 */
export function adjointRows(t: Tables, state: MaskState, i0: number, i1: number): void {
  const { step, hin, win, wmid, U, e, BB, nbY, nbX, uStart, entPhaseY, entPhaseX, entKy, entKx, kernel, at, g } = t;
  const nIn = hin * win;
  const t1 = state.planes;
  const t2 = state.planes + U * nIn;
  g.fill(0, i0 * win, i1 * win);
  for (let u = 0; u < U; u++) {
    for (let q = uStart[u]; q < uStart[u + 1]; q++) {
      const ry = entPhaseY[q];
      const rx = entPhaseX[q];
      const ky = entKy[q];
      const kx = entKx[q];
      // Parameter (iy, ix) sits at tap (ky, kx) of block (iy − e + ky, ix − e + kx).
      const iyA = Math.max(i0, e - ky);
      const iyB = Math.min(i1, nbY[ry] + e - ky);
      const ixA = Math.max(0, e - kx);
      const ixB = Math.min(win, nbX[rx] + e - kx);
      if (iyA >= iyB || ixA >= ixB) continue;
      const s = (ry * step + rx) * BB + (iyA - e + ky) * wmid + ixA - e + kx;
      const d = iyA * win + ixA;
      const plane = u * nIn + d;
      kernel.macRows(at.g + d, t1 + plane, t2 + plane, at.beta + s, at.alpha + s, iyB - iyA, ixB - ixA, win, wmid);
    }
  }
}
