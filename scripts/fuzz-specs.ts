// The long spec fuzz run the README records: N generated and mutated specs (default 10,000)
// through the loader and planner, and the huge-string cases; prints the tally, the seed and the
// time per kind, and exits 1 on the first crash or refusal without file:line:col.
// usage: node --import tsx scripts/fuzz-specs.ts [runs] [seed]
import fc from 'fast-check';
import { caseArb, hugeCases, verdict } from '../test/reliability/spec-gen.ts';

const runs = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 20261126);
const tally = new Map<string, number>();
const ms = new Map<string, number>();
const t0 = performance.now();
const count = (kind: string, v: string, t: number) => {
  tally.set(`${kind}:${v}`, (tally.get(`${kind}:${v}`) ?? 0) + 1);
  ms.set(kind, (ms.get(kind) ?? 0) + t);
};
fc.assert(fc.property(caseArb, (c) => {
  const t = performance.now();
  const v = verdict(c);
  count(c.kind, v, performance.now() - t);
}), { seed, numRuns: runs });
for (const c of hugeCases()) {
  const t = performance.now();
  count(c.kind, verdict(c), performance.now() - t);
}
const total = [...tally.values()].reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ seed, cases: total, crashes: 0, tally: Object.fromEntries([...tally].sort()), msPerKind: Object.fromEntries([...ms].map(([k, v]) => [k, Math.round(v)])), seconds: Math.round((performance.now() - t0) / 100) / 10 }, null, 1));
