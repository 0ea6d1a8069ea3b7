// Network dissection (Bau et al., CVPR 2017) on synthetic scenes with exact concept masks: each
// unit's activation maps are thresholded at its top-0.5% quantile over the whole scene set,
// upsampled bilinearly to the input (along the receptive-field geometry), and compared with each
// concept's mask by IoU summed over the set — IoU = Σ|M ∧ L| / Σ|M ∨ L|.
//
// Scenes: seeded clutter backgrounds with a few shapes each (curves, lines, circles, angles) at
// random places, orientations and sizes; a concept's mask is where its shapes cover ≥ half a pixel.
import type { Tensor } from '../../engine/tensor.ts';
import type { ForwardEngine } from '../../probe/forward.ts';
import { renderCoverage, renderStimulus, type StimulusInput } from '../../stimuli/index.ts';
import { toModelInput, type RgbImage } from '../../stimuli/image.ts';
import { randInt, uniform, type Rng } from '../../util/rng.ts';
import { badInput } from '../../errors.ts';
import { modelGeometry } from './responses.ts';
import { sampleMap, type Geometry } from './receptive-field.ts';

export const CONCEPTS = ['curve', 'line', 'circle', 'angle'] as const;
export type Concept = (typeof CONCEPTS)[number];

export interface Scene {
  image: RgbImage;
  /** Per concept, 1 where its shapes cover at least half the pixel. */
  masks: Record<Concept, Uint8Array>;
}

/** A seeded scene: clutter, then `shapes` shapes of random concepts (or all of `only`), ink on background. */
export function renderScene(width: number, height: number, rng: Rng, shapes = 4, only?: Concept): Scene {
  const bg = renderStimulus({ kind: 'blank', clutter: { strokes: 25, strokeLength: 10, strokeWidth: 1.5, contrast: 0.5 } }, { width, height }, rng);
  const data = bg.data;
  const masks = Object.fromEntries(CONCEPTS.map((c) => [c, new Uint8Array(width * height)])) as Record<Concept, Uint8Array>;
  const side = Math.min(width, height);
  for (let s = 0; s < shapes; s++) {
    const concept = only ?? CONCEPTS[randInt(rng, CONCEPTS.length)];
    const orientation = uniform(rng, 0, 360);
    const size = uniform(rng, 0.06, 0.16) * side;
    const width_ = uniform(rng, 2, 5);
    const stim: StimulusInput =
      concept === 'curve' ? { kind: 'curve', orientation, radius: size, span: uniform(rng, 70, 150), width: width_ }
      : concept === 'line' ? { kind: 'line', orientation, length: 2 * size, width: width_ }
      : concept === 'circle' ? { kind: 'circle', radius: size * 0.7, width: width_ }
      : { kind: 'angle', orientation, opening: uniform(rng, 50, 120), length: size * 1.3, width: width_ };
    const center = { x: uniform(rng, 0.15, 0.85) * width, y: uniform(rng, 0.15, 0.85) * height };
    const cov = renderCoverage(stim, { width, height, center });
    const m = masks[concept];
    for (let i = 0; i < cov.data.length; i++) {
      const a = cov.data[i];
      if (a === 0) continue;
      for (let c = 0; c < 3; c++) data[i * 3 + c] += (0 - data[i * 3 + c]) * a;
      if (a >= 0.5) m[i] = 1;
    }
  }
  return { image: bg, masks };
}

export interface DissectionOptions {
  scenes?: number;
  /** Fraction of the highest activations that count as "on" (NetDissect: 0.005). */
  quantile?: number;
  units?: readonly number[];
  /** Scenes per engine call. */
  chunk?: number;
}

export interface UnitDissection {
  unit: number;
  threshold: number;
  iou: Record<Concept, number>;
  best: { concept: Concept; iou: number };
}

