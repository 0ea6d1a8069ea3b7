// Per-image values summarised over a dataset: mean, median, min, max, a quantile (linear
// interpolation, numpy's default) or the fraction above a threshold; missing values are skipped.
import { z } from 'zod';

export const AggregateSchema = z
  .strictObject({
    of: z.string().min(1).max(200).meta({ description: 'The per-image metric summarised (e.g. pointing_hit, deletion_auc)' }),
    by: z
      .union([
        z.enum(['mean', 'median', 'min', 'max']),
        z.strictObject({ quantile: z.number().min(0).max(1) }),
        z.strictObject({ fraction_above: z.number() }),
      ])
      .meta({ description: 'mean | median | min | max | {quantile: q} | {fraction_above: t}' }),
    slice: z.enum(['label', 'tag']).meta({ description: 'Also one value per label (or per tag): `<name>[<slice>]`, each its own check line' }).optional(),
  })
  .meta({ description: 'A dataset-level metric made from a per-image one' });

export type AggregateSpec = z.output<typeof AggregateSchema>;

export function aggregate(values: readonly (number | null)[], by: AggregateSpec['by']): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return null;
  if (by === 'mean') return v.reduce((s, x) => s + x, 0) / v.length;
  if (by === 'min') return Math.min(...v);
  if (by === 'max') return Math.max(...v);
  if (by === 'median') return quantile(v, 0.5);
  if ('quantile' in by) return quantile(v, by.quantile);
  return v.filter((x) => x > by.fraction_above).length / v.length;
}

/** Linear interpolation between closest ranks (numpy.quantile's default). */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** The values grouped by a key (a label, or each tag an item carries); keys in first-seen order. */
export function slices(keys: readonly (readonly string[])[], values: readonly (number | null)[]): Map<string, (number | null)[]> {
  const out = new Map<string, (number | null)[]>();
  keys.forEach((ks, i) => {
    for (const k of ks) (out.get(k) ?? out.set(k, []).get(k)!).push(values[i]);
  });
  return out;
}
