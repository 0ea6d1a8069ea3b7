// The `github` reporter: one workflow command per failed check / broken entry, at the spec's
// file:line:col, and no string from a spec or model can break a line or smuggle in a control character.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';
import { hostileString, reportArb } from './arbitrary.ts';
import { smallReport } from './small-report.ts';
import { annotation, toGithub } from '../../src/report/github.ts';

/** What the Actions runner reads back from a command's message (percent-decoding). */
function decode(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

test('the hand-written report: an error per failed check at its place, one for the broken entry, none for the pass', () => {
  const lines = toGithub(smallReport).split('\n').filter(Boolean);
  assert.equal(lines, [
    '::error file=specs/a.yaml,line=12,col=7,title=curves › echo%3A tuning.echo::observed 0.79996, expected ≤ 0.1 — above the maximum',
    '::error file=specs/a.yaml,line=9,col=3,title=curves › echo%3A tuning.fwhm::observed 30, expected increase ≥ 0.1 (absolute), baseline 31 — decreased by 1',
    '::error file=specs/a.yaml,line=20,col=3,title=curves › broken%3A E_LAYER::layer "mixed9" not found — did you mean mixed2?',
  ]);
  assert.is(toGithub({ ...smallReport, suites: [{ ...smallReport.suites[0], entries: [smallReport.suites[0].entries[0]] }] }), '', 'a green run prints nothing');
});

test('any message and place: one line, no control characters, the message decodes to itself (controls → U+FFFD)', () => {
  fc.assert(fc.property(hostileString, hostileString, hostileString, (message, title, file) => {
    const line = annotation({ where: `${file}:3:4`, title, message });
    assert.ok(line.endsWith('\n'));
    const body = line.slice(0, -1);
    assert.not.match(body, /[\u0000-\u001f\u007f-\u009f]/);
    assert.ok(body.startsWith('::error file='));
    const sep = body.indexOf('::', 2);
    assert.is(decode(body.slice(sep + 2)), message.replace(/[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '\uFFFD'));
    // Properties hold no raw `:` or `,`, so the place and title cannot end early or add a property.
    const props = body.slice('::error '.length, sep).split(',');
    assert.equal(props.map((p) => p.split('=')[0]), ['file', 'line', 'col', 'title']);
    assert.equal(props.slice(1, 3), ['line=3', 'col=4']);
  }), { seed: FC_SEED, numRuns: 500 });
});

test('any report: one line per failed check plus one per broken entry', () => {
  fc.assert(fc.property(reportArb, (r) => {
    const n = r.suites.flatMap((s) => s.entries).reduce((k, e) => k + (e.error ? 1 : 0) + e.checks.filter((c) => !c.passed).length, 0);
    const out = toGithub(r);
    assert.is(out.split('\n').length - 1, n);
    assert.ok(out.split('\n').filter(Boolean).every((l) => l.startsWith('::error ')));
  }), { seed: FC_SEED, numRuns: 200 });
});

test.run();
