// Reading units out of a tapped layer: one number per (item, unit) from an NCHW (or NC) tensor,
// at a position, at the centre, or reduced over space (max / mean). Pure; no engine.
import type { Tensor } from '../../engine/tensor.ts';

/** Where a unit's response is read: a spatial position (row y, column x), the map centre, or a spatial reduction. */
export type Readout =
  | { at: 'center' }
  | { at: 'position'; x: number; y: number }
  | { reduce: 'max' | 'mean' };

/** Responses of several units to several items: `data[item * units.length + k]` is unit `units[k]` on item `item`. */
export interface UnitResponses {
  items: number;
  units: number[];
  data: Float32Array;
}

/** The centre position of an H×W map: the middle cell (for even sizes, the one right/below the middle). */
export function centerOf(height: number, width: number): { x: number; y: number } {
  return { x: Math.floor(width / 2), y: Math.floor(height / 2) };
}

/** One response per item and unit. `units` defaults to every channel. */
export function readUnits(t: Tensor, readout: Readout, units?: readonly number[]): UnitResponses {
  const [n, c, h = 1, w = 1] = t.dims;
  if (t.dims.length !== 2 && t.dims.length !== 4) throw new RangeError(`readUnits: expected an NCHW or NC tensor, got dims [${t.dims}]`);
  const chosen = units ? [...units] : Array.from({ length: c }, (_, i) => i);
  for (const u of chosen) if (!Number.isInteger(u) || u < 0 || u >= c) throw new RangeError(`readUnits: unit ${u} is outside 0..${c - 1}`);
  const plane = h * w;
  const out = new Float32Array(n * chosen.length);
  let pos = -1;
  if ('at' in readout) {
    const p = readout.at === 'center' ? centerOf(h, w) : readout;
    if (!(Number.isInteger(p.x) && Number.isInteger(p.y) && p.x >= 0 && p.y >= 0 && p.x < w && p.y < h)) {
      throw new RangeError(`readUnits: position (x ${p.x}, y ${p.y}) is outside the ${h}×${w} map`);
    }
    pos = p.y * w + p.x;
  }
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < chosen.length; k++) {
      const base = (i * c + chosen[k]) * plane;
      let v: number;
      if (pos >= 0) v = t.data[base + pos];
      else if ('reduce' in readout && readout.reduce === 'max') {
        v = -Infinity;
        for (let j = 0; j < plane; j++) if (t.data[base + j] > v) v = t.data[base + j];
      } else {
        v = 0;
        for (let j = 0; j < plane; j++) v += t.data[base + j];
        v /= plane;
      }
      out[i * chosen.length + k] = v;
    }
  }
  return { items: n, units: chosen, data: out };
}

/** The responses of one unit (by its position in `r.units`) across items. */
export function unitColumn(r: UnitResponses, k: number): number[] {
  const out = new Array<number>(r.items);
  for (let i = 0; i < r.items; i++) out[i] = r.data[i * r.units.length + k];
  return out;
}

/** Stack responses of consecutive batches (same units) into one. */
export function concatResponses(parts: readonly UnitResponses[]): UnitResponses {
  if (parts.length === 0) throw new RangeError('concatResponses: nothing to join');
  const units = parts[0].units;
  const items = parts.reduce((s, p) => s + p.items, 0);
  const data = new Float32Array(items * units.length);
  let off = 0;
  for (const p of parts) {
    if (p.units.length !== units.length || p.units.some((u, i) => u !== units[i])) throw new RangeError('concatResponses: parts read different units');
    data.set(p.data, off);
    off += p.data.length;
  }
  return { items, units: [...units], data };
}
