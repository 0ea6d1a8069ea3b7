// ROAD, remove and debias (Rong, Leemann, Borisov, Kasneci & Kasneci 2022): removed pixels are not
// set to a constant (whose sharp edges leak the removal pattern, and with it the map, to the model)
// but imputed from their neighbours by noisy linear interpolation; MoRF and LeRF curves follow.
import { z } from 'zod';
import type { Tensor } from '../../../../engine/tensor.ts';
import { makeRng, normal, type Rng } from '../../../../util/rng.ts';
import { scoreMany } from '../../forward.ts';
import { describeMetric, drawSeed } from '../../metric.ts';
import { int } from '../../method.ts';
import { probabilitiesOf, scoresOf } from '../../target.ts';
import type { Subject, Target } from '../../types.ts';
import { pixelOrder } from './deletion.ts';

export interface RoadOptions {
  /** Removal fractions k/steps, k = 0 … steps − 1 (10: 0%, 10%, …, 90%, the paper's grid; all pixels is never removed, nothing would be left to impute from). */
  steps: number;
  /** Std of the Gaussian noise added to each imputed value, in model-input units (the paper's 0.01). */
  noise: number;
  /** `probability` (softmax of the class, as the paper) or `logit` (the raw target). */
  score?: 'probability' | 'logit';
}

export const ROAD_DEFAULTS: RoadOptions = { steps: 10, noise: 0.01 };

/** The paper's neighbour weights: 1/6 for the four direct neighbours, 1/12 for the four diagonal ones (they sum to 1). */
const NEIGHBOURS: readonly [number, number, number][] = [
  [0, 1, 1 / 6], [0, -1, 1 / 6], [1, 0, 1 / 6], [-1, 0, 1 / 6],
  [1, 1, 1 / 12], [1, -1, 1 / 12], [-1, 1, 1 / 12], [-1, -1, 1 / 12],
];

/**
 * Linear imputation of the pixels where `removed` is 1 (every channel of `planes`, C planes of H×W):
 * each removed value is the weighted mean of its in-image neighbours, known neighbours fixed. As a
 * system, d_i u_i − Σ_{j removed} w_ij u_j = Σ_{j kept} w_ij v_j with d_i the weights of i's in-image
 * neighbours: symmetric, and positive definite whenever one pixel is kept (the grid is connected), so
 * conjugate gradients solve it (the paper uses a sparse direct solver; both give the one solution).
 * Noise N(0, noise²) is added to every imputed value afterwards, as the paper's imputer does.
 */
