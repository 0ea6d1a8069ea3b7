// Random-logit test (Sixt, Granz & Landgraf 2020): explain a seeded random other class and compare
// its map with the target's. A map that looks the same whichever class it explains shows the image
// (edges, contrast), not the model's evidence for the class: low similarity is good.
import type { Tensor } from '../../../../engine/tensor.ts';
import { makeRng } from '../../../../util/rng.ts';
import { scoreOne } from '../../forward.ts';
import { describeMetric, drawSeed } from '../../metric.ts';
import type { Subject, Target } from '../../types.ts';
import type { Explain } from '../robustness/robustness.ts';
import { spearman } from '../spearman.ts';
import { absSpatial } from './randomization.ts';

/** A class other than `index`, uniform over the other `classes − 1`. */
export function otherClass(index: number, classes: number, draw: number): number {
  const k = Math.min(classes - 2, Math.floor(draw * (classes - 1)));
  return k >= index ? k + 1 : k;
}

/**
 * Spearman ρ of |a| between the map of the target class and the map of a random other class
 * (Quantus compares with SSIM; ρ of |a| is what this project's model-randomisation tests read, so
 * the two randomisation families share one scale). Null for targets that are not a class.
 */
export async function randomLogit(subject: Subject, input: Tensor, target: Target, map: Tensor, explain: Explain, seed: number): Promise<{ similarity: number; other: number } | { refused: string }> {
  if (target.kind !== 'class' && target.kind !== 'contrastive') return { refused: `the random-logit test explains another class, and the target is a ${target.kind}` };
  const classes = (await scoreOne(subject, { kind: 'class', index: 0 }, input)).raw.dims.at(-1) ?? 0;
  if (classes < 2) return { refused: `the model has ${classes} class, so there is no other class to explain` };
  const other = otherClass(target.index, classes, makeRng(seed)());
  const b = await explain(subject, input, { ...target, index: other });
  return { similarity: spearman(absSpatial(map), absSpatial(b.map)), other };
}

export const randomLogitMetric = describeMetric<Record<string, never>>({
  key: 'random_logit',
  family: 'randomisation',
  description: 'Random-logit test: Spearman ρ of |a| between the map of the target and of a seeded random other class (random_logit, low is good; random_logit_class is the class drawn)',
  form: 'flag',
  options: {},
  defaults: {},
  metrics: ['random_logit', 'random_logit_class'],
  needs: ['method', 'random'],
  passes: (_o, method) => method + 1,
  run: async ({ subject, input, target, attribution, explain, rng, label }) => {
    const r = await randomLogit(subject, input, target, attribution.map, explain, drawSeed(rng));
    if ('refused' in r) return { values: { random_logit: null, random_logit_class: null }, uninformative: { random_logit: `${label}: ${r.refused}`, random_logit_class: `${label}: ${r.refused}` } };
    return { values: { random_logit: r.similarity, random_logit_class: r.other } };
  },
});
