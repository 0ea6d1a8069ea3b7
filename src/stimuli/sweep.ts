// Sweeps: a plain-data description ({ orientation: { from: 0, to: 360, step: 5 }, radius: [20, 35] })
// expanded into the ordered grid of stimuli a tuning curve is measured on, each with its grid index.
//
// Per parameter, a sweep value is
// - a range { from, to, step }: from, from + step, … up to `to` inclusive — except for circular
//   parameters (orientation, phase) when |to − from| = 360, where `to` would repeat `from` and is
//   left out (0..360 step 5 gives 72 orientations);
// - an array: a list of values, always (so write an RGB colour as "#rrggbb", or wrap it: [[255, 0, 0]]);
// - anything else: one fixed value (no axis).
// Axes keep the sweep's key order; items are row-major, the LAST axis varying fastest.
import { badInput } from '../errors.ts';
import type { Stimulus, StimulusInput, StimulusKind } from './types.ts';
import { checkKind, checkParam, paramInfo, resolveStimulus, PARAMS, suggest } from './params.ts';

export interface Range { from: number; to: number; step: number }
export type SweepSpec = Record<string, unknown>;

export interface SweepAxis { param: string; values: unknown[] }
export interface SweepItem {
  stimulus: Stimulus;
  /** One index per axis, into that axis's values. */
  index: number[];
}
export interface Sweep {
  axes: SweepAxis[];
  /** Axis lengths; product = items.length. */
  shape: number[];
  items: SweepItem[];
}

/** At most this many stimuli per sweep: a typo in a step (0.0005 for 0.5) must not queue millions of renders. */
export const MAX_SWEEP = 100_000;

const EPS = 1e-9;

export function isRange(v: unknown): v is Range {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'from' in v && 'to' in v && 'step' in v;
}

/** Number of values a range yields (0 when invalid); no allocation, so huge ranges are cheap to refuse. */
export function rangeCount(r: Range, circular: boolean): number {
  const { from, to, step } = r;
  if (![from, to, step].every(Number.isFinite) || step <= 0 || to < from) return 0;
  const k = Math.floor((to - from) / step + EPS);
  const hitsTo = Math.abs(from + k * step - to) <= EPS * Math.max(1, Math.abs(to));
  return k + 1 - (circular && Math.abs(to - from - 360) <= EPS && hitsTo ? 1 : 0);
}

function fail(message: string, where: string | undefined, hint: string, code = 'E_SWEEP'): never {
  throw badInput(code, message, where, hint);
}

function rangeValues(kind: StimulusKind, param: string, r: Range, where?: string): number[] {
  const p = paramInfo(kind, param);
  if (!p || p.type !== 'number') fail(`${param} is not a number, so it cannot take a range`, where, 'give a list of values instead');
  const extra = Object.keys(r).filter((k) => !['from', 'to', 'step'].includes(k));
  if (extra.length) fail(`range of ${param} has unknown field(s) ${extra.join(', ')}`, where, 'a range is { from, to, step }');
  const { from, to, step } = r;
  if (![from, to, step].every((v) => typeof v === 'number' && Number.isFinite(v))) fail(`range of ${param} needs finite numbers from, to and step`, where, 'e.g. { from: 0, to: 360, step: 5 }');
  if (step <= 0) fail(`range of ${param} has step ${step}`, where, 'step must be > 0');
  if (to < from) fail(`range of ${param} runs backwards (from ${from} to ${to})`, where, 'write the smaller value in `from`');
  const n = rangeCount(r, !!p.circular);
  if (n > MAX_SWEEP) fail(`range of ${param} has ${n} values, over the limit of ${MAX_SWEEP}`, where, 'use a larger step', 'E_SWEEP_TOO_BIG');
  // from + i·step (no running sum, so no drift), rounded to 12 significant digits so 0.1·3 reads 0.3.
  return Array.from({ length: n }, (_, i) => +(from + i * step).toPrecision(12));
}

