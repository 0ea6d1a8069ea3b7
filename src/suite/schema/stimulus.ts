// How a spec writes a stimulus: one key naming the kind, each parameter a value, a list or a
// range — `stimulus: { curve: { orientation: { from: 0, to: 360, step: 5 }, radius: [20, 35], width: 5 } }`.
// Built from the stimuli's parameter table, so ranges, defaults and descriptions are written once.
import { z } from 'zod';
import {
  CLUTTER_PARAMS, KINDS, MAX_SWEEP, PARAMS, POLARITIES, countSweep, describeRange,
  type NumberParam, type ParamInfo, type StimulusInput, type StimulusKind, type SweepSpec,
} from '../../stimuli/index.ts';

function numberSchema(name: string, p: NumberParam) {
  const msg = `${name}: ${describeRange(p)}`;
  let s = z.number({ error: msg });
  if (p.min !== undefined) s = p.exclusiveMin ? s.gt(p.min, { error: msg }) : s.gte(p.min, { error: msg });
  if (p.max !== undefined) s = s.lte(p.max, { error: msg });
  if (p.integer) s = s.int({ error: msg });
  return s;
}

function rangeSchema(name: string, p: NumberParam) {
  const end = numberSchema(name, p);
  return z
    .strictObject({
      from: end.describe('first value'),
      to: end.describe(p.circular ? 'last value (left out when to − from = 360: it would repeat from)' : 'last value (included when reached)'),
      step: z.number({ error: `${name}: step must be a number > 0` }).gt(0, { error: `${name}: step must be > 0` }).describe('distance between values'),
    })
    .superRefine((r, ctx) => {
      if (r.to < r.from) ctx.addIssue({ code: 'custom', message: `${name}: range runs backwards (from ${r.from} to ${r.to}); write the smaller value in from`, path: ['to'] });
    })
    .describe(`a range of ${name} values: from, from + step, … up to to`);
}

/** One parameter: a value, a list of values (an axis of the sweep) or, for numbers, a range. */
function paramSchema(name: string, p: ParamInfo): z.ZodType {
  const unit = p.type === 'number' && p.unit !== 'count' && p.unit !== 'seed' ? ` [${p.unit}]` : '';
  const def = p.default === undefined ? '' : ` (default ${JSON.stringify(p.default)})`;
  const text = `${p.description}${unit}${def}; a list sweeps it`;
  const listOf = (one: z.ZodType) => z.union([one, z.array(one).min(1, { error: `${name}: the list is empty` })]);
  switch (p.type) {
    case 'number': {
      const one = numberSchema(name, p);
      return z.union([one, z.array(one).min(1, { error: `${name}: the list is empty` }), rangeSchema(name, p)]).describe(`${text}, or a range { from, to, step }`);
    }
    case 'boolean':
      return listOf(z.boolean({ error: `${name}: true or false` })).describe(text);
    case 'color': {
      const one = z.union([
        z.number().min(0).max(255).describe('grey level 0–255'),
        z.string().regex(/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/).describe('"#rrggbb" or "#rgb"'),
      ], { error: `${name}: a colour is a grey level 0–255 or "#rrggbb"` });
      return listOf(one).describe(`${p.description.replace(/, or \[r, g, b\]/, '')}${def}; a list sweeps it (write RGB as "#rrggbb")`);
    }
    case 'polarity':
      return listOf(z.enum(POLARITIES as [string, ...string[]], { error: `${name}: one of ${POLARITIES.join(', ')}` })).describe(text);
    case 'clutter': {
      const fields = Object.fromEntries(Object.entries(CLUTTER_PARAMS).map(([k, cp]) => {
        const d = cp.default === undefined ? '' : ` (default ${cp.default})`;
        return [k, numberSchema(`clutter.${k}`, cp).describe(`${cp.description}${d}`).optional()];
      }));
      return z.strictObject(fields).describe(p.description);
    }
  }
}

function kindSchema(kind: StimulusKind) {
  const table = PARAMS[kind] as Record<string, ParamInfo>;
  const shape = Object.fromEntries(Object.entries(table).map(([name, p]) => [name, paramSchema(name, p).optional()]));
  return z.strictObject(shape).superRefine((params, ctx) => {
    const n = countSweep(kind, params as SweepSpec);
    if (n > MAX_SWEEP) ctx.addIssue({ code: 'custom', message: `the ${kind} sweep has ${n} stimuli, over the limit of ${MAX_SWEEP}: use larger steps or fewer values` });
  });
}

const KIND_TEXT: Record<StimulusKind, string> = {
  curve: 'an arc of a circle, midpoint on the placement point, convex side facing `orientation`',
  line: 'a straight stroke through the placement point along `orientation`',
  angle: 'two rays from a vertex on the placement point, the vertex pointing to `orientation`',
  circle: 'a ring (or disc, `filled`) centred on the placement point',
  grating: 'a sinusoidal grating; with `sigma`, a Gabor patch',
  blank: 'the background alone (with clutter, if any)',
};

/** `stimulus:` in a spec: exactly one kind, its parameters as values, lists (sweep axes) or ranges. */
export const stimulusSchema = z
  // `curve:` with nothing after it (YAML null) means the curve with every default.
  .strictObject(Object.fromEntries(KINDS.map((k) => [k, kindSchema(k).nullable().describe(KIND_TEXT[k]).optional()])) as unknown as Record<StimulusKind, z.ZodOptional<z.ZodType>>)
  .superRefine((v, ctx) => {
    const kinds = Object.keys(v).filter((k) => v[k as StimulusKind] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: kinds.length === 0 ? `name one stimulus kind: ${KINDS.join(', ')}` : `one stimulus kind per entry, got ${kinds.join(' and ')}` });
    }
  })
  .meta({ minProperties: 1, maxProperties: 1 })
  .describe(`the stimulus family: one kind (${KINDS.join(', ')}); each parameter a value, a list or a range; at most ${MAX_SWEEP} stimuli`);

export type StimulusSpec = Partial<Record<StimulusKind, Record<string, unknown> | null>>;

/** A parsed `stimulus:` as the base stimulus and the sweep that expandSweep turns into the grid. */
export function stimulusFromSpec(spec: StimulusSpec): { base: StimulusInput; sweep: SweepSpec } {
  const [kind, params] = Object.entries(spec).find(([, v]) => v !== undefined) as [StimulusKind, Record<string, unknown> | null];
  return { base: { kind } as StimulusInput, sweep: { ...(params ?? {}) } };
}
