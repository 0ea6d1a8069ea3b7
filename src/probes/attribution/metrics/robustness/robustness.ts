// Robustness and faithfulness of a map under input noise: max-sensitivity (Yeh et al. 2019, as
// Captum's `sensitivity_max`: uniform noise in an L∞ ball) and infidelity (Yeh et al. 2019:
// E[(Iᵀa − (F(x) − F(x − I)))²] with Gaussian I). Draws are seeded; forward passes are batched.
import type { Tensor } from '../../../../engine/tensor.ts';
import { makeRng, normal, uniform } from '../../../../util/rng.ts';
import { scoreMany, scoreOne } from '../../forward.ts';
import type { Attribution, Subject, Target } from '../../types.ts';
import { describeMetric, drawSeed } from '../../metric.ts';
import { int, positive } from '../../method.ts';

/** The entry's method on another input or model; `target` (default: the entry's) lets a metric explain another class. */
export type Explain = (subject: Subject, input: Tensor, target?: Target) => Promise<Attribution>;

export interface SensitivityOptions {
  /** L∞ radius of the input noise (Captum: 0.02). */
  radius: number;
  /** Noisy copies (Captum: 10). */
  samples: number;
  seed: number;
}

export const SENSITIVITY_DEFAULTS: SensitivityOptions = { radius: 0.02, samples: 10, seed: 0 };

function norm2(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** max_δ ‖a(x + δ) − a(x)‖₂, and the same relative to ‖a(x)‖₂. */
export async function maxSensitivity(subject: Subject, input: Tensor, explain: Explain, options: Partial<SensitivityOptions> = {}): Promise<{ max: number; relative: number; params: SensitivityOptions }> {
  const o = { ...SENSITIVITY_DEFAULTS, ...options };
  const rng = makeRng(o.seed);
  const base = await explain(subject, input);
  const n0 = norm2(base.map.data);
  let max = 0;
  for (let s = 0; s < o.samples; s++) {
    const x = { dims: [...input.dims], data: input.data.map((v) => v + uniform(rng, -o.radius, o.radius)) };
    const a = await explain(subject, x);
    const d = new Float64Array(a.map.data.length);
    for (let i = 0; i < d.length; i++) d[i] = a.map.data[i] - base.map.data[i];
    max = Math.max(max, norm2(d));
  }
  return { max, relative: n0 > 0 ? max / n0 : NaN, params: o };
}

export interface InfidelityOptions {
  /** Std of the Gaussian perturbation I (model-input units; Captum's example: 0.003). */
  noise: number;
  /** Perturbations averaged (Captum: 10). */
  samples: number;
  seed: number;
}

export const INFIDELITY_DEFAULTS: InfidelityOptions = { noise: 0.003, samples: 10, seed: 0 };

/**
 * Infidelity of a map of the input's shape ([C,H,W], or [H,W] applied to every channel):
 * mean over I of (Σ I⊙a − (F(x) − F(x − I)))².
 */
export async function infidelity(subject: Subject, input: Tensor, target: Target, attribution: Tensor, options: Partial<InfidelityOptions> = {}): Promise<{ value: number; params: InfidelityOptions }> {
  const o = { ...INFIDELITY_DEFAULTS, ...options };
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const per = C * HW;
  const spatialMap = attribution.data.length === HW;
  const rng = makeRng(o.seed);
  const noises = Array.from({ length: o.samples }, () => {
    const I = new Float32Array(per);
    for (let i = 0; i < per; i++) I[i] = o.noise * normal(rng);
    return I;
  });
  const fx = (await scoreOne(subject, target, input)).score;
  const scores = await scoreMany(subject, target, o.samples, (i, dst) => {
    for (let k = 0; k < per; k++) dst[k] = input.data[k] - noises[i][k];
  });
  let total = 0;
  for (let i = 0; i < o.samples; i++) {
    let dot = 0;
    for (let k = 0; k < per; k++) dot += noises[i][k] * attribution.data[spatialMap ? k % HW : k];
    const d = dot - (fx - scores[i]);
    total += d * d;
  }
  return { value: total / o.samples, params: o };
}

export const sensitivityMetric = describeMetric<SensitivityOptions>({
  key: 'sensitivity',
  family: 'robustness',
  description: 'max_sensitivity and max_sensitivity_relative',
  form: 'options',
  options: { radius: { schema: positive(), description: 'L∞ radius' }, samples: { schema: int(1, 1000), description: 'Noisy inputs' } },
  defaults: SENSITIVITY_DEFAULTS,
  metrics: ['max_sensitivity', 'max_sensitivity_relative'],
  needs: ['method', 'random'],
  passes: (o, method) => method * o.samples,
  run: async ({ subject, input, explain, rng }, o) => {
    const s = await maxSensitivity(subject, input, explain, { ...o, seed: drawSeed(rng) });
    return { values: { max_sensitivity: s.max, max_sensitivity_relative: s.relative } };
  },
});

export const infidelityMetric = describeMetric<InfidelityOptions>({
  key: 'infidelity',
  family: 'faithfulness',
  description: 'infidelity',
  form: 'options',
  options: { noise: { schema: positive(), description: 'Std of the perturbation' }, samples: { schema: int(1, 10_000), description: 'Perturbations' } },
  defaults: INFIDELITY_DEFAULTS,
  metrics: ['infidelity'],
  needs: ['model', 'random'],
  passes: (o) => o.samples,
  run: async ({ subject, input, target, attribution: a, rng }, o) => {
    const f = await infidelity(subject, input, target, a.map, { ...o, seed: drawSeed(rng) });
    return { values: { infidelity: f.value } };
  },
});
