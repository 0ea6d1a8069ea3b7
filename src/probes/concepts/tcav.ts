// TCAV (Kim, Wattenberg, Gilmer, Cai, Wexler, Viégas, Sayres, ICML 2018): a concept activation
// vector (CAV) is the normal of a linear classifier separating the concept's activations from a
// random set's; the TCAV score is the fraction of the target's inputs whose directional
// derivative ∇h_k(f_l(x))·v_C is positive. One CAV per random set gives a sample of scores; CAVs of
// random sets against each other give the null sample; a two-sided t-test between the two, at α
// divided by the number of concepts tested (Bonferroni), says whether the concept matters.
import { fitGram } from './logistic.ts';
import { tTest } from './stats.ts';

/** Rows of flattened activations: `data` is n × d, row-major. */
export interface Rows {
  n: number;
  d: number;
  data: Float32Array;
}

export interface TcavOptions {
  l2: number;
  iterations: number;
  alpha: number;
  /** Concepts tested together (Bonferroni divides α by it). */
  tests: number;
}

export interface TcavResult {
  /** Mean TCAV score over the concept's CAVs (one per random set). */
  score: number;
  scores: number[];
  /** Mean score of the random-vs-random CAVs. */
  randomScore: number;
  randomScores: number[];
  p: number;
  t: number;
  significant: boolean;
  /** The corrected level the p-value was compared with. */
  level: number;
}

/** The unit CAV pointing from the random set's activations towards the concept's. */
export function cav(concept: Rows, random: Rows, o: Pick<TcavOptions, 'l2' | 'iterations'>): Float64Array {
  const n = concept.n + random.n;
  const x = new Float32Array(n * concept.d);
  x.set(concept.data, 0);
  x.set(random.data, concept.n * concept.d);
  const label = Float64Array.from({ length: n }, (_, i) => (i < concept.n ? 1 : -1));
  const { w } = fitGram(x, n, concept.d, label, o);
  let norm = 0;
  for (const v of w) norm += v * v;
  norm = Math.sqrt(norm);
  return norm > 0 ? w.map((v) => v / norm) : w;
}

/** Fraction of gradient rows with a positive directional derivative along `v`. */
export function tcavScore(grads: Rows, v: Float64Array): number {
  let pos = 0;
  for (let i = 0; i < grads.n; i++) {
    let s = 0;
    const o = i * grads.d;
    for (let k = 0; k < grads.d; k++) s += grads.data[o + k] * v[k];
    if (s > 0) pos++;
  }
  return grads.n > 0 ? pos / grads.n : Number.NaN;
}

/**
 * `randoms` holds R ≥ 2 random sets: CAV r separates the concept from random set r; the null CAV r
 * separates random set r from random set r+1 (cyclically), so both samples have R scores.
 */
export function tcav(concept: Rows, randoms: readonly Rows[], grads: Rows, o: TcavOptions): TcavResult {
  const R = randoms.length;
  const scores = randoms.map((r) => tcavScore(grads, cav(concept, r, o)));
  const randomScores = randoms.map((r, i) => tcavScore(grads, cav(randoms[(i + 1) % R], r, o)));
  const test = tTest(scores, randomScores);
  const level = o.alpha / Math.max(1, o.tests);
  const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  return { score: mean(scores), scores, randomScore: mean(randomScores), randomScores, p: test.p, t: test.t, significant: test.p < level, level };
}
