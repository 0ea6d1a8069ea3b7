// Extremal perturbation (Fong, Patrick & Vedaldi, ICCV 2019), as TorchRay implements it: a blur
// pyramid, the smooth-max mask generator, the ranking area constraint with a growing weight, SGD
// with momentum and dampening, preserve / delete / dual games, flip jitter, several areas at once.
//
// The reward is the target's value (TorchRay's `simple_reward`) or, with a contrastive target,
// y_c − max_{c'≠c} y_c' (`contrastive_reward`). JS computes the mask and its adjoint; the model's
// forward and input gradient run as one batched autodiff call per iteration (all areas together).
import type { Tensor } from '../../../engine/tensor.ts';
import { badInput } from '../../../errors.ts';
import { areaPenalty, referenceZeros } from './area.ts';
import { blurPlanes, perturbationPyramidFast } from '../blur.ts';
import { scoreMany, scoreOne } from '../forward.ts';
import { targetGradient } from '../gradients.ts';
import type { MaskState } from './mask-generator.ts';
import { acquireMaskGenerator, type ParallelMaskGenerator } from './mask-parallel.ts';
import { applyPyramid, perturbKeepingLevels, levelAdjoint } from './perturbation.ts';
import { checkInput } from '../subject.ts';
import type { Attribution, MaskResult, Method, Subject, Target } from '../types.ts';
import { z } from 'zod';
import { describeMethod, GRADIENT_PASSES, int, positive } from '../method.ts';

export type ExtremalVariant = 'preserve' | 'delete' | 'dual';

export interface ExtremalOptions {
  /** Target areas (fractions of the image), optimised together (TorchRay: [0.1]). */
  areas: number[];
  variant: ExtremalVariant;
  perturbation: 'blur' | 'fade';
  /** Optimisation steps (TorchRay: 800). */
  iterations: number;
  /** Pyramid levels (8) and the largest blur σ (20 px). */
  levels: number;
  maxBlur: number;
  /** Mask parameter step (7 px) and smoothing σ (21 px) of the mask generator. */
  step: number;
  sigma: number;
  /** Horizontal flip of the perturbed input on even iterations. */
  jitter: boolean;
  learningRate: number;
  /** SGD momentum; dampening equals it (TorchRay). */
  momentum: number;
  /** λ of the area constraint at the start (300) and its growth per iteration (×1.0035). */
  areaWeight: number;
  areaGrowth: number;
  /** Gaussian smoothing of the final masks with σ = smooth · min(H, W) (0: none). */
  smooth: number;
  /** Threads for the mask generator (0: half the cores, at most 8; see mask-parallel.ts). Results do not depend on it. */
  threads: number;
}

export const EXTREMAL_DEFAULTS: ExtremalOptions = {
  areas: [0.1],
  variant: 'preserve',
  perturbation: 'blur',
  iterations: 800,
  levels: 8,
  maxBlur: 20,
  step: 7,
  sigma: 21,
  jitter: true,
  learningRate: 0.01,
  momentum: 0.9,
  areaWeight: 300,
  areaGrowth: 1.0035,
  smooth: 0,
  threads: 0,
};

function check(o: ExtremalOptions): void {
  const fail = (what: string, hint: string) => badInput('E_ATTR_OPTION', `extremal ${what}`, undefined, hint);
  if (!Array.isArray(o.areas) || o.areas.length === 0 || o.areas.some((a) => !(a > 0 && a < 1))) throw fail(`areas must be fractions in (0, 1), got [${o.areas}]`, 'e.g. areas: [0.05, 0.1, 0.2]');
  if (!Number.isInteger(o.iterations) || o.iterations < 1) throw fail(`iterations must be a positive integer, got ${o.iterations}`, 'TorchRay uses 800');
  if (!Number.isInteger(o.levels) || o.levels < 2) throw fail(`levels must be an integer ≥ 2, got ${o.levels}`, 'TorchRay uses 8');
  if (!(o.maxBlur > 0)) throw fail(`maxBlur must be > 0, got ${o.maxBlur}`, 'TorchRay uses 20');
  if (!(o.learningRate > 0)) throw fail(`learningRate must be > 0, got ${o.learningRate}`, 'TorchRay uses 0.01');
  if (!(o.momentum >= 0 && o.momentum < 1)) throw fail(`momentum must be in [0, 1), got ${o.momentum}`, 'TorchRay uses 0.9');
  if (!(o.smooth >= 0)) throw fail(`smooth must be ≥ 0, got ${o.smooth}`, 'TorchRay uses 0');
  if (!Number.isInteger(o.threads) || o.threads < 0) throw fail(`threads must be an integer ≥ 0, got ${o.threads}`, '0 uses half the cores');
}

