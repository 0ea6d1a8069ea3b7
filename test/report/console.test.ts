import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';
import { reportArb } from './arbitrary.ts';
import { formatSummary, wantsColor } from '../../src/report/console.ts';
import { fmtNumber } from '../../src/report/format.ts';
import { smallReport as report } from './small-report.ts';

test('one line per entry, each failed check under it with observed vs threshold and baseline, then the counts', () => {
  const lines = formatSummary(report).trimEnd().split('\n');
  assert.equal(lines, [
    'pass  curves › peak  1 check  120 ms',
    'FAIL  curves › echo  2 of 2 checks failed  80 ms',
    '      tuning.echo: observed 0.79996, expected ≤ 0.1 — above the maximum (specs/a.yaml:12:7)',
    '      tuning.fwhm: observed 30, expected increase ≥ 0.1 (absolute), baseline 31 — decreased by 1',
    'ERROR curves › broken  E_LAYER: layer "mixed9" not found — did you mean mixed2?  (specs/a.yaml:20:3)',
    'ERROR  3 checks: 1 passed, 2 failed · 1 entry could not run · 3 entries in 1 suite · device cpu · seed 7 · 2.5 s',
  ]);
  const quiet = formatSummary(report, { quiet: true });
  assert.not.match(quiet, 'curves › peak');
  assert.match(quiet, 'curves › echo');
});

test('colour only when asked (a TTY), NO_COLOR wins, FORCE_COLOR forces', () => {
  assert.not.match(formatSummary(report), '\x1b[');
  assert.match(formatSummary(report, { color: true }), '\x1b[31mFAIL');
  assert.ok(wantsColor({ isTTY: true }, {}));
  assert.not.ok(wantsColor({ isTTY: false }, {}));
  assert.not.ok(wantsColor({}, {}));
  assert.not.ok(wantsColor({ isTTY: true }, { NO_COLOR: '1' }));
  assert.ok(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' }));
  assert.not.ok(wantsColor({ isTTY: true }, { FORCE_COLOR: '0' }));
});

test('every report prints: one status line per entry (quiet: per failing entry) and a final line with the counts', () => {
  fc.assert(fc.property(reportArb, (r) => {
    const text = formatSummary(r);
    const entries = r.suites.flatMap((s) => s.entries);
    // Exactly: text from the report can never add a line that looks like another entry.
    const body = (t: string) => t.trimEnd().split('\n').slice(0, -1);
    const status = body(text).filter((l) => /^(pass |FAIL |ERROR) /.test(l));
    assert.is(status.length, entries.length);
    assert.not.match(text, /\x1b|\r/);
    const last = text.trimEnd().split('\n').at(-1)!;
    assert.match(last, `${r.summary.checks} checks: ${r.summary.passed} passed, ${r.summary.failed} failed`);
    const failing = entries.filter((e) => e.error || e.checks.some((c) => !c.passed)).length;
    assert.is(body(formatSummary(r, { quiet: true })).filter((l) => /^(pass |FAIL |ERROR) /.test(l)).length, failing);
    assert.is(body(text).filter((l) => l.startsWith('      ')).length, entries.reduce((n, e) => n + (e.error ? 0 : e.checks.filter((c) => !c.passed).length), 0));
  }), { seed: FC_SEED, numRuns: 100 });
});

test('numbers: 6 significant digits, so a near miss never prints as its threshold; non-finite spelled out', () => {
  assert.is(fmtNumber(0.79996), '0.79996');
  assert.is(fmtNumber(0.7999996), '0.8');
  assert.is(fmtNumber(1 / 3), '0.333333');
  assert.is(fmtNumber(12345678), '12345678');
  assert.is(fmtNumber(2.5e-7), '2.5e-7');
  assert.is(fmtNumber(NaN), 'NaN');
  assert.is(fmtNumber(-Infinity), '−∞');
  assert.is(fmtNumber(null), '—');
});

test.run();
