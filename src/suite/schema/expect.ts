// Expectations on one metric: value bounds, near ± tolerance, change against a baseline model,
// and the modifiers for many cases (`mostly`) and repeated stochastic runs (`k` of n).
import { z } from 'zod';

/** Finite numbers only: zod 4 refuses NaN and ±Infinity, which YAML spells `.nan` / `.inf`. */
const num = (description: string) => z.number().meta({ description });
const nonNeg = (description: string) => z.number().min(0).meta({ description });

export const ChangeSchema = z
  .strictObject({
    direction: z.enum(['increase', 'decrease', 'none']).meta({
      description: 'increase: candidate − baseline must be at least the size; decrease: baseline − candidate must be; none: |candidate − baseline| must be at most the size',
    }),
    absolute: num('Size in the metric’s own units (for increase/decrease it may be negative: `increase` with -1e-10 means "no regression")').optional(),
    relative: num('Size as a fraction of |baseline| (0.1 = 10 %); a baseline of 0 falls back to a strict comparison by 1e-10, as MLflow does').optional(),
  })
  .superRefine((c, ctx) => {
    if (c.absolute === undefined && c.relative === undefined) {
      ctx.addIssue({ code: 'custom', path: ['direction'], message: 'change needs a size: `absolute:`, `relative:` or both' });
    }
    if (c.direction === 'none') {
      for (const k of ['absolute', 'relative'] as const) {
        if ((c[k] ?? 0) < 0) ctx.addIssue({ code: 'custom', path: [k], message: `with direction none, ${k} is the largest change allowed and must be ≥ 0` });
      }
    }
  })
  .meta({ description: 'Change of the metric against the same entry run on the baseline model (TFMA GenericChangeThreshold / MLflow MetricThreshold)' });

export const GoldenSchema = z
  .union([
    z.literal(true),
    z.strictObject({
      atol: nonNeg('Absolute tolerance for numbers (default per device: cpu 1e-4, webgpu/cuda 1e-3)').optional(),
      rtol: nonNeg('Relative tolerance for numbers: |a − e| ≤ atol + rtol·|e| (default per device: cpu 1e-4, webgpu/cuda 1e-3)').optional(),
      threshold: z.number().min(0).max(1).meta({ description: 'Images: pixelmatch colour threshold in YIQ space, 0..1 (default 0.1)' }).optional(),
      max_diff_ratio: z.number().min(0).max(1).meta({ description: 'Images: largest fraction of pixels allowed to differ (default 0)' }).optional(),
    }),
  ])
  .meta({ description: 'Compare with the recorded golden in golden/<suite>/<entry>/<metric>.<device>.(json|png); `neurogate bless` records it' });

export const ExpectationSchema = z
  .strictObject({
    min: num('Lower bound, inclusive').optional(),
    max: num('Upper bound, inclusive').optional(),
    between: z.tuple([z.number(), z.number()]).meta({ description: '[low, high], both inclusive' }).optional(),
    near: num('Expected value; passes when |observed − near| ≤ tol + rtol·|near|').optional(),
    tol: nonNeg('Absolute tolerance for near (default: the entry’s, then the suite’s `tol`)').optional(),
    rtol: nonNeg('Relative tolerance for near (default: the entry’s, then the suite’s `rtol`)').optional(),
    circular: z.number().gt(0).meta({ description: 'near on a circle of this period (360 for angles in degrees): 359 is 2 from 1' }).optional(),
    change: ChangeSchema.optional(),
    golden: GoldenSchema.optional(),
    mostly: z.number().gt(0).max(1).meta({ description: 'Fraction of the cases (images × units) that must pass; default 1 (all)' }).optional(),
    k: z.int().min(1).max(1000).meta({ description: 'k-of-n: at least k of the entry’s `repeat` runs must pass (default: all n)' }).optional(),
  })
  .superRefine((e, ctx) => {
    const forms = ['min', 'max', 'between', 'near', 'change', 'golden'] as const;
    if (!forms.some((f) => e[f] !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'an expectation needs at least one of min, max, between, near, change, golden' });
    }
    for (const t of ['tol', 'rtol', 'circular'] as const) {
      if (e[t] !== undefined && e.near === undefined) ctx.addIssue({ code: 'custom', path: [t], message: `${t} only applies to near; add \`near:\` or remove \`${t}:\`` });
    }
    if (e.min !== undefined && e.max !== undefined && e.min > e.max) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `max (${e.max}) is below min (${e.min}): nothing could pass` });
    }
    if (e.between && e.between[0] > e.between[1]) {
      ctx.addIssue({ code: 'custom', path: ['between'], message: `between [${e.between.join(', ')}] is empty: the low end must come first` });
    }
  })
  .meta({ description: 'What a metric must satisfy; several forms in one mapping each become a check' });

export type Change = z.output<typeof ChangeSchema>;
export type Expectation = z.output<typeof ExpectationSchema>;
export type GoldenSpec = z.output<typeof GoldenSchema>;

/** Metric names as probes report them: dotted words (`activation`, `tuning.peak_deg`). */
export const MetricName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/, 'a metric name is dotted words, e.g. activation.mean');

export const ExpectSchema = z
  .record(MetricName, ExpectationSchema)
  .meta({ description: 'Metric name → expectation; every entry needs at least one' });
