// The audit's HTML page: per suite its mutation score and a matrix of checks × mutants (✗ where a
// mutant kills a check), surviving and fragile checks first, in the run report's style.
import { escapeXml as esc } from '../report/escape.ts';
import { badge } from '../report/html/entry.ts';
import { STYLE } from '../report/html/style.ts';
import { fmtDuration } from '../report/format.ts';
import { checkKey, fragile, surviving, type CheckAudit, type SuiteAudit } from './run.ts';

const MATRIX_STYLE = `
table.matrix { border-collapse: collapse; font-size: 12px; }
table.matrix th.mutant { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; padding: 4px 2px; font-weight: normal; }
table.matrix th.mutant.equivalent { color: #7a4b00; }
table.matrix td.cell { text-align: center; min-width: 18px; border: 1px solid #ddd; }
table.matrix td.kill { background: #d8f0d8; }
table.matrix td.ekill { background: #f7c6c6; font-weight: bold; }
table.matrix td.skip { background: #eee; color: #999; }
table.matrix tr.surviving td.name, table.matrix tr.fragile td.name { font-weight: bold; }
table.matrix tr.surviving td.name::after { content: " — surviving"; color: #b00; }
table.matrix tr.fragile td.name::after { content: " — fragile"; color: #b00; }
`;

function status(c: CheckAudit): 'surviving' | 'fragile' | 'failing' | 'ok' {
  if (!c.passesOriginal) return 'failing';
  if (c.equivalentKills.length) return 'fragile';
  return c.killedBy.length ? 'ok' : 'surviving';
}

function matrix(s: SuiteAudit): string {
  const order = { surviving: 0, fragile: 1, failing: 2, ok: 3 } as const;
  const rows = [...s.checks].sort((a, b) => order[status(a)] - order[status(b)]);
  const head = s.mutants.map((m) => `<th class="mutant ${m.kind}" title="${esc(`${m.description}${m.skipped ? ` — skipped: ${m.skipped}` : ''}`)}">${esc(m.id)}</th>`).join('');
  const body = rows.map((c) => {
    const st = status(c);
    const key = checkKey(c.entry, c.metric);
    const cells = s.mutants.map((m) => {
      if (m.skipped) return '<td class="cell skip">·</td>';
      if (!m.kills.includes(key)) return '<td class="cell"></td>';
      return m.kind === 'equivalent' ? '<td class="cell ekill" title="an equivalent mutant fails this check">!</td>' : '<td class="cell kill">✗</td>';
    }).join('');
    return `<tr class="${st}"><td>${badge(st === 'ok' ? 'pass' : st === 'failing' ? 'error' : 'fail')}</td><td class="name"><code>${esc(key)}</code><div class="where">${esc(c.where)}</div></td>${cells}</tr>`;
  }).join('');
  return `<table class="matrix"><thead><tr><th></th><th>check</th>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function suiteSection(s: SuiteAudit): string {
  const applied = s.mutants.filter((m) => !m.skipped);
  const harmful = applied.filter((m) => m.kind === 'harmful');
  const score = s.score === null ? 'no harmful mutant applied' : `${(s.score * 100).toFixed(0)}% (${harmful.filter((m) => m.kills.length).length} of ${harmful.length} harmful mutants killed)`;
  const skipped = s.mutants.filter((m) => m.skipped);
  return `<section class="suite"><h2>${esc(s.suite)} — mutation score ${esc(score)}</h2>`
    + `<p class="suite-head"><span class="mono">${esc(s.file)}</span> · ${surviving(s).length} surviving · ${fragile(s).length} fragile · ${applied.length} mutants ran · original run ${esc(fmtDuration(s.originalMs))}, mutants ${esc(fmtDuration(s.mutants.reduce((t, m) => t + m.durationMs, 0)))}</p>`
    + matrix(s)
    + (skipped.length ? `<details><summary>${skipped.length} mutants did not apply</summary><ul>${skipped.map((m) => `<li><code>${esc(m.id)}</code>: ${esc(m.skipped!)}</li>`).join('')}</ul></details>` : '')
    + '</section>';
}

export function auditHtml(a: { suites: readonly SuiteAudit[] }, exitCode: number): string {
  const verdict = exitCode === 0 ? 'PASS' : exitCode === 1 ? 'FAIL' : 'ERROR';
  const cls = exitCode === 0 ? 'pass' : exitCode === 1 ? 'fail' : 'error';
  const weak = a.suites.reduce((n, s) => n + surviving(s).length + fragile(s).length, 0);
  return '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
    + `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">`
    + `<title>neurogate audit ${verdict}</title><style>${STYLE}${MATRIX_STYLE}</style></head><body><main>`
    + `<header class="banner ${cls}" data-verdict="${verdict}"><span class="verdict">${verdict}</span><span class="counts">${a.suites.length} suites audited · ${weak} surviving or fragile checks<br><span class="where">✗ a harmful mutant kills the check · ! an equivalent mutant does (fragile) · exit code ${exitCode}</span></span></header>`
    + a.suites.map(suiteSection).join('')
    + '</main><footer>Written by neurogate audit. audit.json next to this file is the source of truth.</footer></body></html>\n';
}
