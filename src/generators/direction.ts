// Latent directions (InterFaceGAN, Shen et al. 2020): label sampled latents with a judge, fit a
// linear boundary (seeded logistic regression), and walk along its normal: does the judged
// attribute change monotonically, and do other judges stay put (entanglement)?
import { ranks, pearson } from '../probes/attribution/metrics/spearman.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { Rng } from '../util/rng.ts';
import type { Chain } from './chain.ts';
import { scores, type Judge } from './judge.ts';
import { noiseFeeds, runItems, sampleLatents, type RunContext } from './sample.ts';

export interface DirectionOptions {
  /** Latents to fit on and to test on. */
  train: number;
  test: number;
  /** Score above which a latent is labelled positive (default: halfway between the lowest and highest training score, which splits a present/absent judge at its gap). */
  threshold?: number;
  walk: { steps: number; span: number; bases: number };
}

export interface DirectionResult {
  /** Unit normal of the boundary in latent space. */
  normal: number[];
  threshold: number;
  /** Held-out accuracy of the boundary. */
  accuracy: number;
  /** Walk offsets and the mean score of every judge at each. */
  offsets: number[];
  walk: number[][];
  /** Images of the first base latent along the walk (0..1 as the generator draws them). */
  walkImages: Tensor;
  /** Spearman ρ of offset vs the first judge's mean score. */
  monotonicity: number;
  /** Per other judge: mean |end − start| change ÷ the first judge's. */
  entanglement: number[];
}

/** Logistic regression by gradient descent on the mean log-loss (weights start at zero: deterministic). */
export function logisticRegression(x: Float32Array, d: number, y: number[], iters = 2000, lr = 1, l2 = 1e-4): { w: number[]; b: number } {
  const n = y.length;
  const w = new Array<number>(d).fill(0);
  let b = 0;
  for (let it = 0; it < iters; it++) {
    const gw = new Array<number>(d).fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      let s = b;
      for (let k = 0; k < d; k++) s += w[k] * x[i * d + k];
      const e = 1 / (1 + Math.exp(-s)) - y[i];
      for (let k = 0; k < d; k++) gw[k] += e * x[i * d + k];
      gb += e;
    }
    for (let k = 0; k < d; k++) w[k] -= lr * (gw[k] / n + l2 * w[k]);
    b -= lr * (gb / n);
  }
  return { w, b };
}

export async function findDirection(chain: Chain, judges: readonly Judge[], o: DirectionOptions, rng: Rng, ctx: RunContext): Promise<DirectionResult> {
  const gen = chain.generator;
  const d = gen.latent.size;
  const judge = async (z: Float32Array, n: number) => scores(judges, await runItems(chain.net, { [gen.latent.name]: { dims: [n, d], data: z }, ...noiseFeeds(gen, n) }, [...new Set(judges.map((j) => j.tensor))], ctx), n);
  const zTrain = sampleLatents(rng, o.train, d).data;
  const zTest = sampleLatents(rng, o.test, d).data;
  const sTrain = (await judge(zTrain, o.train))[0];
  const sTest = (await judge(zTest, o.test))[0];
  const threshold = o.threshold ?? (Math.min(...sTrain) + Math.max(...sTrain)) / 2;
  const { w, b } = logisticRegression(zTrain, d, sTrain.map((s) => (s > threshold ? 1 : 0)));
  let right = 0;
  for (let i = 0; i < o.test; i++) {
    let s = b;
    for (let k = 0; k < d; k++) s += w[k] * zTest[i * d + k];
    if ((s > 0) === (sTest[i] > threshold)) right++;
  }
  const norm = Math.hypot(...w) || 1;
  const normal = w.map((v) => v / norm);
  // Walk: from each base latent, offsets −span … span along the normal.
  const { steps, span, bases } = o.walk;
  const offsets = Array.from({ length: steps }, (_, i) => -span + (2 * span * i) / (steps - 1));
  const base = sampleLatents(rng, bases, d).data;
  const z = new Float32Array(bases * steps * d);
  for (let bi = 0; bi < bases; bi++) for (let si = 0; si < steps; si++) for (let k = 0; k < d; k++) z[(bi * steps + si) * d + k] = base[bi * d + k] + offsets[si] * normal[k];
  const s = await judge(z, bases * steps);
  const walkImages = (await runItems(gen.net, { [gen.latent.name]: { dims: [steps, d], data: z.slice(0, steps * d) }, ...noiseFeeds(gen, steps) }, [gen.image.name], ctx))[gen.image.name];
  const walk = s.map((js) => offsets.map((_, si) => js.reduce((acc, v, i) => acc + (i % steps === si ? v : 0), 0) / bases));
  const change = (row: number[]) => {
    let t = 0;
    for (let bi = 0; bi < bases; bi++) t += Math.abs(row[bi * steps + steps - 1] - row[bi * steps]);
    return t / bases;
  };
  const main = change(s[0]);
  return {
    normal,
    threshold,
    accuracy: right / o.test,
    offsets,
    walk,
    walkImages,
    monotonicity: pearson(ranks(offsets), ranks(walk[0])),
    entanglement: s.slice(1).map((row) => (main === 0 ? Infinity : change(row) / main)),
  };
}
