import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';
import { hostileString, reportArb } from './arbitrary.ts';
import { sharedChromium } from './chromium.ts';
import { escapeXml, escapeXmlText, xmlRepresentable } from '../../src/report/escape.ts';
import { toJunit } from '../../src/report/junit.ts';
import { checkVerdict } from '../../src/report/format.ts';
import type { Page } from 'playwright-core';

// A conforming XML parser (Chromium's, strict: any well-formedness error yields <parsererror>).
const chromium = sharedChromium();
let page: Page | undefined;
test.after(() => chromium.close());

async function parse(xml: string) {
  page ??= await (await chromium.get()).context.newPage();
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    if (doc.getElementsByTagName('parsererror').length) return { error: doc.getElementsByTagName('parsererror')[0].textContent };
    const root = doc.documentElement;
    return {
      error: null,
      root: root.tagName,
      text: root.textContent,
      attr: root.getAttribute('v'),
      suites: [...root.getElementsByTagName('testsuite')].map((s) => ({
        name: s.getAttribute('name'),
        tests: Number(s.getAttribute('tests')),
        failures: Number(s.getAttribute('failures')),
        errors: Number(s.getAttribute('errors')),
        cases: [...s.getElementsByTagName('testcase')].map((c) => ({
          name: c.getAttribute('name'),
          failures: [...c.getElementsByTagName('failure')].map((f) => f.getAttribute('message')),
          errors: [...c.getElementsByTagName('error')].map((f) => f.getAttribute('type')),
        })),
      })),
    };
  }, xml);
}

test('the parser is strict: unescaped markup is an error (so the properties below can fail)', async () => {
  assert.ok((await parse('<a v="<">x</a>')).error);
  assert.ok((await parse('<a>\u0001</a>')).error);
  assert.is((await parse('<a v="x">y</a>')).error, null);
});

test('any string, escaped, parses back as itself in attributes and text (unrepresentable characters become U+FFFD)', async () => {
  await fc.assert(fc.asyncProperty(hostileString, async (s) => {
    const r = await parse(`<a v="${escapeXml(s)}">${escapeXmlText(s)}</a>`);
    assert.is(r.error, null, r.error ?? '');
    assert.is(r.attr, xmlRepresentable(s));
    assert.is(r.text, xmlRepresentable(s));
    const q = await parse(`<a v='${escapeXml(s)}'>${escapeXml(s)}</a>`);
    assert.is(q.attr, xmlRepresentable(s));
    assert.is(q.text, xmlRepresentable(s));
  }), { seed: FC_SEED, numRuns: 300, examples: [['\r\n\t'], [']]>'], ['\uD800x'], ['\u0000'], ['😀\uDC00']] });
});

test('any report gives well-formed JUnit: a suite per spec suite, a case per check with at most one failure, a case per broken entry', async () => {
  await fc.assert(fc.asyncProperty(reportArb, async (r) => {
    const got = await parse(toJunit(r));
    assert.is(got.error, null, got.error ?? '');
    assert.is(got.root, 'testsuites');
    assert.is(got.suites!.length, r.suites.length);
    r.suites.forEach((s, i) => {
      const gs = got.suites![i];
      assert.is(gs.name, xmlRepresentable(s.suite));
      // The counts are the testcases a consumer finds, so recounting agrees with the attributes.
      assert.is(gs.tests, gs.cases.length);
      assert.is(gs.failures, gs.cases.filter((c) => c.failures.length).length);
      assert.is(gs.errors, gs.cases.filter((c) => c.errors.length).length);
      assert.ok(gs.cases.every((c) => c.failures.length + c.errors.length <= 1), 'one failure or error per testcase');
      const expected = s.entries.flatMap((e) => [
        ...(e.error || e.checks.length === 0 ? [{ failures: [], errors: e.error ? [xmlRepresentable(e.error.code)] : [] }] : []),
        ...e.checks.map((c) => ({ failures: c.passed ? [] : [xmlRepresentable(`${c.metric}: ${checkVerdict(c)}${c.reason ? ` — ${c.reason}` : ''}`)], errors: [] })),
      ]);
      assert.equal(gs.cases.map((c) => ({ failures: c.failures, errors: c.errors })), expected);
    });
  }), { seed: FC_SEED, numRuns: 120 });
});

test.run();
