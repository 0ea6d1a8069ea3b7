// The self-contained HTML report: one file, no external requests (a Content-Security-Policy
// forbids them), inline CSS, images and SVG; a pass/fail banner, the run's provenance, a list
// of failures linking to their entries, then every suite and entry.
import { createHash } from 'node:crypto';
import type { RunReport } from '../model.ts';
import { escapeXml as esc } from '../escape.ts';
import { checkLine, entryStatus, fmtDuration, shortHash, suiteStatus } from '../format.ts';
import { STYLE } from './style.ts';
import { badge, entryAnchor, entryHtml } from './entry.ts';

// Folded sections open for printing, and close again after; the CSP admits exactly this script by hash.
const PRINT_SCRIPT = "addEventListener('beforeprint',()=>{for(const d of document.querySelectorAll('details:not([open])')){d.open=true;d.dataset.printOpened='1'}});addEventListener('afterprint',()=>{for(const d of document.querySelectorAll('details[data-print-opened]')){d.open=false;delete d.dataset.printOpened}});";
const SCRIPT_HASH = createHash('sha256').update(PRINT_SCRIPT).digest('base64');
const CSP = `default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; base-uri 'none'; form-action 'none'`;

function overallStatus(r: RunReport): 'pass' | 'fail' | 'error' {
  if (r.exitCode === 0) return 'pass';
  return r.exitCode === 1 ? 'fail' : 'error';
}

function banner(r: RunReport): string {
  const st = overallStatus(r);
  const s = r.summary;
  const parts = [`${s.passed} of ${s.checks} checks passed`];
  if (s.failed) parts.push(`<b>${s.failed} failed</b>`);
  if (s.errors) parts.push(`<b>${s.errors} ${s.errors === 1 ? 'entry' : 'entries'} could not run</b>`);
  const verdict = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' }[st];
  return `<header class="banner ${st}" data-verdict="${verdict}"><span class="verdict">${verdict}</span>`
    + `<span class="counts">${parts.join(' · ')}<br><span class="where">${s.entries} entries in ${s.suites} suites · exit code ${r.exitCode}</span></span>`
    + `<span class="tool">${esc(r.tool.name)} ${esc(r.tool.version)}<br>report schema v${r.schemaVersion}</span></header>`;
}

function meta(r: RunReport): string {
  const row = (k: string, v: string) => `<dt>${esc(k)}</dt><dd>${v}</dd>`;
  const env = r.environment;
  const opts = Object.keys(r.options).length ? `<code>${esc(JSON.stringify(r.options))}</code>` : '—';
  return '<dl class="meta">'
    + row('started', esc(r.startedAt))
    + row('duration', esc(fmtDuration(r.durationMs)))
    + row('seed', `<code>${esc(String(r.seed))}</code>`)
    + row('device', `<b>${esc(r.device.used)}</b> (requested ${esc(r.device.requested)}${r.device.reason ? `; ${esc(r.device.reason)}` : ''})`)
    + row('environment', esc(`node ${env.node} · onnxruntime ${env.onnxruntime} · ${env.platform} · ${env.cpus} CPUs`))
    + row('options', opts)
    + '</dl>';
}

function models(r: RunReport): string {
  if (r.suites.length === 0) return '<p>No suites ran.</p>';
  const ref = (m?: { ref: string; hash: string }) => (m ? `${esc(m.ref)} <code title="${esc(m.hash)}">${esc(shortHash(m.hash))}</code>` : '—');
  const rows = r.suites.map((s, si) => `<tr><td>${badge(suiteStatus(s))}</td><td><a href="#suite-${si}">${esc(s.suite)}</a></td><td class="mono">${esc(s.file)}</td>`
    + `<td>${ref(s.model)}</td><td>${ref(s.baseline)}</td><td class="num">${s.entries.length}</td></tr>`).join('');
  return `<h2>Suites and models</h2><table class="models"><thead><tr><th></th><th>suite</th><th>spec file</th><th>model (hash)</th><th>baseline (hash)</th><th>entries</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function failures(r: RunReport): string {
  const items: string[] = [];
  r.suites.forEach((s, si) => s.entries.forEach((e, ei) => {
    const st = entryStatus(e);
    if (st === 'pass') return;
    const lines = e.error
      ? [`${e.error.code}: ${e.error.message}`]
      : e.checks.filter((c) => !c.passed).map(checkLine);
    items.push(`<li>${badge(st)} <a href="#${entryAnchor(si, ei)}">${esc(`${s.suite} › ${e.id}`)}</a>${lines.map((l) => `<span class="line">${esc(l)}</span>`).join('')}</li>`);
  }));
  if (items.length === 0) return '';
  return `<section class="failures"><h2>Failures (${items.length})</h2><ul>${items.join('')}</ul></section>`;
}

function suites(r: RunReport): string {
  return r.suites.map((s, si) => `<section class="suite" id="suite-${si}"><h2>${badge(suiteStatus(s))} ${esc(s.suite)}</h2>`
    + `<p class="suite-head"><span class="mono">${esc(s.file)}</span> · model ${esc(s.model.ref)} <code>${esc(shortHash(s.model.hash))}</code>`
    + `${s.baseline ? ` · baseline ${esc(s.baseline.ref)} <code>${esc(shortHash(s.baseline.hash))}</code>` : ''}</p>`
    + s.entries.map((e, ei) => entryHtml(s, e, si, ei)).join('')
    + '</section>').join('');
}

export function toHtml(r: RunReport): string {
  const verdict = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' }[overallStatus(r)];
  return '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
    + `<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">`
    + '<meta name="viewport" content="width=device-width, initial-scale=1">'
    + `<title>${esc(`neurogate ${verdict} — ${r.summary.failed} failed, ${r.summary.errors} errors — ${r.startedAt}`)}</title>`
    + `<style>${STYLE}</style><script>${PRINT_SCRIPT}</script></head><body>`
    + `<main>${banner(r)}${meta(r)}${failures(r)}${models(r)}${suites(r)}</main>`
    + `<footer>Written by ${esc(r.tool.name)} ${esc(r.tool.version)}. The JSON report next to this file is the source of truth; this page is derived from it.</footer>`
    + '</body></html>\n';
}
