// JUnit XML derived from the JSON report, for CI dashboards: a <testsuite> per spec suite, a
// <testcase> per entry, one <failure> per failed check (observed vs threshold), <error> when an entry could not run.
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

/** `file:line:col` → the file and line attributes many JUnit consumers link to. */
function fileLine(where: string): { file?: string; line?: number } {
  const m = /^(.*):(\d+):(\d+)$/.exec(where);
  return m ? { file: m[1], line: Number(m[2]) } : { file: where || undefined };
}

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

function testcase(suite: SuiteResult, e: EntryResult): string {
  const { file, line } = fileLine(e.where);
  const head = `    <testcase${attrs({ name: e.id, classname: `${suite.suite}.${e.kind}`, file, line, time: seconds(e.durationMs), assertions: e.checks.length })}`;
  let body = '';
  if (e.error) {
    const text = [`${e.error.code}: ${e.error.message}`, e.error.hint ? `hint: ${e.error.hint}` : '', `at: ${e.where}`].filter(Boolean).join('\n');
    body += `      <error${attrs({ message: `${e.error.message}${e.error.hint ? ` — ${e.error.hint}` : ''}`, type: e.error.code })}>${escapeXmlText(text)}</error>\n`;
  }
  for (const c of e.checks) if (!c.passed) body += failure(c);
  const passedNotes = e.checks.filter((c) => c.passed).map((c) => `pass ${checkLine(c)}`);
  if (passedNotes.length) body += `      <system-out>${escapeXmlText(passedNotes.join('\n'))}</system-out>\n`;
  return body ? `${head}>\n${body}    </testcase>\n` : `${head}/>\n`;
}

function counts(entries: EntryResult[]) {
  const errors = entries.filter((e) => e.error).length;
  const failures = entries.reduce((n, e) => n + e.checks.filter((c) => !c.passed).length, 0);
  const time = entries.reduce((t, e) => t + (Number.isFinite(e.durationMs) ? e.durationMs : 0), 0);
  return { errors, failures, time };
}

function testsuite(report: RunReport, s: SuiteResult): string {
  const c = counts(s.entries);
  const props: [string, string][] = [
    ['file', s.file],
    ['model', s.model.ref],
    ['model.hash', s.model.hash],
    ...(s.baseline ? ([['baseline', s.baseline.ref], ['baseline.hash', s.baseline.hash]] as [string, string][]) : []),
    ['device', report.device.used],
    ['seed', String(report.seed)],
  ];
  const properties = `    <properties>\n${props.map(([name, value]) => `      <property${attrs({ name, value })}/>\n`).join('')}    </properties>\n`;
  const head = `  <testsuite${attrs({ name: s.suite, tests: s.entries.length, failures: c.failures, errors: c.errors, skipped: 0, time: seconds(c.time), timestamp: report.startedAt, file: s.file })}>\n`;
  return `${head}${properties}${s.entries.map((e) => testcase(s, e)).join('')}  </testsuite>\n`;
}

/**
 * `failures` counts failed checks (one <failure> each) and `tests` counts entries, so a
 * testcase may carry several failures: GitLab and Jenkins list each of them.
 */
export function toJunit(report: RunReport): string {
  const all = report.suites.flatMap((s) => s.entries);
  const c = counts(all);
  const head = `<testsuites${attrs({ name: 'neurogate', tests: all.length, failures: c.failures, errors: c.errors, time: seconds(report.durationMs), timestamp: report.startedAt })}>\n`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}${report.suites.map((s) => testsuite(report, s)).join('')}</testsuites>\n`;
}
