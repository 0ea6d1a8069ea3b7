// The fast-check seed of a test file: from FC_SEED when set (to replay a failure), else drawn
// once and printed, so a failing property can be re-run exactly.
export const FC_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);
console.log(`fast-check seed: ${FC_SEED} (replay with FC_SEED=${FC_SEED})`);
