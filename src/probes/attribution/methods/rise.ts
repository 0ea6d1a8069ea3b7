// RISE (Petsiuk, Das & Saenko, BMVC 2018): N random s×s binary grids (keep probability p),
// upsampled bilinearly with random shifts as TorchRay does (reflect-padded grid, crop at a random
// offset below one cell); saliency = Σ score(x ⊙ M_i) · M_i / (N · p). Forward-only and batched; the
// upsampling and masking run inside the model's graph (rise-net.ts), riseMasks is their JS definition.
import { badInput } from '../../../errors.ts';
import { makeRng, randInt, type Rng } from '../../../util/rng.ts';
import { run } from '../../../engine/session.ts';
import type { Tensor } from '../../../engine/tensor.ts';
import { scoreOne } from '../forward.ts';
import { linearTaps } from '../maps.ts';
import { RISE_FEEDS, RISE_MASK, riseNet, tapMatrix, transposed } from './rise-net.ts';
import { checkInput } from '../subject.ts';
import { probabilitiesOf, scoresOf, targetTensor } from '../target.ts';
import type { Attribution, Method, Subject, Target } from '../types.ts';
import { z } from 'zod';
import { describeMethod, int, seedOption } from '../method.ts';

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

/** One mask's random draws: the s×s cells (1 keeps), then the row and column shift (< one cell). */
export interface RiseDraw {
  cells: Uint8Array;
  shiftY: number;
  shiftX: number;
}

/** The geometry TorchRay's RISE uses for an H×W input and s cells per side. */
export function riseGeometry(H: number, W: number, cells: number) {
  const s = cells;
  const cellY = Math.ceil(H / s);
  const cellX = Math.ceil(W / s);
  // TorchRay upsamples to (H + cell) with its reflect helper, then crops H at a random shift < cell.
  const upY = H + cellY;
  const upX = W + cellX;
  const cy2 = Math.ceil(upY / s);
  const cx2 = Math.ceil(upX / s);
  const g = s + 2;
  return {
    s, g, cellY, cellX,
    /** Taps of the reflect-padded g-grid for every row / column shift. */
    rowTaps: Array.from({ length: cellY }, (_, sh) => linearTaps(g, cy2 * g, H, cy2 + sh)),
    colTaps: Array.from({ length: cellX }, (_, sh) => linearTaps(g, cx2 * g, W, cx2 + sh)),
  };
}

/** Draw the next mask's cells and shifts (the order of draws is the stream's contract). */
export function riseDraw(rng: Rng, geo: ReturnType<typeof riseGeometry>, p: number, into?: RiseDraw): RiseDraw {
  const d = into ?? { cells: new Uint8Array(geo.s * geo.s), shiftY: 0, shiftX: 0 };
  for (let i = 0; i < d.cells.length; i++) d.cells[i] = rng() < p ? 1 : 0;
  d.shiftY = randInt(rng, geo.cellY);
  d.shiftX = randInt(rng, geo.cellX);
  return d;
}

/** The cells reflect-padded by one on every side: the g×g grid TorchRay upsamples. */
export function padCells(cells: Uint8Array, s: number, out: Float32Array): void {
  const g = s + 2;
  const reflect = (i: number) => (i < 0 ? -i : i >= s ? 2 * (s - 1) - i : i);
  for (let y = 0; y < g; y++) for (let x = 0; x < g; x++) out[y * g + x] = cells[reflect(y - 1) * s + reflect(x - 1)];
}

