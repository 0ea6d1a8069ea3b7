// The parameter table of every stimulus kind: default, unit, valid range and a one-line meaning.
// Renderers, sweeps and the spec schema all read it, so a range is written down once.
import { distance } from 'fastest-levenshtein';
import { badInput } from '../errors.ts';
import type { Clutter, Color, Polarity, Stimulus, StimulusInput, StimulusKind, StimulusOf } from './types.ts';

export interface NumberParam {
  type: 'number';
  /** undefined: the parameter is optional and off unless given. */
  default: number | undefined;
  unit: 'deg' | 'px' | 'cycles/px' | 'fraction' | 'grey levels' | 'count' | 'seed';
  min?: number;
  max?: number;
  /** `min` itself is not allowed (e.g. radius > 0). */
  exclusiveMin?: boolean;
  integer?: boolean;
  /** Angles where `from: 0, to: 360` would repeat its first value: sweeps leave `to` out. */
  circular?: boolean;
  description: string;
}
export interface BooleanParam { type: 'boolean'; default: boolean; description: string }
export interface ColorParam { type: 'color'; default: Color; description: string }
export interface PolarityParam { type: 'polarity'; default: Polarity; description: string }
export interface ClutterParam { type: 'clutter'; default: undefined; description: string }
export type ParamInfo = NumberParam | BooleanParam | ColorParam | PolarityParam | ClutterParam;

type ParamTable<K extends StimulusKind> = { [P in Exclude<keyof StimulusOf<K>, 'kind'>]-?: ParamInfo };

export const POLARITIES: readonly Polarity[] = ['dark-on-light', 'light-on-dark'];
export const KINDS: readonly StimulusKind[] = ['curve', 'line', 'angle', 'circle', 'grating', 'blank'];

const look = {
  ink: { type: 'color', default: 0, description: 'ink colour: a grey level 0–255, "#rrggbb", or [r, g, b] (default black)' },
  background: { type: 'color', default: 255, description: 'background colour: a grey level 0–255, "#rrggbb", or [r, g, b] (default white)' },
  polarity: { type: 'polarity', default: 'dark-on-light', description: 'dark-on-light, or light-on-dark to swap ink and background' },
  clutter: { type: 'clutter', default: undefined, description: 'seeded background clutter: random short strokes and/or grey pixel noise' },
} as const satisfies Record<string, ParamInfo>;

const orientation = (what: string): NumberParam => ({ type: 'number', default: 0, unit: 'deg', circular: true, description: `${what}, degrees counter-clockwise from +x as seen on screen (90 = up)` });
const width: NumberParam = { type: 'number', default: 5, unit: 'px', min: 0, exclusiveMin: true, description: 'stroke width in pixels (ends are round)' };

export const PARAMS: { [K in StimulusKind]: ParamTable<K> } = {
  curve: {
    orientation: orientation('direction from the circle centre to the arc midpoint (the way the convex side faces)'),
    radius: { type: 'number', default: 30, unit: 'px', min: 0, max: 1e7, exclusiveMin: true, description: 'radius of the circle the arc belongs to, in pixels (curvature = 1 / radius)' },
    span: { type: 'number', default: 120, unit: 'deg', min: 0, max: 360, exclusiveMin: true, description: 'angle the arc subtends at its centre, in degrees (360 = full circle); ignored when length is set' },
    length: { type: 'number', default: undefined, unit: 'px', min: 0, exclusiveMin: true, description: 'arc length in pixels; when set it replaces span (same amount of ink at every radius)' },
    width,
    ...look,
  },
  line: {
    orientation: orientation('direction of the line (0 = horizontal, 90 = vertical)'),
    length: { type: 'number', default: 60, unit: 'px', min: 0, exclusiveMin: true, description: 'length of the centre line in pixels, midpoint on the placement point' },
    width,
    ...look,
  },
  angle: {
    orientation: orientation('direction the vertex points (90 draws ∧)'),
    opening: { type: 'number', default: 90, unit: 'deg', min: 0, max: 360, description: 'angle between the two rays in degrees' },
    length: { type: 'number', default: 40, unit: 'px', min: 0, exclusiveMin: true, description: 'length of each ray in pixels, from the vertex on the placement point' },
    width,
    ...look,
  },
  circle: {
    radius: { type: 'number', default: 30, unit: 'px', min: 0, exclusiveMin: true, description: 'radius of the ring centre line in pixels, centred on the placement point' },
    width,
    filled: { type: 'boolean', default: false, description: 'fill the circle out to the outer edge of its ring' },
    ...look,
  },
  grating: {
    orientation: orientation('direction of the stripes (a grating at θ is made of lines at θ)'),
    frequency: { type: 'number', default: 1 / 16, unit: 'cycles/px', min: 0, max: 0.5, exclusiveMin: true, description: 'spatial frequency in cycles per pixel (0.5 is the Nyquist limit)' },
    phase: { type: 'number', default: 0, unit: 'deg', circular: true, description: 'phase in degrees; 0 puts the middle of an ink stripe on the placement point' },
    sigma: { type: 'number', default: undefined, unit: 'px', min: 0, exclusiveMin: true, description: 'standard deviation of a Gaussian envelope in pixels (a Gabor patch; sampled at pixel centres, so keep it ≥ 3 px); absent = full-field grating' },
    contrast: { type: 'number', default: 1, unit: 'fraction', min: 0, max: 1, description: 'Michelson contrast 0–1 between ink and background around their mean' },
    ...look,
  },
  blank: { ...look },
};

