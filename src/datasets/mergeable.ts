// The mergeable state of a dataset-level metric: what each shard of an entry split by images
// reports so that `merge-reports` computes what one machine would have. Counts, sums, minima,
// maxima and per-class hit counts merge exactly; quantiles merge through a DDSketch
// (@datadog/sketches-js), whose order statistics lie within a relative accuracy α of the true ones.
import { DDSketch } from '@datadog/sketches-js';
import type { AggregateSpec } from './aggregate.ts';

/** DDSketch's relative accuracy: each order statistic a merged sketch gives is within 1 % of the true one. */
export const SKETCH_ALPHA = 0.01;

/** How a state becomes a value: an aggregate's `by:`, or the mean over classes of each class's rate (the pointing game). */
export type StateBy = AggregateSpec['by'] | 'class_mean';

/** DDSketch bins as [key, count] pairs (positive values, negative values) and the zero count. */
export interface SketchState {
  alpha: number;
  zeros: number;
  positive: [number, number][];
  negative: [number, number][];
}

export interface AggregateState {
  by: StateBy;
  /** Finite values counted (nulls and non-finite values are left out, as `aggregate` does). */
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  /** `fraction_above`: how many values lie above the threshold. */
  above?: number;
  /** `median` / `quantile`: the values' sketch. */
  sketch?: SketchState;
  /** `class_mean`: hits and images per class. */
  classes?: Record<string, [number, number]>;
  /**
   * Values that were missing or not finite, for a statistic that no such value may pass through
   * (a neurons entry's activation mean, min and max): any makes the merged value null.
   */
  invalid?: number;
}

const isQuantile = (by: StateBy) => by === 'median' || (typeof by === 'object' && 'quantile' in by);

/** The state of one part's values; `strict`: a missing or non-finite value voids the statistic instead of being skipped. */
export function stateOf(values: readonly (number | null)[], by: StateBy, strict = false): AggregateState {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  const s: AggregateState = { by, count: v.length, sum: 0, min: null, max: null, ...(strict && { invalid: values.length - v.length }) };
  for (const x of v) {
    s.sum += x;
    s.min = s.min === null ? x : Math.min(s.min, x);
    s.max = s.max === null ? x : Math.max(s.max, x);
  }
  if (typeof by === 'object' && 'fraction_above' in by) s.above = v.filter((x) => x > by.fraction_above).length;
  if (isQuantile(by)) {
    const sk = new DDSketch({ relativeAccuracy: SKETCH_ALPHA });
    for (const x of v) sk.accept(x);
    s.sketch = sketchState(sk);
  }
  return s;
}

/** The state of a class-balanced rate: per class, its hits (value 1) among its scored images. */
export function classMeanState(results: readonly { label: string; hit: boolean }[]): AggregateState {
  const classes: Record<string, [number, number]> = {};
  for (const r of results) {
    const c = (classes[r.label] ??= [0, 0]);
    if (r.hit) c[0]++;
    c[1]++;
  }
  return { by: 'class_mean', count: results.length, sum: results.filter((r) => r.hit).length, min: null, max: null, classes };
}

/** Several parts' states as one: the state of all their values together. Throws RangeError on states that do not fit. */
export function mergeStates(states: readonly AggregateState[]): AggregateState {
  if (states.length === 0) throw new RangeError('mergeStates: no states');
  const by = states[0].by;
  const key = JSON.stringify(by);
  if (states.some((s) => JSON.stringify(s.by) !== key)) throw new RangeError('mergeStates: the states aggregate differently');
  const out: AggregateState = { by, count: 0, sum: 0, min: null, max: null };
  for (const s of states) {
    out.count += s.count;
    out.sum += s.sum;
    if (s.min !== null) out.min = out.min === null ? s.min : Math.min(out.min, s.min);
    if (s.max !== null) out.max = out.max === null ? s.max : Math.max(out.max, s.max);
    if (s.above !== undefined) out.above = (out.above ?? 0) + s.above;
    if (s.invalid !== undefined) out.invalid = (out.invalid ?? 0) + s.invalid;
    if (s.classes) {
      out.classes ??= {};
      for (const [k, [h, n]] of Object.entries(s.classes)) {
        const c = (out.classes[k] ??= [0, 0]);
        c[0] += h;
        c[1] += n;
      }
    }
  }
  if (isQuantile(by)) {
    for (const s of states) {
      if (!s.sketch) throw new RangeError('mergeStates: a quantile state has no sketch');
      if (s.sketch.alpha !== SKETCH_ALPHA) throw new RangeError(`mergeStates: a sketch of relative accuracy ${s.sketch.alpha}, not ${SKETCH_ALPHA}`);
      checkBins(s.sketch);
    }
    // Sketches of one mapping merge by adding bin counts. Every part's bins go into one sketch
    // through `accept`: DDSketch.merge of sketches-js 2.1.1 drops the negative values' store.
    out.sketch = sketchState(sketchOf(...states.map((s) => s.sketch!)));
  }
  return out;
}

