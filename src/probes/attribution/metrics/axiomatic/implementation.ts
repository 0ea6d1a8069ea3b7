// Implementation invariance (Sundararajan et al. 2017, axiom 2): two networks that compute the same
// function must get the same map. The second network is one of the audit's equivalent mutants.
import type { Tensor } from '../../../../engine/tensor.ts';
import { permuteChannelsOperator } from '../../../../audit/mutants/permute-channels.ts';
import { reexportOperator } from '../../../../audit/mutants/reexport.ts';
import type { MutantOperator } from '../../../../audit/mutants/types.ts';
import type { ImportedModel, Preprocess } from '../../../../models/types.ts';
import { z } from 'zod';
import { scoreOne } from '../../forward.ts';
import { describeMetric, drawSeed } from '../../metric.ts';
import type { Subject, Target } from '../../types.ts';
import type { Explain } from '../robustness/robustness.ts';

/**
 * The equivalent mutants that change the network itself (batch size and thread count change only
 * how it is run, so they are no second implementation).
 */
export const FUNCTION_EQUAL: Record<string, MutantOperator> = {
  reexport: reexportOperator,
  'permute-channels': permuteChannelsOperator,
};

export type FunctionEqualMutant = keyof typeof FUNCTION_EQUAL;

/** The subject's network as the mutant rebuilds it; `seed` picks the layer and permutation. */
export function mutantSubject(subject: Subject, preprocess: Preprocess, mutant: string, seed: number): Subject {
  const op = FUNCTION_EQUAL[mutant];
  if (!op) throw new RangeError(`no function-equal mutant "${mutant}"`);
  const [channels, height, width] = subject.inputDims;
  // The mutants take what the audit gives them, an imported model; attribution keeps only its net.
  const model: ImportedModel = { net: subject.net, input: { name: subject.input, channels, height, width }, logits: subject.logits, labels: subject.labels, preprocess };
  const [m] = op.mutants({ seed, targets: [], protectedTensors: new Set(), batch: subject.batchSize });
  return { ...subject, net: m.apply(model).net };
}

export interface ImplementationInvarianceResult {
  /** max |a_mutant − a| ÷ max |a| (0: the same map; float round-off otherwise). */
  mapChange: number;
  /** |F_mutant(x) − F(x)|: shows the two networks compute the same function on this image. */
  scoreChange: number;
}

/** Relative largest difference of two maps of one shape: max |b − a| ÷ max |a| (the difference itself when a is 0). */
export function relativeMaxChange(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs(a[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return max > 0 ? diff / max : diff;
}

export async function implementationInvariance(subject: Subject, other: Subject, input: Tensor, target: Target, map: Tensor, explain: Explain): Promise<ImplementationInvarianceResult> {
  const [s0, s1] = [await scoreOne(subject, target, input), await scoreOne(other, target, input)];
  const b = await explain(other, input);
  return { mapChange: relativeMaxChange(map.data, b.map.data), scoreChange: Math.abs(s1.score - s0.score) };
}

export interface ImplementationInvarianceOptions {
  /** Which function-equal network explains the image a second time. */
  mutant: FunctionEqualMutant;
}

export const IMPLEMENTATION_INVARIANCE_DEFAULTS: ImplementationInvarianceOptions = { mutant: 'permute-channels' };

export const implementationInvarianceMetric = describeMetric<ImplementationInvarianceOptions>({
  key: 'implementation_invariance',
  family: 'axiomatic',
  description: 'Implementation invariance: the map of a function-equal network (an equivalent mutant of the audit: `permute-channels` permutes a seeded hidden layer\'s channels with everything reading them, `reexport` writes the model as ONNX and reads it back); implementation_invariance = max |Δa| ÷ max |a| (0 is invariant), implementation_invariance_score_change = |ΔF| (how exactly the networks agree)',
  form: 'options',
  options: { mutant: { schema: z.enum(Object.keys(FUNCTION_EQUAL) as [FunctionEqualMutant, ...FunctionEqualMutant[]]), description: 'The function-equal network: an equivalent mutant of `neurogate audit`' } },
  defaults: IMPLEMENTATION_INVARIANCE_DEFAULTS,
  metrics: ['implementation_invariance', 'implementation_invariance_score_change'],
  needs: ['method', 'random'],
  passes: (_o, method) => method + 2,
  run: async ({ subject, input, target, attribution, explain, rng, preprocess }, o) => {
    const other = mutantSubject(subject, preprocess, o.mutant, drawSeed(rng));
    const r = await implementationInvariance(subject, other, input, target, attribution.map, explain);
    return { values: { implementation_invariance: r.mapChange, implementation_invariance_score_change: r.scoreChange } };
  },
});
