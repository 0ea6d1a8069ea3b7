// Meaningful perturbation (Fong & Vedaldi, ICCV 2017): learn a mask m that deletes (blurs) as
// little as possible while making the class vanish: minimise
//   λ₁·Σ|1 − m| + λ_TV·Σ(|∂_y m|^β + |∂_x m|^β) + f_c(Φ(x(· − τ); m)),  Φ = x⊙m + blur(x)⊙(1 − m),
// with f_c the class probability (raw target value for other targets), random jitter τ, Adam.
// The mask lives at 1/8 resolution, is upsampled bilinearly and blurred (normalised at the borders, so
// an all-ones mask stays 1 there); both terms are summed over the image lattice. The map is the
// deleted region 1 − m.
import { badInput } from '../../../errors.ts';
import { makeRng, randInt } from '../../../util/rng.ts';
import { blurMany } from '../blur.ts';
import { scoreMany } from '../forward.ts';
import { targetGradient } from '../gradients.ts';
import { resizeBilinear, resizeBilinearAdjoint } from '../maps.ts';
import { probabilitiesOf, scoresOf } from '../target.ts';
import { checkInput } from '../subject.ts';
import type { Attribution, MaskResult, Method } from '../types.ts';
import { z } from 'zod';
import { describeMethod, GRADIENT_PASSES, int, positive, seedOption } from '../method.ts';

export interface MeaningfulPerturbationOptions {
  iterations: number;
  learningRate: number;
  /** λ₁ (sparsity of the deletion) and λ_TV, β (smoothness). */
  l1: number;
  tv: number;
  tvBeta: number;
  /** The learnt mask is (H/maskScale)×(W/maskScale), upsampled bilinearly, then blurred with σ = maskBlur px. */
  maskScale: number;
  maskBlur: number;
  /** Largest jitter τ in px (each iteration shifts the input by a uniform draw in [0, jitter]²). */
  jitter: number;
  /** σ of the blur that makes the "deleted" image. */
  blurSigma: number;
  seed: number;
  /** Score class targets by softmax probability (the paper) or by the raw logit. */
  score: 'probability' | 'raw';
}

export const MP_DEFAULTS: Omit<MeaningfulPerturbationOptions, 'score'> = {
  iterations: 300, learningRate: 0.1, l1: 1e-4, tv: 1e-2, tvBeta: 3, maskScale: 8, maskBlur: 5, jitter: 4, blurSigma: 10, seed: 0,
};

/** Σ(|∂_y m|^β + |∂_x m|^β) over an H×W map, with its gradient (scaled) added into `grad`. */
export function totalVariationBeta(m: ArrayLike<number>, H: number, W: number, beta: number, grad?: Float64Array, scale = 1): number {
  let sum = 0;
  const term = (i: number, j: number) => {
    const d = m[j] - m[i];
    const a = Math.abs(d);
    sum += a ** beta;
    if (grad && a > 0) {
      const g = scale * beta * a ** (beta - 1) * Math.sign(d);
      grad[j] += g;
      grad[i] -= g;
    }
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (y + 1 < H) term(y * W + x, (y + 1) * W + x);
      if (x + 1 < W) term(y * W + x, y * W + x + 1);
    }
  }
  return sum;
}

/** Shift C planes of H×W by (ty, tx) with edge replication: out(u) = in(u − τ). */
function shiftPlanes(src: Float32Array, C: number, H: number, W: number, ty: number, tx: number, out: Float32Array): void {
  for (let c = 0; c < C; c++) {
    const off = c * H * W;
    for (let y = 0; y < H; y++) {
      const sy = Math.min(H - 1, Math.max(0, y - ty));
      for (let x = 0; x < W; x++) out[off + y * W + x] = src[off + sy * W + Math.min(W - 1, Math.max(0, x - tx))];
    }
  }
}

