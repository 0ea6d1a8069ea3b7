// Gradient attacks over the IR with the project's autodiff: FGSM (Goodfellow et al., ICLR 2015)
// and PGD (Madry et al., ICLR 2018) in L∞ or L2, random start, untargeted or targeted, budgets in
// pixel units (ε = 8/255 of the [0, 1] image range) and every iterate clipped to valid pixels.
import { gradient, logit, contrastive, scale, type Objective } from '../../engine/autodiff/index.ts';
import { node, valueInfo } from '../../engine/graph.ts';
import { makeNet } from '../../engine/net.ts';
import { cloneModel } from '../../engine/onnx.ts';
import { run, type Net } from '../../engine/session.ts';
import { badInput } from '../../errors.ts';
import { normal, type Rng } from '../../util/rng.ts';
import type { Subject } from '../attribution/types.ts';
import { gradToPixels, toInput, type PixelSpace } from './space.ts';

export type Norm = 'linf' | 'l2';

export interface AttackOptions {
  norm: Norm;
  /** Budget in the [0, 1] pixel range (8/255 ≙ 8 grey levels); L2: of the whole image. */
  epsilon: number;
  /** Gradient steps (FGSM: 1). */
  steps: number;
  /** Step length in the same units; default ε for one step, else 2.5·ε/steps (Madry et al.). */
  stepSize?: number;
  /** Start at a uniform draw from the ε-ball (needs `rng`). */
  randomStart: boolean;
  /** Cross-entropy (default) or the Carlini–Wagner margin max_{j≠y} z_j − z_y. */
  loss?: 'ce' | 'margin';
  /** Per image: the class to reach (targeted attack) instead of the class to leave. */
  targets?: readonly number[];
}

export const FGSM: Omit<AttackOptions, 'epsilon'> = { norm: 'linf', steps: 1, randomStart: false };

export interface AttackResult {
  /** Attacked images, u in [0, 1], [N, C, H, W] like the input. */
  adversarial: Float64Array;
  /** Logits of the attacked images [N, K]. */
  logits: Float32Array;
  classes: number;
  /** Model evaluations spent: gradient runs and forward runs (per image). */
  evaluations: { gradient: number; forward: number };
}

const lossNets = new Map<string, { net: Net; tensor: string }>();

/** The subject's net with log-softmax of its logits as an extra output, for the cross-entropy loss. */
function logSoftmaxNet(subject: Subject, logits: string): { net: Net; tensor: string } {
  let hit = lossNets.get(subject.net.hash);
  if (!hit) {
    const model = cloneModel(subject.net.model);
    const tensor = `${logits}/neurogate_log_softmax`;
    model.graph.node.push(node('LogSoftmax', [logits], [tensor], { axis: { i: -1 } }));
    model.graph.output.push(valueInfo(tensor));
    hit = { net: makeNet(model, subject.net.where), tensor };
    lossNets.set(subject.net.hash, hit);
    while (lossNets.size > 4) lossNets.delete(lossNets.keys().next().value as string);
  }
  return hit;
}

function checkOptions(o: AttackOptions, where: string): void {
  const fail = (m: string, hint: string) => badInput('E_ADV_OPTIONS', m, where, hint);
  if (!(Number.isFinite(o.epsilon) && o.epsilon >= 0 && o.epsilon <= (o.norm === 'linf' ? 1 : Infinity))) throw fail(`epsilon ${o.epsilon} is not a budget`, 'give ε ≥ 0 in the [0, 1] pixel range (8/255 = 0.0314); L∞ budgets are at most 1');
  if (!(Number.isInteger(o.steps) && o.steps >= 1)) throw fail(`steps ${o.steps} must be an integer ≥ 1`, 'FGSM is one step, PGD usually 10–40');
  if (o.stepSize !== undefined && !(Number.isFinite(o.stepSize) && o.stepSize >= 0)) throw fail(`step size ${o.stepSize} must be a finite number ≥ 0`, 'leave it out for 2.5·ε/steps');
}

/** Projection of δ onto the ε-ball of the norm, then of u0 + δ onto [0, 1] (which only shrinks each |δ_i|). */
function project(u0: Float64Array, u: Float64Array, off: number, per: number, norm: Norm, eps: number): void {
  if (norm === 'l2') {
    let s = 0;
    for (let k = off; k < off + per; k++) s += (u[k] - u0[k]) ** 2;
    const n = Math.sqrt(s);
    if (n > eps) {
      const f = eps / n;
      for (let k = off; k < off + per; k++) u[k] = u0[k] + (u[k] - u0[k]) * f;
    }
  }
  for (let k = off; k < off + per; k++) {
    const d = norm === 'linf' ? Math.min(eps, Math.max(-eps, u[k] - u0[k])) : u[k] - u0[k];
    u[k] = Math.min(1, Math.max(0, u0[k] + d));
  }
}

/**
 * Attack every image of `images` (u in [0, 1], [N, C, H, W], C·H·W matching the subject) away from
 * its `labels` class (or towards `options.targets`). Each step ascends the loss: L∞ by ε-scaled
 * signs, L2 by the normalised gradient; then projects onto the ε-ball and the valid range.
 */