export const CLUTTER_PARAMS: { [P in keyof Clutter]-?: NumberParam } = {
  strokes: { type: 'number', default: 30, unit: 'count', min: 0, max: 100_000, integer: true, description: 'number of random short strokes in the ink colour (0 for noise only)' },
  strokeLength: { type: 'number', default: 12, unit: 'px', min: 0, exclusiveMin: true, description: 'length of each stroke in pixels' },
  strokeWidth: { type: 'number', default: 2, unit: 'px', min: 0, exclusiveMin: true, description: 'width of each stroke in pixels' },
  contrast: { type: 'number', default: 1, unit: 'fraction', min: 0, max: 1, description: 'stroke opacity 0–1' },
  clear: { type: 'number', default: 0, unit: 'px', min: 0, description: 'no stroke comes within this many pixels of the placement point' },
  noise: { type: 'number', default: 0, unit: 'grey levels', min: 0, description: 'standard deviation of grey Gaussian pixel noise (0–255 scale)' },
  seed: { type: 'number', default: undefined, unit: 'seed', min: 0, max: 2 ** 32 - 1, integer: true, description: 'seed used when the caller passes no random generator' },
};

/** The table row of one parameter, or undefined when the kind has no such parameter. */
export function paramInfo(kind: StimulusKind, name: string): ParamInfo | undefined {
  const table = PARAMS[kind] as Record<string, ParamInfo>;
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** "did you mean …" for a misspelt name among `known`. */
export function suggest(name: string, known: readonly string[]): string {
  let best = '';
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? `did you mean \`${best}\`? ` : '';
}

function fail(code: string, message: string, where: string | undefined, hint: string): never {
  throw badInput(code, message, where, hint);
}

export function checkKind(kind: unknown, where?: string): asserts kind is StimulusKind {
  if (typeof kind === 'string' && (KINDS as readonly string[]).includes(kind)) return;
  const extra = kind === 'gabor' ? 'a Gabor patch is `grating` with `sigma`; ' : typeof kind === 'string' ? suggest(kind, KINDS) : '';
  fail('E_STIMULUS_KIND', `unknown stimulus kind ${JSON.stringify(kind)}`, where, `${extra}kinds: ${KINDS.join(', ')}`);
}

/** Throws a bad-input error naming the parameter when `value` is out of its range. */
export function checkNumber(name: string, value: unknown, p: NumberParam, where?: string): void {
  const range = describeRange(p);
  if (typeof value !== 'number' || !Number.isFinite(value)) fail('E_STIMULUS_VALUE', `${name} must be a finite number, got ${JSON.stringify(value)}`, where, range);
  const bad =
    (p.min !== undefined && (p.exclusiveMin ? value <= p.min : value < p.min)) ||
    (p.max !== undefined && value > p.max) ||
    (p.integer && !Number.isInteger(value));
  if (bad) fail('E_STIMULUS_RANGE', `${name} = ${value} is out of range`, where, range);
}

export function describeRange(p: NumberParam): string {
  const lo = p.min === undefined ? '' : `${p.exclusiveMin ? '>' : '≥'} ${p.min}`;
  const hi = p.max === undefined ? '' : `≤ ${p.max}`;
  const both = [lo, hi].filter(Boolean).join(' and ');
  return `expected ${p.integer ? 'an integer' : 'a number'}${both ? ` ${both}` : ''} (${p.unit})`;
}

export function checkColor(name: string, value: unknown, where?: string): void {
  const hint = 'a colour is a grey level 0–255, "#rrggbb" / "#rgb", or [r, g, b] with each 0–255';
  const level = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 255;
  const ok =
    level(value) ||
    (typeof value === 'string' && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(value)) ||
    (Array.isArray(value) && value.length === 3 && value.every(level));
  if (!ok) fail('E_STIMULUS_COLOR', `${name} = ${JSON.stringify(value)} is not a colour`, where, hint);
}

function checkClutter(value: unknown, where?: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('E_STIMULUS_VALUE', 'clutter must be an object', where, `fields: ${Object.keys(CLUTTER_PARAMS).join(', ')}`);
  }
  for (const [k, v] of Object.entries(value)) {
    if (!Object.hasOwn(CLUTTER_PARAMS, k)) {
      fail('E_STIMULUS_PARAM', `clutter has no field \`${k}\``, where, `${suggest(k, Object.keys(CLUTTER_PARAMS))}fields: ${Object.keys(CLUTTER_PARAMS).join(', ')}`);
    }
    if (v !== undefined) checkNumber(`clutter.${k}`, v, CLUTTER_PARAMS[k as keyof Clutter], where);
  }
}

