// Dataset-level metrics of a masks entry from its per-image values: the pointing game's accuracy
// (TorchRay: the mean over classes of each class's hit rate) and plain hit rate, top-1 / top-5
// accuracy, and the entry's own aggregates, whole and per slice (`name[slice]`).
import { aggregate, slices, type AggregateSpec } from '../../datasets/aggregate.ts';
import { pointingAccuracy } from './metrics/localisation/pointing.ts';

/** Metric names over the whole entry (besides the entry's own `aggregate:` names). */
export const DATASET_METRICS = ['pointing_accuracy', 'pointing_hit_rate', 'top1_accuracy', 'top5_accuracy'] as const;

export interface PerImage {
  values: Record<string, number | null>;
  className?: string;
  tags: readonly string[];
}

export function datasetMetrics(images: readonly PerImage[], aggregates: Record<string, AggregateSpec>, pointing: boolean, accuracy: boolean): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const col = (k: string) => images.map((im) => im.values[k] ?? null);
  if (pointing) {
    const scored = images.filter((im) => typeof im.values.pointing_hit === 'number');
    const acc = pointingAccuracy(scored.map((im) => ({ label: im.className ?? '', hit: im.values.pointing_hit === 1 })));
    out.pointing_accuracy = scored.length ? acc.accuracy : null;
    out.pointing_hit_rate = scored.length ? acc.hitRate : null;
  }
  if (accuracy) {
    out.top1_accuracy = aggregate(col('top1_accuracy'), 'mean');
    out.top5_accuracy = aggregate(col('top5_accuracy'), 'mean');
  }
  for (const [name, a] of Object.entries(aggregates)) {
    const v = col(a.of);
    out[name] = aggregate(v, a.by);
    if (!a.slice) continue;
    const keys = images.map((im) => (a.slice === 'label' ? (im.className !== undefined ? [im.className] : []) : im.tags));
    for (const [k, vs] of slices(keys, v)) out[`${name}[${k}]`] = aggregate(vs, a.by);
  }
  return out;
}