export function linearImpute(planes: Float32Array, C: number, H: number, W: number, removed: Uint8Array, noise: number, rng: Rng): Float32Array {
  const HW = H * W;
  const out = Float32Array.from(planes);
  const unknown: number[] = [];
  const slot = new Int32Array(HW).fill(-1);
  for (let p = 0; p < HW; p++) if (removed[p]) slot[p] = unknown.push(p) - 1;
  const n = unknown.length;
  if (n === 0) return out;
  if (n === HW) throw new RangeError('linearImpute: every pixel is removed, nothing is left to impute from');
  // Per unknown: its diagonal; its removed neighbours (the matrix, as compressed rows) and its kept
  // ones (the right-hand side), each with its weight.
  const diag = new Float64Array(n);
  const rowStart = new Int32Array(n + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  const knownStart = new Int32Array(n + 1);
  const knownPixels: number[] = [];
  const knownWeights: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = Math.floor(unknown[i] / W);
    const x = unknown[i] % W;
    for (const [dy, dx, w] of NEIGHBOURS) {
      const yy = y + dy;
      const xx = x + dx;
      if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
      const q = yy * W + xx;
      diag[i] += w;
      if (slot[q] >= 0) {
        cols.push(slot[q]);
        vals.push(w);
      } else {
        knownPixels.push(q);
        knownWeights.push(w);
      }
    }
    rowStart[i + 1] = cols.length;
    knownStart[i + 1] = knownPixels.length;
  }
  const col = Int32Array.from(cols);
  const val = Float64Array.from(vals);
  const apply = (u: Float64Array, dst: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s = diag[i] * u[i];
      for (let k = rowStart[i]; k < rowStart[i + 1]; k++) s -= val[k] * u[col[k]];
      dst[i] = s;
    }
  };
  const u = new Float64Array(n);
  const b = new Float64Array(n);
  const r = new Float64Array(n);
  const z = new Float64Array(n);
  const d = new Float64Array(n);
  const q = new Float64Array(n);
  const maxIterations = 20 * Math.ceil(Math.sqrt(n)) + 100;
  for (let c = 0; c < C; c++) {
    const plane = planes.subarray(c * HW, (c + 1) * HW);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = knownStart[i]; k < knownStart[i + 1]; k++) s += knownWeights[k] * plane[knownPixels[k]];
      b[i] = s;
    }
    // Start from a coarse fill of the holes: conjugate gradients are slow at exactly the smooth,
    // large-scale part of the solution that the coarse fill already has.
    const guess = pushPullFill(plane, removed, H, W);
    for (let i = 0; i < n; i++) u[i] = guess[unknown[i]];
    // Jacobi-preconditioned conjugate gradients.
    apply(u, q);
    let bNorm = 0;
    for (let i = 0; i < n; i++) {
      r[i] = b[i] - q[i];
      z[i] = r[i] / diag[i];
      d[i] = z[i];
      bNorm += b[i] * b[i];
    }
    // A relative residual of 1e-5 (measured on a 70%-removed photo-sized image: 1.1e-3 from the exact
    // solution at most, under the 0.01 noise the paper adds afterwards).
    const tol = 1e-10 * Math.max(bNorm, 1e-30);
    let rz = 0;
    for (let i = 0; i < n; i++) rz += r[i] * z[i];
    for (let it = 0; it < maxIterations; it++) {
      let rr = 0;
      for (let i = 0; i < n; i++) rr += r[i] * r[i];
      if (rr <= tol) break;
      apply(d, q);
      let dq = 0;
      for (let i = 0; i < n; i++) dq += d[i] * q[i];
      const alpha = rz / dq;
      for (let i = 0; i < n; i++) {
        u[i] += alpha * d[i];
        r[i] -= alpha * q[i];
        z[i] = r[i] / diag[i];
      }
      let rzNext = 0;
      for (let i = 0; i < n; i++) rzNext += r[i] * z[i];
      const beta = rzNext / rz;
      rz = rzNext;
      for (let i = 0; i < n; i++) d[i] = z[i] + beta * d[i];
    }
    for (let i = 0; i < n; i++) out[c * HW + unknown[i]] = u[i] + (noise > 0 ? noise * normal(rng) : 0);
  }
  return out;
}

/**
 * Holes filled from an image pyramid (pull: 2×2 means of the known pixels, level by level; push:
 * each hole takes its coarse parent's value): a cheap smooth first guess for the solver.
 */
function pushPullFill(plane: ArrayLike<number>, removed: Uint8Array, H: number, W: number): Float64Array {
  const levels: { v: Float64Array; known: Uint8Array; h: number; w: number }[] = [];
  let v = Float64Array.from(plane);
  let known = Uint8Array.from(removed, (r) => 1 - r);
  let h = H;
  let w = W;
  levels.push({ v, known, h, w });
  while ((h > 1 || w > 1) && known.includes(0)) {
    const ch = Math.ceil(h / 2);
    const cw = Math.ceil(w / 2);
    const cv = new Float64Array(ch * cw);
    const ck = new Uint8Array(ch * cw);
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < cw; x++) {
        let sum = 0;
        let count = 0;
        for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) {
          const yy = 2 * y + dy;
          const xx = 2 * x + dx;
          if (yy < h && xx < w && known[yy * w + xx]) {
            sum += v[yy * w + xx];
            count++;
          }
        }
        if (count > 0) {
          cv[y * cw + x] = sum / count;
          ck[y * cw + x] = 1;
        }
      }
    }
    v = cv;
    known = ck;
    h = ch;
    w = cw;
    levels.push({ v, known, h, w });
  }
  for (let l = levels.length - 2; l >= 0; l--) {
    const fine = levels[l];
    const coarse = levels[l + 1];
    for (let y = 0; y < fine.h; y++) for (let x = 0; x < fine.w; x++) {
      const p = y * fine.w + x;
      if (!fine.known[p]) fine.v[p] = coarse.v[(y >> 1) * coarse.w + (x >> 1)];
    }
  }
  return levels[0].v;
}

