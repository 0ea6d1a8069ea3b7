// A seeded sample of the hostile-input run (scripts/fuzz-hostile.ts, `npm run fuzz:hostile`, runs
// 1,000 per class): symlink trees, FIFOs and devices, sizes, non-finite values and control
// characters each end accepted or refused as bad input — no crash, silent pass, file outside.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import { FC_SEED } from '../seed.ts';
import { CLASSES, classProperty, sandbox } from './hostile-gen.ts';

const sb = sandbox();
const tally = new Map<string, number>();

for (const cls of CLASSES) {
  test(`hostile ${cls}: 60 cases, each accepted or refused as bad input, never worse`, () => {
    fc.assert(classProperty(cls, sb, tally), { seed: FC_SEED, numRuns: 60 });
    assert.ok((tally.get(`${cls}:refused`) ?? 0) > 0, `${cls}: the sample reaches refusals`);
  });
}

test.after(() => {
  console.log(`hostile sample: ${JSON.stringify(Object.fromEntries([...tally].sort()))}`);
  fs.rmSync(sb.dir, { recursive: true, force: true });
});
test.run();
