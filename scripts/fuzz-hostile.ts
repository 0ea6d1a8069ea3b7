// The long hostile-input run the README records: N generated cases per class (default 1,000) of
// symlink trees, FIFOs and devices, sizes, non-finite values and control characters, through the
// real opener, loaders, golden store and printers. Prints the tally, seed and time; exits 1 on the
// first crash, silent pass, read or write outside, or raw control byte (a hang never finishes).
// usage: node --import tsx scripts/fuzz-hostile.ts [casesPerClass] [seed]
import fc from 'fast-check';
import fs from 'node:fs';
import { CLASSES, classProperty, sandbox } from '../test/reliability/hostile-gen.ts';

const runs = Number(process.argv[2] ?? 1000);
const seed = Number(process.argv[3] ?? 20261126);
const tally = new Map<string, number>();
const seconds: Record<string, number> = {};
const sb = sandbox();
const t0 = performance.now();
try {
  for (const cls of CLASSES) {
    const t = performance.now();
    fc.assert(classProperty(cls, sb, tally), { seed, numRuns: runs, endOnFailure: true });
    seconds[cls] = Math.round((performance.now() - t) / 100) / 10;
  }
} finally {
  fs.rmSync(sb.dir, { recursive: true, force: true });
}
const cases = [...tally.values()].reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ seed, casesPerClass: runs, cases, crashes: 0, hangs: 0, silentPasses: 0, filesOutside: 0,
  tally: Object.fromEntries([...tally].sort()), seconds, total: Math.round((performance.now() - t0) / 100) / 10 }, null, 1));
