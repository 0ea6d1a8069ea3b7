// Attribution maps as pictures: a map rescaled to grey levels as a PNG data URI, and the
// difference of two maps each rescaled to [0, 1], for baseline | candidate | difference views.
import { encodePng } from '../stimuli/image.ts';
import type { Map2d } from './map-drift.ts';

/** A map rescaled to [0, 1] as a grey PNG data URI (white = most attributed). */
export function mapPng(m: Map2d, scale?: { lo: number; hi: number }): string {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < m.data.length; i++) { lo = Math.min(lo, m.data[i]); hi = Math.max(hi, m.data[i]); }
  if (scale) ({ lo, hi } = scale);
  const span = hi - lo || 1;
  const data = new Float32Array(m.height * m.width * 3);
  for (let i = 0; i < m.data.length; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = Math.max(0, Math.min(255, (255 * (m.data[i] - lo)) / span));
  return `data:image/png;base64,${encodePng({ width: m.width, height: m.height, data }).toString('base64')}`;
}

/** |a − b| of the two maps each rescaled to [0, 1] (show it on the fixed 0..1 scale). */
export function differenceMap(a: Map2d, b: Map2d): Map2d {
  const unit = (m: Map2d) => {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < m.data.length; i++) { lo = Math.min(lo, m.data[i]); hi = Math.max(hi, m.data[i]); }
    return Float32Array.from(m.data, (v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
  };
  const x = unit(a);
  const y = unit(b);
  return { height: a.height, width: a.width, data: x.map((v, i) => Math.abs(v - y[i])) };
}

