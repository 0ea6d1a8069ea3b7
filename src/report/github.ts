// The `github` reporter: GitHub Actions workflow commands, one `::error file=…,line=…,col=…::` line
// per failed check, per entry that could not run and per spec problem, so each shows at its spec line.
import type { RunReport } from './model.ts';
import { checkVerdict } from './format.ts';

export interface Annotation {
  /** `file:line:col`, `file:line` or a bare file, as the report and spec errors write places. */
  where?: string;
  title: string;
  message: string;
}

/**
 * Control characters other than line breaks could steer the log viewer (ESC sequences) or be
 * read as a command boundary: they become U+FFFD; `%`, CR and LF are percent-encoded as the
 * runner decodes them, and property values also encode `:` and `,`, which separate properties.
 */
function data(s: string): string {
  return s.replace(/[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '\uFFFD').replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function property(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function place(where: string | undefined): string[] {
  if (!where) return [];
  const m = /^([\s\S]*?):(\d+)(?::(\d+))?$/.exec(where);
  if (!m) return [`file=${property(where)}`];
  return [`file=${property(m[1])}`, `line=${m[2]}`, ...(m[3] ? [`col=${m[3]}`] : [])];
}

/** One workflow command line. */
export function annotation(a: Annotation): string {
  const props = [...place(a.where), `title=${property(a.title)}`].join(',');
  return `::error ${props}::${data(a.message)}\n`;
}

/** The annotations of a run: nothing when every check passed. */
export function toGithub(report: RunReport): string {
  const out: string[] = [];
  for (const s of report.suites) {
    for (const e of s.entries) {
      if (e.error) out.push(annotation({ where: e.where, title: `${s.suite} › ${e.id}: ${e.error.code}`, message: `${e.error.message}${e.error.hint ? ` — ${e.error.hint}` : ''}` }));
      for (const c of e.checks) {
        if (!c.passed) out.push(annotation({ where: c.where ?? e.where, title: `${s.suite} › ${e.id}: ${c.metric}`, message: `${checkVerdict(c)}${c.reason ? ` — ${c.reason}` : ''}` }));
      }
    }
  }
  return out.join('');
}
