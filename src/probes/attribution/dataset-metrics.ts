// Dataset-level metrics of a masks entry from its per-image values: the pointing game's accuracy
// (TorchRay: the mean over classes of each class's hit rate) and plain hit rate, top-1 / top-5
// accuracy, and the entry's own aggregates, whole and per slice (`name[slice]`); with each one's
// mergeable state, so the parts of an entry split across shards merge into the whole's values.
import { aggregate, slices, type AggregateSpec } from '../../datasets/aggregate.ts';
import { classMeanState, stateOf, valueOfState, type AggregateState } from '../../datasets/mergeable.ts';

/** Metric names over the whole entry (besides the entry's own `aggregate:` names). */
export const DATASET_METRICS = ['pointing_accuracy', 'pointing_hit_rate', 'top1_accuracy', 'top5_accuracy'] as const;

export interface PerImage {
  values: Record<string, number | null>;
  className?: string;
  tags: readonly string[];
}

export interface DatasetMetrics {
  values: Record<string, number | null>;
  /** Each value's mergeable state (src/datasets/mergeable.ts), by the same names. */
  states: Record<string, AggregateState>;
}

export function datasetMetrics(images: readonly PerImage[], aggregates: Record<string, AggregateSpec>, pointing: boolean, accuracy: boolean): DatasetMetrics {
  const values: Record<string, number | null> = {};
  const states: Record<string, AggregateState> = {};
  const col = (k: string) => images.map((im) => im.values[k] ?? null);
  // Values are computed from all the images (quantiles exactly); states are what a merge needs.
  const put = (name: string, v: readonly (number | null)[], by: AggregateSpec['by']) => {
    values[name] = aggregate(v, by);
    states[name] = stateOf(v, by);
  };
  if (pointing) {
    const scored = images.filter((im) => typeof im.values.pointing_hit === 'number');
    // TorchRay's accuracy: the mean over classes of each class's hit rate, from the same state a merge adds up.
    states.pointing_accuracy = classMeanState(scored.map((im) => ({ label: im.className ?? '', hit: im.values.pointing_hit === 1 })));
    values.pointing_accuracy = valueOfState(states.pointing_accuracy).value;
    put('pointing_hit_rate', scored.map((im) => im.values.pointing_hit ?? null), 'mean');
  }
  if (accuracy) {
    put('top1_accuracy', col('top1_accuracy'), 'mean');
    put('top5_accuracy', col('top5_accuracy'), 'mean');
  }
  for (const [name, a] of Object.entries(aggregates)) {
    const v = col(a.of);
    put(name, v, a.by);
    if (!a.slice) continue;
    const keys = images.map((im) => (a.slice === 'label' ? (im.className !== undefined ? [im.className] : []) : im.tags));
    for (const [k, vs] of slices(keys, v)) put(`${name}[${k}]`, vs, a.by);
  }
  return { values, states };
}