export interface RoadCurves {
  /** Removal fractions. */
  x: number[];
  /** Most relevant first: a faithful map makes the score fall fast. */
  morf: number[];
  /** Least relevant first: a faithful map keeps the score. */
  lerf: number[];
}

/**
 * The MoRF and LeRF curves: for each fraction, that share of the pixels (ordered by the map summed
 * over channels, ties by index) is removed and imputed, and the target scored.
 */
export async function roadCurves(subject: Subject, input: Tensor, target: Target, map: Tensor, o: RoadOptions, rng: Rng): Promise<RoadCurves> {
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const order = pixelOrder(map);
  const counts = Array.from({ length: o.steps }, (_, k) => Math.round((k * HW) / o.steps));
  const imputed = (fromTop: boolean) => counts.map((n) => {
    const removed = new Uint8Array(HW);
    for (let j = 0; j < n; j++) removed[order[fromTop ? j : HW - 1 - j]] = 1;
    return linearImpute(input.data, C, H, W, removed, o.noise, rng);
  });
  const images = [...imputed(true), ...imputed(false)];
  const useProbability = (o.score ?? (target.kind === 'class' && subject.logits ? 'probability' : 'logit')) === 'probability';
  const reduce = useProbability ? (t: Tensor) => probabilitiesOf(target, t) : (t: Tensor) => scoresOf(target, t);
  const y = Array.from(await scoreMany(subject, target, images.length, (i, dst) => dst.set(images[i]), { reduce }));
  return { x: counts.map((n) => n / HW), morf: y.slice(0, o.steps), lerf: y.slice(o.steps) };
}

const mean = (v: number[]) => v.reduce((s, a) => s + a, 0) / v.length;

export const roadMetric = describeMetric<RoadOptions>({
  key: 'road',
  family: 'faithfulness',
  description: 'ROAD (remove and debias): pixels removed in the map’s order and imputed from their neighbours; road_morf (mean score, most relevant first: low is good), road_lerf (least relevant first: high is good), road_gap = lerf − morf',
  form: 'options',
  options: {
    steps: { schema: int(2, 1000), description: 'Removal fractions k/steps, k = 0 … steps − 1' },
    noise: { schema: z.number().min(0), description: 'Std of the noise added to each imputed value (model-input units)' },
    score: { schema: z.enum(['probability', 'logit']), description: 'Softmax probability of the class or the raw target value', defaultText: 'probability for class targets, else logit' },
  },
  defaults: ROAD_DEFAULTS,
  metrics: ['road_morf', 'road_lerf', 'road_gap'],
  needs: ['model', 'random'],
  passes: (o) => 2 * o.steps,
  run: async (ctx, o) => {
    const c = await roadCurves(ctx.subject, ctx.input, ctx.target, ctx.attribution.map, o, makeRng(drawSeed(ctx.rng)));
    const morf = mean(c.morf);
    const lerf = mean(c.lerf);
    const plot = { kind: 'line' as const, xLabel: 'fraction of pixels removed and imputed', yLabel: 'score', series: [{ name: 'MoRF', x: c.x, y: c.morf }, { name: 'LeRF', x: c.x, y: c.lerf }] };
    return {
      values: { road_morf: morf, road_lerf: lerf, road_gap: lerf - morf },
      artifacts: [{ type: 'plot', name: `road ${ctx.label}`, caption: `ROAD curves (noisy linear imputation), ${ctx.label}`, plot }],
    };
  },
});
