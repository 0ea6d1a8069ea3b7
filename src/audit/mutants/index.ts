// Every mutant operator, and the mutants of a suite: built from the operators' descriptors, in
// the order `neurogate audit --list` shows them (generic harmful, targeted harmful, equivalent).
import { ablateOperator } from './ablate.ts';
import { noiseOperator } from './noise.ts';
import { permuteChannelsOperator } from './permute-channels.ts';
import { permuteUnitsOperator } from './permute-units.ts';
import { preprocessingOperator } from './preprocessing.ts';
import { pruneOperator } from './prune.ts';
import { quantizeOperator } from './quantize.ts';
import { randomizeOperator } from './randomize.ts';
import { reexportOperator } from './reexport.ts';
import { rotateOperator } from './rotate.ts';
import { batchSizeOperator, threadsOperator } from './runtime.ts';
import { signOperator } from './sign.ts';
import { swapClassesOperator } from './swap-classes.ts';
import type { Mutant, MutantContext, MutantOperator } from './types.ts';

export type { Mutant, MutantContext, MutantOperator, MutantKind, EntryTarget } from './types.ts';

export const OPERATORS: readonly MutantOperator[] = [
  randomizeOperator, noiseOperator, pruneOperator, quantizeOperator, preprocessingOperator, swapClassesOperator,
  ablateOperator, permuteUnitsOperator, rotateOperator, signOperator,
  permuteChannelsOperator, reexportOperator, batchSizeOperator, threadsOperator,
];

/** Every mutant of a suite, ids unique. */
export function mutantsFor(ctx: MutantContext): Mutant[] {
  return OPERATORS.flatMap((op) => op.mutants(ctx));
}

/**
 * Mutants chosen by `--mutants`: each selector is a mutant id, an operator name, `harmful` or
 * `equivalent`, with `*` as a wildcard (`noise-*`, `*@curve-102`).
 */
export function selectMutants(all: readonly Mutant[], selectors: readonly string[] | undefined): Mutant[] {
  if (!selectors?.length) return [...all];
  const res = selectors.map((s) => new RegExp(`^${s.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
  return all.filter((m) => res.some((r) => r.test(m.id) || r.test(m.operator) || r.test(m.kind)));
}