export const meaningfulPerturbation: Method<MeaningfulPerturbationOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const o: MeaningfulPerturbationOptions = { ...MP_DEFAULTS, score: target.kind === 'class' ? 'probability' : 'raw', ...options };
  if (o.score === 'probability' && target.kind !== 'class') throw badInput('E_ATTR_OPTION', 'meaningful perturbation score "probability" needs a class target', undefined, 'use score: raw');
  if (!Number.isInteger(o.iterations) || o.iterations < 1) throw badInput('E_ATTR_OPTION', `meaningful perturbation iterations must be a positive integer, got ${o.iterations}`, undefined, 'the paper uses 300');
  if (!(o.maskScale >= 1)) throw badInput('E_ATTR_OPTION', `maskScale must be ≥ 1, got ${o.maskScale}`, undefined, 'the paper learns a 28×28 mask for 224² (scale 8)');
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const per = C * HW;
  const h = Math.max(1, Math.round(H / o.maskScale));
  const w = Math.max(1, Math.round(W / o.maskScale));
  const [blurred] = await blurMany(input.data, C, H, W, [o.blurSigma], subject.device);
  const rng = makeRng(o.seed);
  const probability = o.score === 'probability';

  const params = new Float64Array(h * w).fill(1);
  const mAdam = new Float64Array(h * w);
  const vAdam = new Float64Array(h * w);
  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-8;
  const xs = new Float32Array(per);
  const bs = new Float32Array(per);
  const phi = new Float32Array(per);
  const gUp = new Float64Array(HW);
  let mask: Float32Array = new Float32Array(HW);
  const rewards: number[] = [];
  const regs: number[] = [];
  // Blur with zero padding darkens the borders; dividing by the blurred all-ones image undoes that.
  const [edge] = await blurMany(new Float32Array(HW).fill(1), 1, H, W, [o.maskBlur], subject.device);
  const maskOf = async (p: Float64Array) => {
    const [b] = await blurMany(resizeBilinear(p, 1, h, w, H, W), 1, H, W, [o.maskBlur], subject.device);
    for (let k = 0; k < HW; k++) b[k] /= edge[k];
    return b;
  };

  for (let t = 1; t <= o.iterations; t++) {
    mask = await maskOf(params);
    const ty = randInt(rng, o.jitter + 1);
    const tx = randInt(rng, o.jitter + 1);
    shiftPlanes(input.data, C, H, W, ty, tx, xs);
    shiftPlanes(blurred, C, H, W, ty, tx, bs);
    for (let c = 0; c < C; c++) {
      for (let k = 0; k < HW; k++) {
        const i = c * HW + k;
        phi[i] = xs[i] * mask[k] + bs[i] * (1 - mask[k]);
      }
    }
    const g = await targetGradient(subject, target, { dims: [1, C, H, W], data: phi }, { probability });
    // d loss / d mask (upsampled, blurred lattice).
    gUp.fill(0);
    for (let c = 0; c < C; c++) {
      for (let k = 0; k < HW; k++) {
        const i = c * HW + k;
        gUp[k] += g.input.data[i] * (xs[i] - bs[i]);
      }
    }
    let l1 = 0;
    for (let k = 0; k < HW; k++) {
      l1 += Math.abs(1 - mask[k]);
      // d|1 − m|/dm = −sign(1 − m)
      gUp[k] += o.l1 * -Math.sign(1 - mask[k]);
    }
    const tv = totalVariationBeta(mask, H, W, o.tvBeta, gUp, o.tv);
    rewards.push(g.scores[0]);
    regs.push(o.l1 * l1 + o.tv * tv);
    // Back through the normalisation, the blur (self-adjoint) and the upsampling to the parameters.
    const gNorm = new Float32Array(HW);
    for (let k = 0; k < HW; k++) gNorm[k] = gUp[k] / edge[k];
    const [gBlur] = await blurMany(gNorm, 1, H, W, [o.maskBlur], subject.device);
    const gp = resizeBilinearAdjoint(gBlur, h, w, H, W);
    for (let k = 0; k < params.length; k++) {
      mAdam[k] = b1 * mAdam[k] + (1 - b1) * gp[k];
      vAdam[k] = b2 * vAdam[k] + (1 - b2) * gp[k] * gp[k];
      const mh = mAdam[k] / (1 - b1 ** t);
      const vh = vAdam[k] / (1 - b2 ** t);
      const next = params[k] - (o.learningRate * mh) / (Math.sqrt(vh) + eps);
      params[k] = next < 0 ? 0 : next > 1 ? 1 : next;
    }
  }
  mask = await maskOf(params);
  const salient = mask.map((v) => 1 - v);
  // Score (without jitter): keep only the salient region, and delete it.
  const reduce = probability ? (t: { dims: number[]; data: Float32Array }) => probabilitiesOf(target, t) : (t: { dims: number[]; data: Float32Array }) => scoresOf(target, t);
  const scores = await scoreMany(subject, target, 3, (j, dst) => {
    if (j === 2) {
      dst.set(input.data);
      return;
    }
    const keep = j === 0 ? salient : mask;
    for (let c = 0; c < C; c++) for (let k = 0; k < HW; k++) dst[c * HW + k] = input.data[c * HW + k] * keep[k] + blurred[c * HW + k] * (1 - keep[k]);
  }, { reduce });
  let area = 0;
  for (const v of salient) area += v;
  const mr: MaskResult = {
    requestedArea: null,
    mask: { dims: [H, W], data: salient },
    area: area / HW,
    preserved: scores[0],
    deleted: scores[1],
    reward: rewards,
    regulariser: regs,
  };
  const result: Attribution = {
    method: 'meaningful_perturbation',
    target,
    map: { dims: [H, W], data: salient },
    params: {
      iterations: o.iterations, optimizer: 'Adam', learningRate: o.learningRate, l1: o.l1, tv: o.tv, tvBeta: o.tvBeta,
      maskSize: [h, w], maskBlur: o.maskBlur, jitter: o.jitter, blurSigma: o.blurSigma, seed: o.seed, score: o.score,
      init: 'mask 1 (nothing deleted)', terms: 'L1 and TV summed over the upsampled mask',
    },
    score: scores[2],
    masks: [mr],
    evaluations: { forward: o.iterations + 3, backward: o.iterations },
  };
  return result;
};

export const meaningfulPerturbationDescriptor = describeMethod<MeaningfulPerturbationOptions>({
  name: 'meaningful_perturbation',
  defaults: MP_DEFAULTS,
  random: true,
  mask: true,
  options: {
    iterations: { schema: int(1, 100_000), description: 'Adam steps' },
    learning_rate: { schema: positive(), description: 'Adam learning rate' },
    l1: { schema: z.number().min(0), description: 'λ₁ of Σ|1 − m|' },
    tv: { schema: z.number().min(0), description: 'λ_TV' },
    tv_beta: { schema: positive(), description: 'β of the TV term' },
    mask_scale: { schema: int(1, 64), description: 'Mask resolution = input / mask_scale' },
    mask_blur: { schema: z.number().min(0), description: 'σ in px of the upsampled mask’s blur' },
    jitter: { schema: int(0, 64), description: 'Largest random shift in px' },
    blur_sigma: { schema: positive(), description: 'σ of the blurred image that deletion reveals' },
    seed: seedOption,
    score: { schema: z.enum(['probability', 'raw']), description: 'Score of a class target', defaultText: 'probability for classes, else raw' },
  },
  passes: (o) => GRADIENT_PASSES * o.iterations,
  run: meaningfulPerturbation,
});