export const extremal: Method<ExtremalOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const o: ExtremalOptions = { ...EXTREMAL_DEFAULTS, ...options };
  check(o);
  const [C, H, W] = subject.inputDims;
  const A = o.areas.length;
  const pyramid = await perturbationPyramidFast(input.data, C, H, W, o.levels, o.perturbation, o.maxBlur, subject.device);
  const gen = await acquireMaskGenerator(H, W, { step: o.step, sigma: o.sigma }, A, o.threads > 0 ? o.threads : undefined);
  try {
    return await optimise(subject, input, target, o, pyramid, gen);
  } finally {
    await gen.close();
  }
};

async function optimise(subject: Subject, input: Tensor, target: Target, o: ExtremalOptions, pyramid: Float32Array[], gen: ParallelMaskGenerator): Promise<Attribution> {
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const per = C * HW;
  const A = o.areas.length;
  const dual = o.variant === 'dual';
  const B = dual ? 2 * A : A;
  const [hin, win] = gen.shapeIn;
  const [hout, wout] = gen.shapeOut;
  const nFull = hout * wout;
  const zeros = o.areas.map((a) => referenceZeros(nFull, a));

  const params = o.areas.map(() => new Float64Array(hin * win).fill(1));
  const velocity = o.areas.map(() => new Float64Array(hin * win));
  const full = o.areas.map(() => new Float32Array(nFull));
  const states: MaskState[] = o.areas.map(() => gen.newState());
  const masks = o.areas.map(() => new Float32Array(HW));
  const inverse = new Float32Array(HW);
  const batch = new Float32Array(B * per);
  // Per batch item, each pixel's pyramid level (what the adjoint needs from the perturbation).
  const levels = Array.from({ length: B }, () => new Uint8Array(HW));
  const gFull = new Float64Array(nFull);
  const gMask = new Float64Array(HW);
  const gParams = new Float64Array(hin * win);
  const scratch = new Float32Array(nFull);
  const rewards = o.areas.map(() => [] as number[]);
  const regs = o.areas.map(() => [] as number[]);
  let lambda = o.areaWeight;
  let started = false;
  // Where the time goes (ms): the mask generator's forward pass, the perturbed batch, the model's
  // forward + gradient, the generator's adjoint, and the rest after the model (pyramid adjoint, area
  // constraint, SGD); `adjoint` is the generator's adjoint plus that rest.
  const timing = { mask: 0, perturb: 0, model: 0, generatorAdjoint: 0, optimiser: 0, adjoint: 0, js: 0, fractionalParams: 0 };
  let clock = performance.now();
  const lap = (key: 'mask' | 'perturb' | 'model' | 'generatorAdjoint' | 'optimiser') => {
    const now = performance.now();
    timing[key] += now - clock;
    clock = now;
  };

  for (let t = 0; t < o.iterations; t++) {
    for (let i = 0; i < A; i++) {
      gen.generate(params[i], full[i], states[i]);
      gen.cropTo(full[i], masks[i]);
    }
    lap('mask');
    // Even iterations flip the perturbed inputs (TorchRay's jitter); the levels stay unflipped.
    const flip = o.jitter && t % 2 === 0;
    for (let i = 0; i < A; i++) {
      if (o.variant !== 'delete') perturbKeepingLevels(pyramid, masks[i], H, W, flip, batch.subarray(i * per, (i + 1) * per), levels[i]);
      if (o.variant !== 'preserve') {
        for (let k = 0; k < HW; k++) inverse[k] = 1 - masks[i][k];
        const slot = dual ? A + i : i;
        perturbKeepingLevels(pyramid, inverse, H, W, flip, batch.subarray(slot * per, (slot + 1) * per), levels[slot]);
      }
    }
    lap('perturb');
    const g = await targetGradient(subject, target, { dims: [B, C, H, W], data: batch }, { batchSize: B });
    lap('model');

    for (let i = 0; i < A; i++) {
      gMask.fill(0);
      let reward: number;
      const gp = g.input.data.subarray(i * per, (i + 1) * per);
      if (o.variant === 'preserve') {
        reward = g.scores[i];
        levelAdjoint(pyramid, levels[i], H, W, flip, gp, gMask, 1);
      } else if (o.variant === 'delete') {
        reward = -g.scores[i];
        // reward = −s(P(1 − m)): d/dm = +∂s/∂x · ∂P/∂m'(1 − m)
        levelAdjoint(pyramid, levels[i], H, W, flip, gp, gMask, 1);
      } else {
        reward = g.scores[i] - g.scores[A + i];
        levelAdjoint(pyramid, levels[i], H, W, flip, gp, gMask, 1);
        levelAdjoint(pyramid, levels[A + i], H, W, flip, g.input.data.subarray((A + i) * per, (A + i + 1) * per), gMask, 1);
      }
      // Energy = reward − λ·penalty; its gradient w.r.t. the full mask, then the parameters.
      gFull.fill(0);
      const penalty = areaPenalty(full[i], zeros[i], gFull, -lambda, scratch);
      for (let y = 0; y < H; y++) {
        const row = (y + gen.crop) * wout + gen.crop;
        for (let x = 0; x < W; x++) gFull[row + x] += gMask[y * W + x];
      }
      lap('optimiser');
      gen.adjoint(params[i], states[i], gFull, gParams);
      lap('generatorAdjoint');
      // torch.optim.SGD on −energy: buf = g on the first step, then momentum·buf + (1 − dampening)·g.
      const p = params[i];
      const v = velocity[i];
      for (let k = 0; k < p.length; k++) {
        const gk = -gParams[k];
        v[k] = started ? o.momentum * v[k] + (1 - o.momentum) * gk : gk;
        const next = p[k] - o.learningRate * v[k];
        p[k] = next < 0 ? 0 : next > 1 ? 1 : next;
      }
      for (let k = 0; k < p.length; k++) if (p[k] > 0 && p[k] < 1) timing.fractionalParams++;
      rewards[i].push(reward);
      regs[i].push(-lambda * penalty);
    }
    started = true;
    lambda *= o.areaGrowth;
    lap('optimiser');
  }
  timing.adjoint = timing.generatorAdjoint + timing.optimiser;
  timing.js = timing.mask + timing.perturb + timing.adjoint;
  timing.fractionalParams /= o.iterations * A * hin * win;

  // The masks of the last iteration (TorchRay returns those, not the ones after the last step).
  const finalMasks = masks.map((m) => (o.smooth > 0 ? blurPlanes(m, 1, H, W, o.smooth * Math.min(H, W)) : Float32Array.from(m)));
  // Score each mask both ways with one batched forward.
  const kept = await scoreMany(subject, target, 2 * A, (j, dst) => {
    const m = finalMasks[j % A];
    if (j < A) applyPyramid(pyramid, m, HW, dst);
    else {
      const inv = new Float32Array(HW);
      for (let k = 0; k < HW; k++) inv[k] = 1 - m[k];
      applyPyramid(pyramid, inv, HW, dst);
    }
  });
  const base = await scoreOne(subject, target, input);
  const results: MaskResult[] = o.areas.map((a, i) => {
    let s = 0;
    for (const v of finalMasks[i]) s += v;
    let sf = 0;
    for (const v of full[i]) sf += v;
    return {
      requestedArea: a,
      mask: { dims: [H, W], data: finalMasks[i] } as Tensor,
      area: s / HW,
      areaFull: sf / nFull,
      preserved: kept[i],
      deleted: kept[A + i],
      reward: rewards[i],
      regulariser: regs[i],
    };
  });
  const sum = new Float32Array(HW);
  for (const m of finalMasks) for (let k = 0; k < HW; k++) sum[k] += m[k];
  const result: Attribution = {
    method: 'extremal',
    target,
    map: { dims: [H, W], data: sum },
    params: {
      areas: [...o.areas],
      variant: o.variant,
      perturbation: o.perturbation,
      iterations: o.iterations,
      levels: o.levels,
      maxBlur: o.maxBlur,
      step: o.step,
      sigma: o.sigma,
      coldness: gen.coldness,
      jitter: o.jitter,
      optimizer: 'SGD',
      learningRate: o.learningRate,
      momentum: o.momentum,
      dampening: o.momentum,
      areaWeight: o.areaWeight,
      areaGrowth: o.areaGrowth,
      smooth: o.smooth,
      reward: target.kind === 'contrastive' ? 'contrastive' : 'simple',
      map: A > 1 ? 'sum of the masks over areas' : 'the mask',
      threads: gen.threads,
    },
    score: base.score,
    masks: results,
    evaluations: { forward: o.iterations * B + 2 * A + 1, backward: o.iterations * B },
    timing,
  };
  return result;
}

