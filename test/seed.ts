// The fast-check seed of a test file: from FC_SEED when set (to replay a failure), else drawn
// once and printed, so a failing property can be re-run exactly.
// Fixed by default so CI is deterministic; set FC_SEED to explore other seeds.
export const FC_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261126;
console.log(`fast-check seed: ${FC_SEED} (replay with FC_SEED=${FC_SEED})`);
