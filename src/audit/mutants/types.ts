// What a model mutant is: a named, seeded, documented change of a model that a spec's checks
// should (harmful) or should not (equivalent) notice. Operators build mutants from a context.
import type { ImportedModel } from '../../models/types.ts';

/** harmful: a real regression that a good gate catches · equivalent: the same function, so no check may notice. */
export type MutantKind = 'harmful' | 'equivalent';

/** Units an entry looks at: the targeted operators aim at them. */
export interface EntryTarget {
  entry: string;
  /** The layer as the spec names it, and the IR tensor behind it. */
  layer: string;
  tensor: string;
  units: number[];
}

export interface MutantContext {
  /** Every random draw of every mutant derives from it (and the mutant's id). */
  seed: number;
  /** Units the suite's entries measure (targeted operators make one mutant per distinct target). */
  targets: EntryTarget[];
  /** IR tensors the suite reads by channel: an equivalent permutation must leave them alone. */
  protectedTensors: ReadonlySet<string>;
  /** The suite's batch size (the batch-size mutant picks another). */
  batch: number;
}

export interface Mutant {
  /** Stable and unique in a suite, e.g. `noise-5%`, `ablate@curve-102`. */
  id: string;
  operator: string;
  kind: MutantKind;
  description: string;
  /**
   * The mutated model: a private copy with its own identity (net.hash), so caches and sessions
   * never mix it with the original. Throws a bad-input NeurogateError when it does not apply.
   */
  apply(model: ImportedModel): ImportedModel;
  /** Runner setting the mutant changes instead of (or besides) weights. */
  batch?: number;
}

export interface MutantOperator {
  name: string;
  kind: MutantKind;
  /** One paragraph: what it changes and why a check should (or must not) notice. */
  doc: string;
  /** The operator's mutants for a suite (targeted operators: one per target; none when nothing fits). */
  mutants(ctx: MutantContext): Mutant[];
}