export async function attack(subject: Subject, space: PixelSpace, images: Float64Array, labels: readonly number[], options: AttackOptions, rng?: Rng): Promise<AttackResult> {
  const where = subject.net.where;
  checkOptions(options, where);
  if (!subject.logits) throw badInput('E_ADV_LOGITS', 'an attack needs the model’s class scores, and this model names no logits tensor', where, 'export the model with its logits as an output');
  const [C, H, W] = subject.inputDims;
  const per = C * H * W;
  const n = labels.length;
  if (images.length !== n * per) throw badInput('E_ADV_INPUT', `images hold ${images.length} values, ${n} labels need ${n} × [${C}, ${H}, ${W}] = ${n * per}`, where, 'one label per image, images at the model input size');
  for (let k = 0; k < images.length; k++) if (!(images[k] >= 0 && images[k] <= 1)) throw badInput('E_ADV_INPUT', `pixel ${k} is ${images[k]}, outside [0, 1]`, where, 'give images as levels / 255');
  const goal = options.targets;
  if (goal && goal.length !== n) throw badInput('E_ADV_INPUT', `${goal.length} targets for ${n} images`, where, 'one target class per image');
  if (options.randomStart && !rng) throw badInput('E_ADV_OPTIONS', 'a random start needs a seeded generator', where, 'pass the entry’s rng');
  const { norm, epsilon: eps, steps } = options;
  const alpha = options.stepSize ?? (steps === 1 ? eps : (2.5 * eps) / steps);
  const loss = options.loss ?? 'ce';
  const dims = [n, C, H, W];
  const u = Float64Array.from(images);
  if (options.randomStart && eps > 0) {
    for (let i = 0; i < n; i++) {
      const off = i * per;
      if (norm === 'linf') for (let k = off; k < off + per; k++) u[k] += eps * (2 * rng!() - 1);
      else {
        // Uniform in the L2 ball: a Gaussian direction, radius ε·U^(1/d).
        const d = Float64Array.from({ length: per }, () => normal(rng!));
        const len = Math.sqrt(d.reduce((a, v) => a + v * v, 0)) || 1;
        const r = eps * rng!() ** (1 / per);
        for (let k = 0; k < per; k++) u[off + k] += (r * d[k]) / len;
      }
      project(images, u, off, per, norm, eps);
    }
  }
  // Untargeted: ascend the loss of the true class; targeted: descend the loss of the target class.
  const cls = goal ?? labels;
  const sign = goal ? 1 : -1;
  const ls = loss === 'ce' ? logSoftmaxNet(subject, subject.logits) : undefined;
  const net = ls?.net ?? subject.net;
  const objective = (idx: number[]): Objective => scale(sign, ls ? logit(ls.tensor, idx) : contrastive(subject.logits!, idx));
  const bs = Math.max(1, subject.batchSize);
  let gradients = 0;
  for (let s = 0; s < steps && eps > 0; s++) {
    for (let b = 0; b < n; b += bs) {
      const m = Math.min(bs, n - b);
      const chunkDims = [m, C, H, W];
      const x = toInput(space, u.subarray(b * per, (b + m) * per), chunkDims);
      const r = await gradient(net, { input: { [subject.input]: x }, objective: objective(cls.slice(b, b + m) as number[]), wrt: [subject.input] }, { device: subject.device });
      gradients += m;
      const g = gradToPixels(space, r.grads[subject.input].data, chunkDims);
      for (let i = 0; i < m; i++) {
        const off = i * per, uoff = (b + i) * per;
        let scaleBy = alpha;
        if (norm === 'l2') {
          let ss = 0;
          for (let k = off; k < off + per; k++) ss += g[k] * g[k];
          scaleBy = ss > 0 ? alpha / Math.sqrt(ss) : 0;
        }
        for (let k = 0; k < per; k++) {
          const gk = g[off + k];
          if (!Number.isFinite(gk)) throw badInput('E_ADV_NONFINITE', `the loss gradient of image ${b + i} is ${gk} at step ${s + 1}`, where, 'the model produces NaN or Inf on this input: check its preprocessing');
          u[uoff + k] += norm === 'linf' ? alpha * Math.sign(gk) : scaleBy * gk;
        }
        project(images, u, uoff, per, norm, eps);
      }
    }
  }
  const logits = await forwardLogits(subject, space, u, dims);
  return { adversarial: u, logits: logits.data, classes: logits.classes, evaluations: { gradient: gradients / Math.max(1, n), forward: 1 } };
}

/** Logits of images u [N, C, H, W], in runs of the subject's batch size. */
export async function forwardLogits(subject: Subject, space: PixelSpace, u: Float64Array, dims: number[]): Promise<{ data: Float32Array; classes: number }> {
  const [n, C, H, W] = dims;
  const per = C * H * W;
  const bs = Math.max(1, subject.batchSize);
  let out: Float32Array | undefined;
  let K = 0;
  for (let b = 0; b < n; b += bs) {
    const m = Math.min(bs, n - b);
    const r = await run(subject.net, { [subject.input]: toInput(space, u.subarray(b * per, (b + m) * per), [m, C, H, W]) }, [subject.logits!], { device: subject.device });
    const t = r[subject.logits!];
    K = t.data.length / m;
    out ??= new Float32Array(n * K);
    out.set(t.data, b * K);
  }
  for (const v of out!) if (!Number.isFinite(v)) throw badInput('E_ADV_NONFINITE', `the model's logits contain ${v}`, subject.net.where, 'check the model and its preprocessing');
  return { data: out!, classes: K };
}

/** Index of the largest of K scores starting at `off` (first on ties). */
export function argmax(v: ArrayLike<number>, off: number, K: number): number {
  let best = 0;
  for (let k = 1; k < K; k++) if (v[off + k] > v[off + best]) best = k;
  return best;
}

/** z_y − max_{j≠y} z_j: positive when class y wins. */
export function margin(v: ArrayLike<number>, off: number, K: number, y: number): number {
  let other = -Infinity;
  for (let k = 0; k < K; k++) if (k !== y) other = Math.max(other, v[off + k]);
  return v[off + y] - other;
}