/** The value above which the top `q` fraction of `values` lie (linear interpolation between order statistics). */
export function topQuantile(values: Float32Array, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float32Array.from(values).sort();
  const pos = (1 - q) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Where a map's bilinear upsampling (along the receptive-field geometry) reaches `threshold`:
 * a binary mask at input resolution. Only the neighbourhood of cells ≥ threshold is visited.
 */
export function upsampledMask(map: Float32Array, h: number, w: number, g: Geometry, width: number, height: number, threshold: number): { mask: Uint8Array; count: number; box?: { x0: number; x1: number; y0: number; y1: number } } {
  let count = 0;
  let y0 = Infinity;
  let y1 = -Infinity;
  let x0 = Infinity;
  let x1 = -Infinity;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (map[y * w + x] >= threshold) { y0 = Math.min(y0, y); y1 = Math.max(y1, y); x0 = Math.min(x0, x); x1 = Math.max(x1, x); }
  if (y0 > y1) return { mask: new Uint8Array(0), count };
  const mask = new Uint8Array(width * height);
  const toPix = (a: Geometry['x'], cell: number) => a.start + cell * a.jump;
  const py0 = Math.max(0, Math.floor(toPix(g.y, y0 - 1)));
  const py1 = Math.min(height - 1, Math.ceil(toPix(g.y, y1 + 1)));
  const px0 = Math.max(0, Math.floor(toPix(g.x, x0 - 1)));
  const px1 = Math.min(width - 1, Math.ceil(toPix(g.x, x1 + 1)));
  for (let py = py0; py <= py1; py++) {
    for (let px = px0; px <= px1; px++) {
      if (sampleMap(map, h, w, [g.y, g.x], px, py) >= threshold) { mask[py * width + px] = 1; count++; }
    }
  }
  return { mask, count, box: { x0: px0, x1: px1, y0: py0, y1: py1 } };
}

/**
 * Pure core: IoU of each unit with each concept. `maps[s]` is scene s's layer output [1, C, h, w];
 * `scenes[s].masks` the concept masks at input resolution.
 */
export function dissectMaps(maps: readonly Tensor[], scenes: readonly Scene[], g: Geometry, width: number, height: number, units: readonly number[], quantile: number): UnitDissection[] {
  const [, , h, w] = maps[0].dims;
  const plane = h * w;
  const conceptArea = CONCEPTS.map((c) => scenes.map((s) => s.masks[c].reduce((a, v) => a + v, 0)));
  return units.map((u) => {
    const all = new Float32Array(maps.length * plane);
    maps.forEach((t, s) => all.set(t.data.subarray(u * plane, (u + 1) * plane), s * plane));
    const threshold = topQuantile(all, quantile);
    const inter = new Array<number>(CONCEPTS.length).fill(0);
    let maskArea = 0;
    maps.forEach((_, s) => {
      const { mask, count, box } = upsampledMask(all.subarray(s * plane, (s + 1) * plane), h, w, g, width, height, threshold);
      if (count === 0 || !box) return;
      maskArea += count;
      CONCEPTS.forEach((c, k) => {
        const m = scenes[s].masks[c];
        let i = 0;
        // The mask is empty outside its box: count the overlap there only.
        for (let y = box.y0; y <= box.y1; y++) for (let p = y * width + box.x0; p <= y * width + box.x1; p++) if (mask[p] && m[p]) i++;
        inter[k] += i;
      });
    });
    const iou = Object.fromEntries(CONCEPTS.map((c, k) => {
      const area = conceptArea[k].reduce((a, v) => a + v, 0);
      const union = maskArea + area - inter[k];
      return [c, union > 0 ? inter[k] / union : 0];
    })) as Record<Concept, number>;
    const best = CONCEPTS.reduce((b, c) => (iou[c] > iou[b] ? c : b), CONCEPTS[0]);
    return { unit: u, threshold, iou, best: { concept: best, iou: iou[best] } };
  });
}

export async function dissect(engine: ForwardEngine, layer: { name: string; tensor: string; shape: readonly number[] }, rng: Rng, o: DissectionOptions = {}): Promise<{ units: UnitDissection[]; scenes: number; examples: RgbImage[] }> {
  if (layer.shape.length !== 3) throw badInput('E_DISSECTION', `layer "${layer.name}" has no spatial map (shape [${layer.shape.join(', ')}])`, undefined, 'dissect a convolutional layer');
  const g = (await modelGeometry(engine.model)).get(layer.tensor);
  if (!g) throw badInput('E_DISSECTION', `the receptive field of layer "${layer.name}" cannot be computed from the graph`, undefined, 'dissection needs conv/pool layers between the input and the layer');
  const { width, height } = engine.model.preprocess;
  const n = o.scenes ?? 64;
  const scenes = Array.from({ length: n }, () => renderScene(width, height, rng));
  const chunk = Math.max(1, o.chunk ?? 16);
  const maps: Tensor[] = [];
  for (let s = 0; s < n; s += chunk) {
    const rows = await engine.forward(scenes.slice(s, s + chunk).map((sc) => toModelInput(sc.image, engine.model.preprocess)), [layer.tensor]);
    for (const [t] of rows) maps.push(t);
  }
  const units = o.units ?? Array.from({ length: layer.shape[0] }, (_, i) => i);
  return { units: dissectMaps(maps, scenes, g, width, height, units, o.quantile ?? 0.005), scenes: n, examples: scenes.slice(0, 4).map((s) => s.image) };
}