/** The masks in plain JS (the definition; rise() computes the same masks inside the model's graph). */
export function riseMasks(H: number, W: number, cells: number, p: number, rng: Rng): RiseMasks {
  const geo = riseGeometry(H, W, cells);
  const g = geo.g;
  const grid = new Float32Array(g * g);
  const rows = new Float32Array(g * W);
  const draw: RiseDraw = { cells: new Uint8Array(geo.s * geo.s), shiftY: 0, shiftX: 0 };
  return {
    next(dst) {
      riseDraw(rng, geo, p, draw);
      padCells(draw.cells, geo.s, grid);
      const ct = geo.colTaps[draw.shiftX];
      for (let y = 0; y < g; y++) {
        for (let x = 0; x < W; x++) {
          const a = grid[y * g + ct.i0[x]];
          const b = grid[y * g + ct.i1[x]];
          rows[y * W + x] = a + (b - a) * ct.f[x];
        }
      }
      const rt = geo.rowTaps[draw.shiftY];
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
  const [, H, W] = subject.inputDims;
  const HW = H * W;
  const sal = await saliencySum(subject, input, target, o, reducerFor(o.score, target));
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

/**
 * Σ score(x ⊙ M_i)·M_i over the masks, in batches of the subject's size: each run of the masked
 * net (rise-net.ts) upsamples the batch's grids, masks the image and scores it. JS only draws cells
 * and shifts and adds up the returned masks: onnxruntime-node runs a session on the calling thread,
 * so JS work between runs is never hidden behind them, and keeping it small is what keeps RISE at
 * the model's own speed.
 */
async function saliencySum(subject: Subject, input: Tensor, target: Target, o: RiseOptions, reduce: (t: Tensor) => Float64Array): Promise<Float64Array> {
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const geo = riseGeometry(H, W, o.cells);
  const g = geo.g;
  const rowMats = geo.rowTaps.map((t) => tapMatrix(t, g));
  const colMats = geo.colTaps.map((t) => transposed(tapMatrix(t, g), W, g));
  const net = riseNet(subject, g);
  const tensor = targetTensor(subject, target);
  const rng = makeRng(o.seed);
  const draw: RiseDraw = { cells: new Uint8Array(geo.s * geo.s), shiftY: 0, shiftX: 0 };
  const bs = Math.max(1, Math.min(subject.batchSize, o.masks));
  const image: Tensor = { dims: [1, C, H, W], data: input.data };
  const grid = new Float32Array(g * g);
  // Two sets of feed buffers: the next batch is drawn before the previous run has consumed its feeds.
  const feeds = [0, 1].map(() => ({ grid: new Float32Array(bs * g * g), rows: new Float32Array(bs * H * g), cols: new Float32Array(bs * g * W) }));
  const fill = (start: number, f: (typeof feeds)[number]): Record<string, Tensor> => {
    const n = Math.min(bs, o.masks - start);
    for (let j = 0; j < n; j++) {
      riseDraw(rng, geo, o.p, draw);
      padCells(draw.cells, geo.s, grid);
      f.grid.set(grid, j * g * g);
      f.rows.set(rowMats[draw.shiftY], j * H * g);
      f.cols.set(colMats[draw.shiftX], j * g * W);
    }
    return {
      [RISE_FEEDS.image]: image,
      [RISE_FEEDS.grid]: { dims: [n, 1, g, g], data: f.grid.subarray(0, n * g * g) },
      [RISE_FEEDS.rows]: { dims: [n, 1, H, g], data: f.rows.subarray(0, n * H * g) },
      [RISE_FEEDS.cols]: { dims: [n, 1, g, W], data: f.cols.subarray(0, n * g * W) },
    };
  };
  const sal = new Float64Array(HW);
  let next = fill(0, feeds[0]);
  for (let start = 0, which = 0; start < o.masks; start += bs, which = 1 - which) {
    const pending = run(net, next, [tensor, RISE_MASK], { device: subject.device });
    if (start + bs < o.masks) next = fill(start + bs, feeds[1 - which]);
    const res = await pending;
    const scores = reduce(res[tensor]);
    const masks = res[RISE_MASK].data;
    for (let j = 0; j < scores.length; j++) {
      const w = scores[j];
      const m = j * HW;
      for (let k = 0; k < HW; k++) sal[k] += w * masks[m + k];
    }
  }
  return sal;
}

export const riseDescriptor = describeMethod<RiseOptions>({
  name: 'rise',
  defaults: RISE_DEFAULTS,
  random: true,
  options: {
    masks: { schema: int(1, 1_000_000), description: 'Random masks' },
    cells: { schema: int(2, 256), description: 'Grid cells per side' },
    p: { schema: z.number().gt(0).max(1), description: 'Keep probability of a cell' },
    seed: seedOption,
    score: { schema: z.enum(['probability', 'sigmoid', 'raw']), description: 'Score of a masked input', defaultText: 'probability for classes, else raw' },
  },
  passes: (o) => o.masks,
  run: rise,
});
