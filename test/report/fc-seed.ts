// The fast-check seed for the report and golden tests: FC_SEED replays a failure, otherwise a
// fresh one is drawn and logged so any failure can be reproduced.
export const FC_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);
console.log(`fast-check seed: ${FC_SEED} (replay with FC_SEED=${FC_SEED})`);
