// The console summary: one line per entry, the failed checks under it (observed vs threshold),
// then the counts. Colour only when the stream is a terminal (NO_COLOR / FORCE_COLOR respected).
import type { RunReport } from './model.ts';
import { checkLine, entryStatus, fmtDuration } from './format.ts';
import { oneLine } from '../io/terminal.ts';

/** Text from specs, models and error messages, made safe for one terminal line (see io/terminal.ts). */
export { oneLine };

export interface ConsoleOptions {
  color?: boolean;
  /** Only failing entries and the final line. */
  quiet?: boolean;
}

const SGR = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  return stream.isTTY === true;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatSummary(r: RunReport, opts: ConsoleOptions = {}): string {
  const paint = (k: keyof typeof SGR, s: string) => (opts.color ? `\x1b[${SGR[k]}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  for (const s of r.suites) {
    for (const e of s.entries) {
      const st = entryStatus(e);
      if (opts.quiet && st === 'pass') continue;
      const name = oneLine(`${s.suite} › ${e.id}`);
      const dur = paint('dim', e.cached ? 'cached' : fmtDuration(e.durationMs));
      if (st === 'pass') {
        lines.push(`${paint('green', 'pass ')} ${name}  ${plural(e.checks.length, 'check')}  ${dur}`);
      } else if (st === 'fail') {
        const failed = e.checks.filter((c) => !c.passed);
        lines.push(`${paint('red', 'FAIL ')} ${name}  ${failed.length} of ${plural(e.checks.length, 'check')} failed  ${dur}`);
        for (const c of failed) lines.push(`      ${oneLine(checkLine(c))}`);
      } else {
        const err = e.error!;
        lines.push(`${paint('yellow', 'ERROR')} ${name}  ${oneLine(`${err.code}: ${err.message}${err.hint ? ` — ${err.hint}` : ''}  (${e.where})`)}`);
      }
    }
  }
  const sm = r.summary;
  const verdict = r.exitCode === 0 ? paint('green', 'PASS') : r.exitCode === 1 ? paint('red', 'FAIL') : paint('yellow', 'ERROR');
  const counts = [`${sm.checks} checks: ${sm.passed} passed, ${sm.failed} failed`];
  if (sm.errors) counts.push(`${plural(sm.errors, 'entry').replace('entrys', 'entries')} could not run`);
  const cached = r.suites.reduce((n, s) => n + s.entries.filter((e) => e.cached).length, 0);
  if (cached) counts.push(`${cached} of ${plural(sm.entries, 'entry').replace('entrys', 'entries')} from the cache`);
  const where = oneLine(`device ${r.device.used} · seed ${r.seed}`);
  lines.push(`${paint('bold', verdict)}  ${counts.join(' · ')} · ${plural(sm.entries, 'entry').replace('entrys', 'entries')} in ${plural(sm.suites, 'suite')} · ${where} · ${fmtDuration(r.durationMs)}`);
  return `${lines.join('\n')}\n`;
}