/** Validates one parameter value of a kind (name included). */
export function checkParam(kind: StimulusKind, name: string, value: unknown, where?: string): void {
  const p = paramInfo(kind, name);
  if (!p) {
    const known = Object.keys(PARAMS[kind]);
    fail('E_STIMULUS_PARAM', `a ${kind} stimulus has no parameter \`${name}\``, where, `${suggest(name, known)}parameters of ${kind}: ${known.join(', ')}`);
  }
  if (value === undefined && p.default === undefined) return;
  switch (p.type) {
    case 'number': return checkNumber(name, value, p, where);
    case 'boolean':
      if (typeof value !== 'boolean') fail('E_STIMULUS_VALUE', `${name} must be true or false, got ${JSON.stringify(value)}`, where, 'write true or false');
      return;
    case 'color': return checkColor(name, value, where);
    case 'polarity':
      if (!(POLARITIES as readonly unknown[]).includes(value)) fail('E_STIMULUS_VALUE', `polarity ${JSON.stringify(value)} is unknown`, where, `one of: ${POLARITIES.join(', ')}`);
      return;
    case 'clutter': return checkClutter(value, where);
  }
}

/** Fills every missing parameter with its default and validates the lot. */
export function resolveStimulus(input: StimulusInput, where?: string): Stimulus {
  if (typeof input !== 'object' || input === null) fail('E_STIMULUS_VALUE', 'a stimulus must be an object with a `kind`', where, `kinds: ${KINDS.join(', ')}`);
  checkKind(input.kind, where);
  const out: Record<string, unknown> = { kind: input.kind };
  for (const [name, value] of Object.entries(input)) if (name !== 'kind') checkParam(input.kind, name, value, where);
  for (const [name, p] of Object.entries(PARAMS[input.kind] as Record<string, ParamInfo>)) {
    const v = (input as Record<string, unknown>)[name];
    const value = v === undefined ? p.default : v;
    if (value !== undefined) out[name] = value;
  }
  return out as unknown as Stimulus;
}

/** Clutter fields with their defaults filled in (seed stays optional). */
export function resolveClutter(c: Clutter): Required<Omit<Clutter, 'seed'>> & { seed?: number } {
  const out: Record<string, number | undefined> = {};
  for (const [k, p] of Object.entries(CLUTTER_PARAMS)) out[k] = c[k as keyof Clutter] ?? p.default;
  return out as Required<Omit<Clutter, 'seed'>> & { seed?: number };
}
