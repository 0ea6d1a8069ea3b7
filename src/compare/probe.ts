// The compare probe: one layer of the model against the same layer of the baseline model (the
// release diff of ./diff.ts on one layer), as measurements that `compare:` expectations judge.
import type { ImportedModel } from '../models/types.ts';
import type { MethodName } from '../probes/attribution/index.ts';
import type { ForwardEngine } from '../probe/forward.ts';
import type { Artifact, Measurement } from '../probe/measurement.ts';
import type { Probe, ProbeOutput } from '../probe/probe.ts';
import { diffModels, type DiffImage } from './diff.ts';
import { differenceMap, mapPng } from './map-images.ts';
import { COMPARE_METRICS } from './schema.ts';

export interface CompareParams {
  baseline: ImportedModel;
  /** Where the baseline came from, for labels. */
  baselineRef: string;
  layer: string;
  units?: number[];
  images: DiffImage[];
  threshold: number;
  peakTolerance: number;
  orientations: number;
  method: MethodName;
  batch: number;
}

/** Smallest angle between two orientations on the circle, degrees. */
export function angleBetween(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return Math.min(d, 360 - d);
}

export const compareProbe: Probe<CompareParams> = {
  kind: 'compare.layer',
  metrics: COMPARE_METRICS,
  async run(p: CompareParams, engine: ForwardEngine): Promise<ProbeOutput> {
    const r = await diffModels(p.baseline, engine.model, {
      layers: [p.layer], images: p.images, orientations: p.orientations, threshold: p.threshold,
      methods: p.images.length ? [p.method] : [], device: engine.device, batchSize: p.batch,
    });
    const l = r.layers[0];
    const m: Record<string, Measurement> = { cka: l.cka, cka_debiased: l.ckaDebiased, matched: l.matched, mean_correlation: l.meanCorrelation };
    let cases: string[] | undefined;
    const artifacts: Artifact[] = [];
    if (p.units) {
      const pairs = p.units.map((u) => l.pairs[u]);
      const shift = pairs.map((q) => {
        const before = l.peaks.baseline[q.baseline];
        const after = q.candidate >= 0 ? l.peaks.candidate[q.candidate] : null;
        return before === null || after === null ? null : angleBetween(before, after);
      });
      m['match.correlation'] = pairs.map((q) => (q.candidate >= 0 ? q.correlation : null));
      m['match.unit'] = pairs.map((q) => (q.candidate >= 0 ? q.candidate : null));
      m['match.peak_shift_deg'] = shift;
      // A family member survives when it has a match at the threshold whose preferred orientation stayed.
      m['family.matched'] = pairs.filter((q, i) => q.candidate >= 0 && q.correlation >= p.threshold && shift[i] !== null && shift[i]! <= p.peakTolerance).length;
      cases = pairs.map((q) => (q.candidate < 0 ? `baseline unit ${q.baseline}: no candidate unit left` : q.correlation >= p.threshold ? `baseline unit ${q.baseline} → unit ${q.candidate}` : `baseline unit ${q.baseline}: no match reaches r ${p.threshold} (best ${q.candidate}, r ${q.correlation.toFixed(2)})`));
      artifacts.push({
        type: 'table', name: 'matched units', caption: `${p.layer}: units of ${p.baselineRef} and their matches in this model`,
        columns: ['baseline unit', 'matched unit', 'correlation', 'peak before (°)', 'peak after (°)'],
        rows: pairs.map((q) => [q.baseline, q.candidate >= 0 ? q.candidate : null, Number(q.correlation.toFixed(4)), l.peaks.baseline[q.baseline], q.candidate >= 0 ? l.peaks.candidate[q.candidate] : null]),
      });
    }
    if (r.logits) {
      m['logit.max_abs_drift'] = r.logits.maxAbs;
      m['logit.top1_agreement'] = r.logits.top1Agreement;
    }
    const a = r.attribution[0];
    if (a) {
      const worst = (k: 'spearman' | 'topIou' | 'ssim') => Math.min(...a.images.map((i) => i[k]));
      m['map.spearman'] = worst('spearman');
      m['map.top_iou'] = worst('topIou');
      m['map.ssim'] = worst('ssim');
      m.map_similarity = m['map.ssim'];
      for (const pair of r.maps) {
        const diff = differenceMap(pair.baseline, pair.candidate);
        for (const [side, map, scale] of [['baseline', pair.baseline], ['candidate', pair.candidate], ['|difference|', diff, { lo: 0, hi: 1 }]] as const) {
          artifacts.push({ type: 'image', name: `${pair.method} ${side} ${pair.label}`, caption: `${pair.method} map on ${pair.label}: ${side}`, pngBase64: mapPng(map, scale).split(',')[1], width: map.width, height: map.height });
        }
      }
    }
    return {
      measurements: m, cases, artifacts,
      params: { baseline: p.baselineRef, layer: p.layer, units: p.units ?? null, threshold: p.threshold, peak_tolerance: p.peakTolerance, orientations: p.orientations, method: p.method, inputs: r.probe.inputs },
    };
  },
};
