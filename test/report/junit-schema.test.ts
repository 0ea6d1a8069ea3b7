// neurogate's junit.xml against the common JUnit schema (Jenkins xUnit's junit-10.xsd, shipped in
// fixtures/), checked by libxml2 (xmllint-wasm): generated reports of any shape, a report from a
// real run, and documents the schema must reject so the check can fail.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { validateJunit as validate } from './junit-xsd.ts';
import { FC_SEED } from '../seed.ts';
import { reportArb } from './arbitrary.ts';
import { smallReport } from './small-report.ts';
import { toJunit } from '../../src/report/junit.ts';

/** Counts read off the elements (escaped text holds no `<`, so tags are found by their names). */
function recount(xml: string) {
  return [...xml.matchAll(/<testsuite (.*?)>([\s\S]*?)<\/testsuite>/g)].map(([, head, body]) => {
    const cases = [...body.matchAll(/<testcase [^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => m[1] ?? '');
    const attr = (k: string) => Number(new RegExp(` ${k}="(\\d+)"`).exec(head)?.[1]);
    return {
      declared: { tests: attr('tests'), failures: attr('failures'), errors: attr('errors') },
      found: { tests: cases.length, failures: cases.filter((c) => c.includes('<failure')).length, errors: cases.filter((c) => c.includes('<error')).length },
      most: Math.max(0, ...cases.map((c) => (c.match(/<(failure|error)[ >]/g) ?? []).length)),
    };
  });
}

test('the schema rejects what strict consumers reject (so the checks below can fail)', async () => {
  const ok = '<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="c"/></testsuite></testsuites>';
  const [good, ...bad] = await validate([
    ok,
    // The old shape: file/line attributes on a testcase; a suite without its counts; a stray element.
    ok.replace('<testcase name="c"/>', '<testcase name="c" file="a.yaml" line="3"/>'),
    ok.replace(' tests="1"', ''),
    ok.replace('<testcase name="c"/>', '<testcase name="c"><oops/></testcase>'),
  ]);
  assert.equal(good, []);
  bad.forEach((errors, i) => assert.ok(errors.length, `bad document ${i} passed`));
});

test('the hand-written report validates, and its counts are its testcases', async () => {
  const xml = toJunit(smallReport);
  assert.equal(await validate([xml]), [[]]);
  assert.equal(recount(xml), [{ declared: { tests: 4, failures: 2, errors: 1 }, found: { tests: 4, failures: 2, errors: 1 }, most: 1 }]);
});

test('any report gives JUnit with counts that match its elements and one failure per testcase', () => {
  fc.assert(fc.property(reportArb, (r) => {
    for (const s of recount(toJunit(r))) {
      assert.equal(s.declared, s.found);
      assert.ok(s.most <= 1);
    }
  }), { seed: FC_SEED, numRuns: 300 });
});

test('any report gives JUnit that validates (120 generated reports, hostile strings and numbers included)', async () => {
  const docs = fc.sample(reportArb, { seed: FC_SEED, numRuns: 120 }).map(toJunit);
  const errors = await validate(docs);
  errors.forEach((e, i) => assert.equal(e, [], `generated report ${i}:\n${docs[i].slice(0, 2000)}`));
});

test.run();
