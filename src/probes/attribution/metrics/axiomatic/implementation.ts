// Implementation invariance (Sundararajan et al. 2017, axiom 2): two networks that compute the same
// function must get the same map. The second network is built as the audit's equivalent mutants are.
import { z } from 'zod';
import { permutableChains, permuteChain, shuffle } from '../../../../engine/equivalent.ts';
import { hashBytes, makeNet } from '../../../../engine/net.ts';
import { cloneModel, decodeModel, encodeModel, type ModelProto } from '../../../../engine/onnx.ts';
import type { Tensor } from '../../../../engine/tensor.ts';
import { badInput } from '../../../../errors.ts';
import { makeRng } from '../../../../util/rng.ts';
import { scoreOne } from '../../forward.ts';
import { describeMetric, drawSeed } from '../../metric.ts';
import type { Subject, Target } from '../../types.ts';
import type { Explain } from '../robustness/robustness.ts';

/**
 * The function-equal networks, named as `neurogate audit` names its equivalent mutants (batch size
 * and thread count change only how a network is run, so they are no second implementation).
 */
const FUNCTION_EQUAL = {
  /** The IR written as ONNX bytes and read back: the same network, so the same map bit for bit. */
  reexport: (m: ModelProto, where: string) => decodeModel(encodeModel(m), where),
  /** A seeded Conv's output channels permuted with everything reading them: the same function, summed in another order. */
  'permute-channels': (m: ModelProto, where: string, seed: number) => {
    const copy = cloneModel(m);
    const chains = permutableChains(copy);
    if (!chains.length) throw badInput('E_ATTR_IMPLEMENTATION', 'no Conv output can be permuted', where, 'permute-channels needs a Conv followed (through BatchNorm, activations, pooling) by one Conv or Gemm; use `mutant: reexport`');
    const rng = makeRng(seed);
    const chain = chains[Math.floor(rng() * chains.length)];
    permuteChain(copy, chain, shuffle(rng, chain.channels));
    return copy;
  },
} satisfies Record<string, (m: ModelProto, where: string, seed: number) => ModelProto>;

export type FunctionEqualMutant = keyof typeof FUNCTION_EQUAL;
const MUTANTS = Object.keys(FUNCTION_EQUAL) as [FunctionEqualMutant, ...FunctionEqualMutant[]];

/** The subject with its network rebuilt by the mutant; `seed` picks the layer and the permutation. */
export function mutantSubject(subject: Subject, mutant: FunctionEqualMutant, seed: number): Subject {
  const where = `${subject.net.where} (function-equal: ${mutant})`;
  const net = makeNet(FUNCTION_EQUAL[mutant](subject.net.model, where, seed), where);
  // An identity of its own even when the bytes are equal (reexport): the copy gets a fresh session, as a re-loaded model would.
  return { ...subject, net: { ...net, hash: hashBytes(new TextEncoder().encode(`${net.hash}|function-equal:${mutant}`)) } };
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
  options: { mutant: { schema: z.enum(MUTANTS), description: 'The function-equal network: an equivalent mutant of `neurogate audit`' } },
  defaults: IMPLEMENTATION_INVARIANCE_DEFAULTS,
  metrics: ['implementation_invariance', 'implementation_invariance_score_change'],
  needs: ['method', 'random'],
  property: true,
  passes: (_o, method) => method + 2,
  run: async ({ subject, input, target, attribution, explain, rng }, o) => {
    const other = mutantSubject(subject, o.mutant, drawSeed(rng));
    const r = await implementationInvariance(subject, other, input, target, attribution.map, explain);
    return { values: { implementation_invariance: r.mapChange, implementation_invariance_score_change: r.scoreChange } };
  },
});
