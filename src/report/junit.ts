// JUnit XML derived from the JSON report, for CI dashboards: a <testsuite> per spec suite, a
// <testcase> per check with one <failure> when it failed (observed vs threshold), <error> when an entry could not run.
import type { CheckResult, EntryResult, RunReport, SuiteResult } from './model.ts';
import { escapeXml, escapeXmlText } from './escape.ts';
import { checkLine, checkVerdict, fmtNumber } from './format.ts';

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
}

function seconds(ms: number | undefined): string | undefined {
  return ms === undefined || !Number.isFinite(ms) ? undefined : (ms / 1000).toFixed(3);
}

/** The failure text: every field of the check, one per line, ending with its place in the spec. */
function failure(c: CheckResult): string {
  const lines = [
    `metric: ${c.metric}`,
    `expectation: ${c.expectation}`,
    `observed: ${fmtNumber(c.observed)}`,
    `threshold: ${JSON.stringify(c.threshold)}`,
  ];
  if (c.baseline !== undefined) lines.push(`baseline: ${fmtNumber(c.baseline)}`);
  if (c.reason) lines.push(`reason: ${c.reason}`);
  if (c.where) lines.push(`at: ${c.where}`);
  const message = `${c.metric}: ${checkVerdict(c)}${c.reason ? ` — ${c.reason}` : ''}`;
  return `      <failure${attrs({ message, type: 'check' })}>${escapeXmlText(lines.join('\n'))}</failure>\n`;
}

interface Case { xml: string; failed: boolean; errored: boolean; ms: number }

/** `metric expectation`, numbered when an entry checks the same metric the same way twice. */
function checkNames(checks: CheckResult[]): string[] {
  const names = checks.map((c) => `${c.metric} ${c.expectation}`);
  return names.map((n, i) => (names.indexOf(n) !== names.lastIndexOf(n) ? `${n} #${names.slice(0, i + 1).filter((m) => m === n).length}` : n));
}

/**
 * One testcase per check (a failed check holds exactly one <failure>), plus one holding the
 * <error> when the entry could not run; an entry with neither is one passing testcase. The
 * entry's time is split evenly over its testcases, so the suite's time is still their sum.
 */
function testcases(suite: SuiteResult, e: EntryResult): Case[] {
  const n = e.checks.length + (e.error || e.checks.length === 0 ? 1 : 0);
  const ms = Number.isFinite(e.durationMs) ? e.durationMs / n : 0;
  const classname = `${suite.suite}.${e.id}`;
  const head = (name: string) => `    <testcase${attrs({ name, classname, time: seconds(ms) })}`;
  const cases: Case[] = [];
  if (e.error || e.checks.length === 0) {
    let body = '';
    if (e.error) {
      const text = [`${e.error.code}: ${e.error.message}`, e.error.hint ? `hint: ${e.error.hint}` : '', `at: ${e.where}`].filter(Boolean).join('\n');
      body = `      <error${attrs({ message: `${e.error.message}${e.error.hint ? ` — ${e.error.hint}` : ''}`, type: e.error.code })}>${escapeXmlText(text)}</error>\n`;
    }
    const xml = body ? `${head(e.id)}>\n${body}    </testcase>\n` : `${head(e.id)}/>\n`;
    cases.push({ xml, failed: false, errored: Boolean(e.error), ms });
  }
  const names = checkNames(e.checks);
  e.checks.forEach((c, i) => {
    const body = c.passed ? `      <system-out>${escapeXmlText(`pass ${checkLine(c)}`)}</system-out>\n` : failure(c);
    cases.push({ xml: `${head(`${e.id} › ${names[i]}`)}>\n${body}    </testcase>\n`, failed: !c.passed, errored: false, ms });
  });
  return cases;
}

function counts(cases: Case[]) {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.failed).length,
    errors: cases.filter((c) => c.errored).length,
    time: cases.reduce((t, c) => t + c.ms, 0),
  };
}

function testsuite(report: RunReport, s: SuiteResult): { xml: string; cases: Case[] } {
  const cases = s.entries.flatMap((e) => testcases(s, e));
  const c = counts(cases);
  const props: [string, string][] = [
    ['file', s.file],
    ['model', s.model.ref],
    ['model.hash', s.model.hash],
    ...(s.baseline ? ([['baseline', s.baseline.ref], ['baseline.hash', s.baseline.hash]] as [string, string][]) : []),
    ['device', report.device.used],
    ['seed', String(report.seed)],
  ];
  const properties = `    <properties>\n${props.map(([name, value]) => `      <property${attrs({ name, value })}/>\n`).join('')}    </properties>\n`;
  const head = `  <testsuite${attrs({ name: s.suite, tests: c.tests, failures: c.failures, errors: c.errors, skipped: 0, time: seconds(c.time), timestamp: report.startedAt, file: s.file })}>\n`;
  return { xml: `${head}${properties}${cases.map((k) => k.xml).join('')}  </testsuite>\n`, cases };
}

/**
 * JUnit as the common schema (Jenkins/Surefire junit-10.xsd) reads it: `tests` counts testcases,
 * `failures` the testcases that failed and `errors` those that could not run, so a consumer that
 * recounts the elements agrees with the attributes. Each check's spec location is in its text.
 */
export function toJunit(report: RunReport): string {
  const suites = report.suites.map((s) => testsuite(report, s));
  const c = counts(suites.flatMap((s) => s.cases));
  const head = `<testsuites${attrs({ name: 'neurogate', tests: c.tests, failures: c.failures, errors: c.errors, time: seconds(report.durationMs) })}>\n`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}${suites.map((s) => s.xml).join('')}</testsuites>\n`;
}
