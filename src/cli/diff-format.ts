// A release diff as people read it: a `git diff --stat`-like table (one row per layer, a bar for
// how much it changed), the units that moved most, logit and attribution drift; and as HTML.
import { escapeXml } from '../report/escape.ts';
import { isIdentical, layerChanged, LOGIT_TOLERANCE, type ComparedMaps, type DiffResult } from '../compare/diff.ts';
import { differenceMap, mapPng } from '../compare/map-images.ts';

const f = (v: number | null | undefined, d: number) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));

export interface DiffMeta {
  baseline: string;
  candidate: string;
  seconds: number;
}

export function formatDiff(r: DiffResult, meta: DiffMeta, width = 40): string {
  const t = r.probe.threshold;
  const name = Math.max(...r.layers.map((l) => l.layer.length), 5);
  const rows = r.layers.map((l) => {
    const matched = Math.round(l.matched * l.units);
    // Bar length ∝ 1 − CKA (a full bar at CKA ≤ 0), at least one mark for any change.
    const drop = Number.isFinite(l.cka) ? Math.min(1, Math.max(0, 1 - l.cka)) : 1;
    const marks = layerChanged(l) ? Math.max(1, Math.round(drop * width)) : 0;
    return ` ${l.layer.padEnd(name)} | CKA ${f(l.cka, 4)} (debiased ${f(l.ckaDebiased, 4).padStart(7)}) | ${String(matched).padStart(4)}/${String(l.units).padEnd(4)} units r≥${t} | r̄ ${f(l.meanCorrelation, 3)} ${'-'.repeat(marks)}`;
  });
  const changed = r.layers.filter(layerChanged);
  const out = [
    `diff ${meta.baseline} → ${meta.candidate}: ${r.probe.inputs} probe inputs (${r.probe.images} images, ${r.probe.orientations} curve orientations, ${r.probe.clutter} clutter scenes) in ${meta.seconds.toFixed(1)} s`,
    ...rows,
    ` ${r.layers.length} layer${r.layers.length === 1 ? '' : 's'} compared, ${changed.length} changed${r.firstChanged ? `; first change at ${r.firstChanged}` : ''}`,
  ];
  for (const l of changed) {
    const moved = l.moved.map((m) => `unit ${m.baseline} → ${m.candidate < 0 ? 'none' : m.candidate} (r ${f(m.correlation, 2)}, peak ${f(m.peakBefore, 0)}° → ${f(m.peakAfter, 0)}°)`);
    out.push(`   ${l.layer} moved most: ${moved.join(', ')}`);
  }
  if (r.logits) out.push(`logits on the ${r.logitInputs}: max |Δ| ${r.logits.maxAbs.toExponential(2)}, mean |Δ| ${r.logits.meanAbs.toExponential(2)}, top-1 agreement ${(100 * r.logits.top1Agreement).toFixed(0)}%`);
  for (const a of r.attribution) out.push(`attribution ${a.method} on the ${r.logitInputs}: Spearman ${f(a.mean.spearman, 3)}, top-10% IoU ${f(a.mean.topIou, 3)}, SSIM ${f(a.mean.ssim, 3)} (mean of ${a.images.length})`);
  out.push(isIdentical(r) ? 'identical within float tolerance' : `changed: ${changed.length} of ${r.layers.length} layers${r.logits && r.logits.maxAbs > LOGIT_TOLERANCE ? ', logits' : ''}`);
  return out.join('\n');
}

/** Baseline | candidate | |difference| of the rescaled maps (the difference on the same 0..1 scale). */
export function sideBySide(p: ComparedMaps): string {
  const diff = differenceMap(p.baseline, p.candidate);
  const img = (src: string, what: string) => `<figure><img src="${src}" width="160" alt="${escapeXml(what)}"><figcaption>${escapeXml(what)}</figcaption></figure>`;
  return `<div class="maps"><h3>${escapeXml(p.method)} · ${escapeXml(p.label)}</h3>${img(mapPng(p.baseline), 'baseline')}${img(mapPng(p.candidate), 'candidate')}${img(mapPng(diff, { lo: 0, hi: 1 }), '|difference|')}</div>`;
}

/** A self-contained HTML page of the same content. */
export function diffHtml(r: DiffResult, meta: DiffMeta): string {
  const e = escapeXml;
  const rows = r.layers.map((l) => {
    const drop = Number.isFinite(l.cka) ? Math.min(1, Math.max(0, 1 - l.cka)) : 1;
    const moved = l.moved.map((m) => `${m.baseline}→${m.candidate < 0 ? '–' : m.candidate} (r ${f(m.correlation, 2)}; ${f(m.peakBefore, 0)}°→${f(m.peakAfter, 0)}°)`).join(', ');
    return `<tr class="${layerChanged(l) ? 'changed' : 'same'}"><td>${e(l.layer)}</td><td>${f(l.cka, 4)}</td><td>${f(l.ckaDebiased, 4)}</td><td>${(100 * l.matched).toFixed(0)}% of ${l.units}</td><td>${f(l.meanCorrelation, 3)}</td><td><span class="bar" style="width:${(drop * 200).toFixed(0)}px"></span></td><td>${e(moved)}</td></tr>`;
  });
  const attr = r.attribution.map((a) => `<h2>Attribution drift: ${e(a.method)}</h2><table><tr><th>input</th><th>class</th><th>Spearman</th><th>top-10% IoU</th><th>SSIM</th></tr>${a.images.map((i) => `<tr><td>${e(i.label)}</td><td>${i.target}</td><td>${f(i.spearman, 3)}</td><td>${f(i.topIou, 3)}</td><td>${f(i.ssim, 3)}</td></tr>`).join('')}</table>`).join('');
  const logits = r.logits ? `<p>Logits on the ${r.logitInputs}: max |Δ| ${r.logits.maxAbs.toExponential(2)}, mean |Δ| ${r.logits.meanAbs.toExponential(2)}, top-1 agreement ${(100 * r.logits.top1Agreement).toFixed(0)}%.</p>` : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>neurogate diff</title><style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left}
tr.changed td:first-child{font-weight:600;color:#b00}.bar{display:inline-block;height:10px;background:#c33}
figure{display:inline-block;margin:0 8px 8px 0}figcaption{font-size:12px;color:#555}img{image-rendering:pixelated;border:1px solid #ccc}</style></head><body>
<h1>${e(meta.baseline)} → ${e(meta.candidate)}</h1>
<p>${r.probe.inputs} probe inputs (${r.probe.images} images, ${r.probe.orientations} curve orientations, ${r.probe.clutter} clutter scenes); matched = correlation ≥ ${r.probe.threshold}. ${isIdentical(r) ? '<strong>Identical within float tolerance.</strong>' : `First change at <strong>${e(r.firstChanged ?? '–')}</strong>.`}</p>
<table><tr><th>layer</th><th>CKA</th><th>CKA (debiased)</th><th>matched</th><th>mean r</th><th>1 − CKA</th><th>units that moved most (peak before→after)</th></tr>${rows.join('')}</table>
${logits}${attr}${r.maps.map(sideBySide).join('')}</body></html>`;
}