/** The axes (parameters that vary) and the fixed values of a sweep, validated. */
export function sweepAxes(kind: StimulusKind, sweep: SweepSpec, where?: string): { axes: SweepAxis[]; fixed: Record<string, unknown> } {
  const axes: SweepAxis[] = [];
  const fixed: Record<string, unknown> = {};
  for (const [param, value] of Object.entries(sweep)) {
    if (param === 'kind') fail('a sweep cannot change the stimulus kind', where, 'sweep one kind at a time');
    const p = paramInfo(kind, param);
    if (!p) {
      const known = Object.keys(PARAMS[kind]);
      fail(`a ${kind} stimulus has no parameter \`${param}\``, where, `${suggest(param, known)}parameters of ${kind}: ${known.join(', ')}`, 'E_STIMULUS_PARAM');
    }
    if (Array.isArray(value)) {
      if (value.length === 0) fail(`the list of ${param} values is empty`, where, 'give at least one value');
      if (value.length > MAX_SWEEP) fail(`the list of ${param} has ${value.length} values, over the limit of ${MAX_SWEEP}`, where, 'shorten the list', 'E_SWEEP_TOO_BIG');
      for (const v of value) checkParam(kind, param, v, where);
      axes.push({ param, values: [...value] });
    } else if (p.type === 'number' && isRange(value)) {
      const values = rangeValues(kind, param, value, where);
      if (values.length === 0) fail(`range of ${param} is empty`, where, 'check from, to and step');
      for (const v of values) checkParam(kind, param, v, where);
      axes.push({ param, values });
    } else {
      checkParam(kind, param, value, where);
      fixed[param] = value;
    }
  }
  const size = axes.reduce((n, a) => n * a.values.length, 1);
  if (size > MAX_SWEEP) {
    fail(`the sweep has ${axes.map((a) => a.values.length).join(' × ')} = ${size} stimuli, over the limit of ${MAX_SWEEP}`, where, 'use larger steps or fewer values', 'E_SWEEP_TOO_BIG');
  }
  return { axes, fixed };
}

/**
 * How many stimuli a sweep would expand to, without validating anything (invalid ranges count 0):
 * lets a schema refuse a huge sweep alongside its other messages.
 */
export function countSweep(kind: StimulusKind, sweep: SweepSpec): number {
  let n = 1;
  for (const [param, value] of Object.entries(sweep)) {
    const p = paramInfo(kind, param);
    if (Array.isArray(value)) n *= value.length;
    else if (p?.type === 'number' && isRange(value)) n *= rangeCount(value, !!p.circular);
  }
  return n;
}

/** How many stimuli a sweep expands to (validating it on the way). */
export function sweepSize(kind: StimulusKind, sweep: SweepSpec, where?: string): number {
  return sweepAxes(kind, sweep, where).axes.reduce((n, a) => n * a.values.length, 1);
}

/** The grid of stimuli: `base` with each combination of the swept values, row-major. */
export function expandSweep(base: StimulusInput, sweep: SweepSpec = {}, where?: string): Sweep {
  checkKind(base?.kind, where);
  const { axes, fixed } = sweepAxes(base.kind, sweep, where);
  const shape = axes.map((a) => a.values.length);
  const size = shape.reduce((n, k) => n * k, 1);
  const items: SweepItem[] = new Array(size);
  const index = new Array<number>(axes.length).fill(0);
  for (let i = 0; i < size; i++) {
    const params: Record<string, unknown> = { ...base, ...fixed };
    axes.forEach((a, k) => (params[a.param] = a.values[index[k]]));
    items[i] = { stimulus: resolveStimulus(params as StimulusInput, where), index: [...index] };
    for (let k = axes.length - 1; k >= 0; k--) {
      if (++index[k] < shape[k]) break;
      index[k] = 0;
    }
  }
  return { axes, shape, items };
}
