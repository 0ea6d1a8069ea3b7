// Colour values of stimuli (grey level, "#rrggbb", [r, g, b]) turned into RGB triples, and the
// polarity rule: light-on-dark swaps ink and background.
import type { Color, Look } from './types.ts';

export type Rgb = [number, number, number];

/** Assumes a value already checked by params.ts (checkColor). */
export function toRgb(c: Color): Rgb {
  if (typeof c === 'number') return [c, c, c];
  if (typeof c === 'string') {
    const hex = c.length === 4 ? [...c.slice(1)].map((h) => h + h).join('') : c.slice(1);
    return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
  }
  return [c[0], c[1], c[2]];
}

/** The ink and background colours actually painted, after the polarity swap. */
export function paintColors(look: Look): { ink: Rgb; background: Rgb } {
  const ink = toRgb(look.ink);
  const background = toRgb(look.background);
  return look.polarity === 'light-on-dark' ? { ink: background, background: ink } : { ink, background };
}
