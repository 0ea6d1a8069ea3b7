// Spec fuzzing in `npm test` (1,000 cases; scripts/fuzz-specs.ts runs ≥ 10,000): every hostile
// spec loads or is refused with file:line:col issues; a few go through the real CLI (exit 2).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import path from 'node:path';
import { caseArb, hugeCases, verdict, BASES } from './spec-gen.ts';
import { FC_SEED } from '../seed.ts';
import { workspace } from './workspace.ts';

test('1,000 generated and mutated specs: no crash, every refusal at file:line:col', () => {
  const tally = new Map<string, number>();
  assert.ok(BASES.length >= 3, 'the shipped specs are the mutation bases');
  fc.assert(fc.property(caseArb, (c) => {
    const v = verdict(c);
    tally.set(`${c.kind}:${v}`, (tally.get(`${c.kind}:${v}`) ?? 0) + 1);
  }), { seed: FC_SEED, numRuns: 1000 });
  console.log(`spec fuzz: ${JSON.stringify(Object.fromEntries([...tally].sort()))}`);
  for (const kind of ['value', 'text', 'alias-bomb', 'deep']) assert.ok([...tally.keys()].some((k) => k.startsWith(`${kind}:refused`)), kind);
});

test('10 MB strings (a suite name, an id, a comment, newlines) are refused with a place, quickly', () => {
  for (const c of hugeCases()) {
    const t0 = performance.now();
    assert.is(verdict(c), 'refused');
    // A quadratic scan of 10 MB takes hours, linear work under a second: 60 s tells them apart even
    // on two cores shared with other test files (10 s failed on a machine at load 18).
    assert.ok(performance.now() - t0 < 60_000, 'no quadratic blow-up');
  }
});

test('through the real CLI: an alias bomb, deep nesting and a huge spec each exit 2 at file:line:col', () => {
  const ws = workspace('fuzz');
  const bomb = `a0: &a0 [lol]\n${Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`).join('\n')}\nsuite: *a9\n`;
  ws.write('specs/bomb.yaml', bomb);
  ws.write('specs/deep.yaml', `suite: s\nneurons: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
  ws.write('specs/huge.yaml', `suite: s\nneurons:\n  - id: "${'é'.repeat(5 * 2 ** 20)}"\n`);
  for (const f of ['bomb', 'deep', 'huge']) {
    const r = ws.cli('run', `specs/${f}.yaml`, '--quiet');
    assert.is(r.code, 2, `${f}: ${r.out}${r.err}`);
    assert.match(r.err, new RegExp(`${path.join('specs', `${f}.yaml`).replace('.', '\\.')}:\\d+:\\d+: `), f);
    assert.not.match(r.err, /internal error|at .*\.ts:\d+/, f);
  }
});

test.run();
