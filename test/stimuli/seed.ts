// One fast-check seed per test file, printed so a failure can be replayed: FC_SEED=<n> npm test -- stimuli
import fc from 'fast-check';

// Fixed by default so CI is deterministic; set FC_SEED to explore other seeds.
export const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261126;
console.log(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);

/** fc.assert with the file's logged seed. */
export function check<T>(prop: fc.IProperty<T>, numRuns = 100): void {
  fc.assert(prop, { seed, numRuns });
}