export const extremalDescriptor = describeMethod<ExtremalOptions>({
  name: 'extremal',
  defaults: EXTREMAL_DEFAULTS,
  mask: true,
  options: {
    areas: { schema: z.array(z.number().gt(0).lt(1).meta({ description: 'Mask area' })).min(1).max(32), description: 'Target areas' },
    variant: { schema: z.enum(['preserve', 'delete', 'dual']), description: 'Game' },
    perturbation: { schema: z.enum(['blur', 'fade']), description: 'Perturbation pyramid: blurred or faded copies of the input' },
    iterations: { schema: int(1, 100_000), description: 'SGD steps' },
    levels: { schema: int(2, 64), description: 'Pyramid levels' },
    max_blur: { schema: positive(), description: 'Largest blur σ in px' },
    step: { schema: int(1, 256), description: 'Mask parameter step in px' },
    sigma: { schema: positive(), description: 'Mask smoothing σ in px' },
    jitter: { schema: z.boolean(), description: 'Flip on even iterations' },
    learning_rate: { schema: positive(), description: 'SGD learning rate' },
    momentum: { schema: z.number().min(0).lt(1), description: 'SGD momentum = dampening' },
    area_weight: { schema: positive(), description: 'Initial λ of the area constraint' },
    area_growth: { schema: z.number().min(1), description: 'λ growth per iteration' },
    smooth: { schema: z.number().min(0), description: 'Gaussian smoothing of the final masks, σ as a fraction of min(H, W)' },
  },
  passes: (o) => GRADIENT_PASSES * o.iterations * o.areas.length,
  run: extremal,
});
