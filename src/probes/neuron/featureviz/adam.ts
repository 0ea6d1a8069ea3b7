// Adam (Kingma & Ba 2015) as a plain function over Float64 parameters, ascending an objective:
// Lucid optimizes with TensorFlow's AdamOptimizer(0.05), β1 0.9, β2 0.999, ε 1e-8.

export interface AdamState {
  m: Float64Array;
  v: Float64Array;
  t: number;
}

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export function adamState(n: number): AdamState {
  return { m: new Float64Array(n), v: new Float64Array(n), t: 0 };
}

/** One ascent step in place, in TensorFlow's form: params += lr·√(1−β2^t)/(1−β1^t) · m / (√v + ε). */
export function adamStep(params: Float64Array, grad: Float64Array, s: AdamState, o: AdamOptions): void {
  const b1 = o.beta1 ?? 0.9;
  const b2 = o.beta2 ?? 0.999;
  const eps = o.eps ?? 1e-8;
  s.t++;
  const lrT = (o.lr * Math.sqrt(1 - b2 ** s.t)) / (1 - b1 ** s.t);
  for (let i = 0; i < params.length; i++) {
    const g = grad[i];
    s.m[i] = b1 * s.m[i] + (1 - b1) * g;
    s.v[i] = b2 * s.v[i] + (1 - b2) * g * g;
    params[i] += (lrT * s.m[i]) / (Math.sqrt(s.v[i]) + eps);
  }
}
