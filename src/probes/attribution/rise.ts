// RISE (Petsiuk, Das & Saenko, BMVC 2018): N random s×s binary grids (keep probability p),
// upsampled bilinearly with random shifts as TorchRay does (reflect-padded grid, crop at a random
// offset below one cell); saliency = Σ score(x ⊙ M_i) · M_i / (N · p). Forward-only and batched.
import { badInput } from '../../errors.ts';
import { makeRng, randInt, type Rng } from '../../util/rng.ts';
import { scoreMany, scoreOne } from './forward.ts';
import { checkInput } from './subject.ts';
import { probabilitiesOf, scoresOf } from './target.ts';
import type { Attribution, Method, Target } from './types.ts';
import type { Tensor } from '../../engine/tensor.ts';
import { linearTaps } from './maps.ts';

export interface RiseOptions {
  /** Number of random masks (paper: 4000 for ResNet-50; TorchRay's default 8000). */
  masks: number;
  /** Grid cells per side (s). */
  cells: number;
  /** Probability that a cell keeps the input. */
  p: number;
  /** Seed of the mask stream. */
  seed: number;
  /**
   * How a masked input is scored: `probability` (softmax of the class, the paper), `sigmoid`
   * of the target (TorchRay) or `raw` target value. Default: probability for class targets, else raw.
   */
  score: 'probability' | 'sigmoid' | 'raw';
}

export const RISE_DEFAULTS: Omit<RiseOptions, 'score'> = { masks: 4000, cells: 7, p: 0.5, seed: 0 };

/** One RISE mask source: grids, shifts and the separable bilinear upsampling, for an H×W input. */
export interface RiseMasks {
  /** Write mask i (H×W values in [0,1]) into dst; draws are consumed in order of calls. */
  next(dst: Float32Array): void;
}

export function riseMasks(H: number, W: number, cells: number, p: number, rng: Rng): RiseMasks {
  const s = cells;
  const cellY = Math.ceil(H / s);
  const cellX = Math.ceil(W / s);
  // TorchRay upsamples to (H + cell) with its reflect helper, then crops H at a random shift < cell.
  const upY = H + cellY;
  const upX = W + cellX;
  const cy2 = Math.ceil(upY / s);
  const cx2 = Math.ceil(upX / s);
  const padY = cy2 * (s + 2);
  const padX = cx2 * (s + 2);
  const g = s + 2;
  // Taps for every shift, computed once.
  const rowTaps = Array.from({ length: cellY }, (_, sh) => linearTaps(g, padY, H, cy2 + sh));
  const colTaps = Array.from({ length: cellX }, (_, sh) => linearTaps(g, padX, W, cx2 + sh));
  const grid = new Float32Array(g * g);
  const rows = new Float32Array(g * W);
  const reflect = (i: number) => (i < 0 ? -i : i >= s ? 2 * (s - 1) - i : i);
  return {
    next(dst) {
      const cellsOn = new Uint8Array(s * s);
      for (let i = 0; i < s * s; i++) cellsOn[i] = rng() < p ? 1 : 0;
      const shY = randInt(rng, cellY);
      const shX = randInt(rng, cellX);
      for (let y = 0; y < g; y++) for (let x = 0; x < g; x++) grid[y * g + x] = cellsOn[reflect(y - 1) * s + reflect(x - 1)];
      const ct = colTaps[shX];
      for (let y = 0; y < g; y++) {
        for (let x = 0; x < W; x++) {
          const a = grid[y * g + ct.i0[x]];
          const b = grid[y * g + ct.i1[x]];
          rows[y * W + x] = a + (b - a) * ct.f[x];
        }
      }
      const rt = rowTaps[shY];
      for (let y = 0; y < H; y++) {
        const r0 = rt.i0[y] * W;
        const r1 = rt.i1[y] * W;
        const fy = rt.f[y];
        for (let x = 0; x < W; x++) {
          const a = rows[r0 + x];
          dst[y * W + x] = a + (rows[r1 + x] - a) * fy;
        }
      }
    },
  };
}

function reducerFor(score: RiseOptions['score'], target: Target): (t: Tensor) => Float64Array {
  if (score === 'probability') return (t) => probabilitiesOf(target, t);
  if (score === 'sigmoid') return (t) => scoresOf(target, t).map((v) => 1 / (1 + Math.exp(-v)));
  return (t) => scoresOf(target, t);
}

export const rise: Method<RiseOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const o: RiseOptions = { ...RISE_DEFAULTS, score: target.kind === 'class' ? 'probability' : 'raw', ...options };
  if (!Number.isInteger(o.masks) || o.masks < 1) throw badInput('E_ATTR_OPTION', `rise masks must be a positive integer, got ${o.masks}`, undefined, 'the paper uses 4000');
  if (!Number.isInteger(o.cells) || o.cells < 2) throw badInput('E_ATTR_OPTION', `rise cells must be an integer ≥ 2, got ${o.cells}`, undefined, 'the paper uses 7');
  if (!(o.p > 0 && o.p <= 1)) throw badInput('E_ATTR_OPTION', `rise p must be in (0, 1], got ${o.p}`, undefined, 'the paper uses 0.5');
  if (o.score === 'probability' && target.kind !== 'class') throw badInput('E_ATTR_OPTION', 'rise score "probability" needs a class target', undefined, 'use score: raw or sigmoid');
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const gen = riseMasks(H, W, o.cells, o.p, makeRng(o.seed));
  const bs = Math.max(1, Math.min(subject.batchSize, o.masks));
  // Masks of the batch being run and of the one being filled.
  const ring = new Float32Array(2 * bs * HW);
  const sal = new Float64Array(HW);
  const reduce = reducerFor(o.score, target);
  await scoreMany(subject, target, o.masks, (i, dst) => {
    const m = ring.subarray((i % (2 * bs)) * HW, (i % (2 * bs) + 1) * HW);
    gen.next(m);
    for (let c = 0; c < C; c++) {
      const off = c * HW;
      for (let k = 0; k < HW; k++) dst[off + k] = input.data[off + k] * m[k];
    }
  }, {
    batchSize: bs,
    reduce,
    consume: (start, scores) => {
      for (let j = 0; j < scores.length; j++) {
        const i = start + j;
        const m = ring.subarray((i % (2 * bs)) * HW, (i % (2 * bs) + 1) * HW);
        const w = scores[j];
        for (let k = 0; k < HW; k++) sal[k] += w * m[k];
      }
    },
  });
  const norm = 1 / (o.masks * o.p);
  const map = new Float32Array(HW);
  for (let k = 0; k < HW; k++) map[k] = sal[k] * norm;
  const base = await scoreOne(subject, target, input);
  const result: Attribution = {
    method: 'rise',
    target,
    map: { dims: [H, W], data: map },
    params: { masks: o.masks, cells: o.cells, p: o.p, seed: o.seed, score: o.score, upsampling: 'bilinear, reflect-padded grid, random shift < one cell (TorchRay)', normalisation: 'N·p' },
    score: base.score,
    evaluations: { forward: o.masks + 1, backward: 0 },
  };
  return result;
};
