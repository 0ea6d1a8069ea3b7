// Concept scenes from a user's concept-mask manifest: each image as stored (the model's preprocess
// fits it later) and each concept's mask brought onto the model's input by the same geometry,
// nearest-neighbour so a mask stays binary.
import type { ConceptMasks } from '../../datasets/concept-masks.ts';
import type { Preprocess } from '../../models/types.ts';
import { fitGeometry } from '../../stimuli/fit.ts';
import { readImage, type RgbImage } from '../../stimuli/image.ts';
import type { Rng } from '../../util/rng.ts';
import type { ConceptScene } from './source.ts';

/** A mask file's pixels at the model input (1 where its mean level is ≥ 128); all zero where the resize pads. */
export function maskAtInput(mask: RgbImage, p: Pick<Preprocess, 'width' | 'height' | 'resize'>): Uint8Array {
  const g = fitGeometry(mask.width, mask.height, p.width, p.height, p.resize);
  const out = new Uint8Array(p.width * p.height);
  for (let y = 0; y < p.height; y++) {
    const ry = y - g.oy;
    if (ry < 0 || ry >= g.rh) continue;
    const sy = Math.min(mask.height - 1, Math.floor(((ry + 0.5) * mask.height) / g.rh));
    for (let x = 0; x < p.width; x++) {
      const rx = x - g.ox;
      if (rx < 0 || rx >= g.rw) continue;
      const sx = Math.min(mask.width - 1, Math.floor(((rx + 0.5) * mask.width) / g.rw));
      const s = (sy * mask.width + sx) * 3;
      out[y * p.width + x] = mask.data[s] + mask.data[s + 1] + mask.data[s + 2] >= 3 * 128 ? 1 : 0;
    }
  }
  return out;
}

/** The rows that hold the concept (`holds`) or lack it. */
export function rowsWith(data: ConceptMasks, concept: string, holds: boolean): number[] {
  const k = data.concepts.indexOf(concept);
  return data.rows.flatMap((r, i) => ((r.masks[k] !== null) === holds ? [i] : []));
}

/**
 * A seeded draw of k rows of the pool without replacement (all of them, shuffled, when the pool is
 * smaller), so TCAV's concept and random sets come from the user's data as they would from the generator.
 */
export function drawRows(pool: readonly number[], k: number, rng: Rng): number[] {
  const idx = [...pool];
  const n = Math.min(k, idx.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, n);
}

/** One scene per manifest row (all rows in the manifest's order when `which` is absent); an absent concept has an empty mask. */
export function scenesFromMasks(data: ConceptMasks, p: Pick<Preprocess, 'width' | 'height' | 'resize'>, which?: readonly number[]): ConceptScene[] {
  return (which ?? data.rows.map((_, i) => i)).map((i) => {
    const row = data.rows[i];
    const masks: Record<string, Uint8Array> = {};
    data.concepts.forEach((c, k) => {
      const file = row.masks[k];
      masks[c] = file === null ? new Uint8Array(p.width * p.height) : maskAtInput(readImage(file), p);
    });
    return { image: readImage(row.image), masks };
  });
}