/** The metric's value from a state; quantiles are the sketch's estimate (`estimated` says so). */
export function valueOfState(s: AggregateState): { value: number | null; estimated: boolean } {
  const by = s.by;
  if (by === 'class_mean') {
    // Classes in name order, so a merged state sums its rates in the order one machine does.
    const rates = Object.keys(s.classes ?? {}).sort().map((k) => s.classes![k][0] / s.classes![k][1]);
    return { value: rates.length ? rates.reduce((a, r) => a + r, 0) / rates.length : null, estimated: false };
  }
  if (s.count === 0 || s.invalid) return { value: null, estimated: false };
  if (by === 'mean') return { value: s.sum / s.count, estimated: false };
  if (by === 'min') return { value: s.min, estimated: false };
  if (by === 'max') return { value: s.max, estimated: false };
  if (typeof by === 'object' && 'fraction_above' in by) return { value: (s.above ?? 0) / s.count, estimated: false };
  // numpy's quantile, with the sketch standing in for the sorted values: the order statistics at
  // the ranks either side of (n−1)·q, interpolated. Each is within α of the true one (the first and
  // last exactly: min and max), so the result is within α·max(|x_lo|, |x_hi|) of the exact quantile.
  const q = by === 'median' ? 0.5 : by.quantile;
  const n = s.count;
  const sk = sketchOf(s.sketch!);
  const at = (r: number): number => {
    if (r === 0) return s.min!;
    if (r === n - 1) return s.max!;
    // Rank r + ½ lands inside the r-th value's bin whatever rounding (n−1)·q' suffers.
    return Math.min(s.max!, Math.max(s.min!, sk.getValueAtQuantile((r + 0.5) / (n - 1))));
  };
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = at(lo);
  return { value: a + (h - lo) * (at(hi) - a), estimated: true };
}

/** How a merged estimate reads in a report: `± 1% (DDSketch α=0.01, merged from 3 shards)`. */
export function estimateNote(parts: number): string {
  return `± ${SKETCH_ALPHA * 100}% (DDSketch α=${SKETCH_ALPHA}, merged from ${parts} shard${parts === 1 ? '' : 's'})`;
}

function sketchState(sk: DDSketch): SketchState {
  const bins = (store: DDSketch['store']) => {
    const out: [number, number][] = [];
    store.bins.forEach((c, i) => {
      if (c > 0) out.push([i + store.offset, c]);
    });
    return out;
  };
  return { alpha: SKETCH_ALPHA, zeros: sk.zeroCount, positive: bins(sk.store), negative: bins(sk.negativeStore) };
}

/** A sketch again from the bins of one or more sketches: each bin's representative value, weighted by its count, lands in the same bin. */
function sketchOf(...states: SketchState[]): DDSketch {
  const sk = new DDSketch({ relativeAccuracy: SKETCH_ALPHA });
  for (const s of states) {
    for (const [k, c] of s.positive) sk.accept(sk.mapping.value(k), c);
    for (const [k, c] of s.negative) sk.accept(-sk.mapping.value(k), c);
    if (s.zeros > 0) sk.accept(0, s.zeros);
  }
  return sk;
}

/** At α = 0.01 every double lands within ±36,000 keys; a key beyond that (an edited report) would make the store allocate without end. */
const MAX_KEY = 100_000;

function checkBins(s: SketchState): void {
  const ok = (bins: unknown) => Array.isArray(bins) && bins.every((b) => Array.isArray(b) && Number.isInteger(b[0]) && Math.abs(b[0]) <= MAX_KEY && Number.isFinite(b[1]) && b[1] > 0);
  if (!ok(s.positive) || !ok(s.negative) || !(Number.isFinite(s.zeros) && s.zeros >= 0)) throw new RangeError('mergeStates: a sketch with malformed bins');
}
