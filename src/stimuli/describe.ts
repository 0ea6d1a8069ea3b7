// Short human labels for stimuli (report captions, PNG file names): the kind and the parameters
// that matter, with their units, e.g. "curve orientation=45° radius=20px".
import type { Stimulus } from './types.ts';
import { PARAMS, type ParamInfo } from './params.ts';

const UNIT: Record<string, string> = { deg: '°', px: 'px', 'cycles/px': ' c/px' };

function show(p: ParamInfo, v: unknown): string {
  if (p.type === 'number') return `${+(v as number).toPrecision(6)}${UNIT[p.unit] ?? ''}`;
  if (p.type === 'clutter') return 'on';
  return Array.isArray(v) ? `[${v.join(',')}]` : String(v);
}

/**
 * `params`: which parameters to show (e.g. a sweep's axes); default: every parameter that
 * differs from its default.
 */
export function describeStimulus(s: Stimulus, params?: readonly string[]): string {
  const table = PARAMS[s.kind] as Record<string, ParamInfo>;
  const rec = s as unknown as Record<string, unknown>;
  const names = params ?? Object.keys(table).filter((k) => rec[k] !== undefined && JSON.stringify(rec[k]) !== JSON.stringify(table[k].default));
  const parts = names.filter((k) => table[k] && rec[k] !== undefined).map((k) => `${k}=${show(table[k], rec[k])}`);
  return [s.kind, ...parts].join(' ');
}

/** A file-name-safe slug of the same label ("curve_orientation-45_radius-20"). */
export function stimulusSlug(s: Stimulus, params?: readonly string[]): string {
  return describeStimulus(s, params)
    .replace(/°|px| c\/px/g, '')
    .replace(/=/g, '-')
    .replace(/[^A-Za-z0-9.\-]+/g, '_');
}
