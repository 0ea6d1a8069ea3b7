// Dataset examples: the k images of a folder that drive a unit hardest (spatial max by default),
// each with its activation map upsampled along the receptive-field geometry and laid over the
// image as a heat overlay (PNG artifacts for the report).
import type { Tensor } from '../../engine/tensor.ts';
import type { Artifact } from '../../probe/measurement.ts';
import type { ForwardEngine } from '../../probe/forward.ts';
import { displayRgb, encodePng, resize, toModelInput, type RgbImage } from '../../stimuli/image.ts';
import { modelGeometry } from './responses.ts';
import { sampleMap, type Geometry } from './receptive-field.ts';

export interface TopExample {
  label: string;
  /** The unit's score on the image (spatial max or mean, or the value at a position). */
  value: number;
  /** Where the map peaks (row y, column x), for spatial layers. */
  at?: { y: number; x: number };
}

export interface TopOptions {
  k?: number;
  reduce?: 'max' | 'mean';
  chunk?: number;
  /** Render overlays for the top examples (default true). */
  overlays?: boolean;
}

export interface TopResult {
  unit: number;
  examples: TopExample[];
  artifacts: Artifact[];
}

/** Bilinear upsampling of an h×w map to the input along the geometry (cell centres at start + i·jump). */
export function upsampleMap(map: Float32Array, h: number, w: number, g: Geometry | undefined, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  const gy = g?.y ?? { start: height / h / 2, jump: height / h };
  const gx = g?.x ?? { start: width / w / 2, jump: width / w };
  for (let py = 0; py < height; py++) for (let px = 0; px < width; px++) out[py * width + px] = sampleMap(map, h, w, [gy, gx], px, py);
  return out;
}

/** The image with a red heat overlay where `heat` (0..1) is high. */
export function heatOverlay(img: RgbImage, heat: Float32Array, alpha = 0.6): RgbImage {
  const data = new Float32Array(img.data.length);
  for (let i = 0; i < heat.length; i++) {
    const a = alpha * Math.min(1, Math.max(0, heat[i]));
    const grey = 0.299 * img.data[i * 3] + 0.587 * img.data[i * 3 + 1] + 0.114 * img.data[i * 3 + 2];
    // Dim the photo to grey under the heat so the overlay reads on any image.
    data[i * 3] = (1 - a) * img.data[i * 3] + a * (0.4 * grey + 0.6 * 255);
    data[i * 3 + 1] = (1 - a) * img.data[i * 3 + 1] + a * 0.4 * grey;
    data[i * 3 + 2] = (1 - a) * img.data[i * 3 + 2] + a * 0.4 * grey;
  }
  return { width: img.width, height: img.height, data };
}

function score(t: Tensor, u: number, reduce: 'max' | 'mean'): { value: number; at?: { y: number; x: number } } {
  const [, , h = 1, w = 1] = t.dims;
  const plane = t.data.subarray(u * h * w, (u + 1) * h * w);
  if (reduce === 'mean') return { value: plane.reduce((s, v) => s + v, 0) / plane.length };
  let best = 0;
  for (let i = 1; i < plane.length; i++) if (plane[i] > plane[best]) best = i;
  return { value: plane[best], at: t.dims.length === 4 ? { y: Math.floor(best / w), x: best % w } : undefined };
}

/** Top-k images for each unit; activation maps are kept only for the winners' overlays. */
export async function topExamples(engine: ForwardEngine, layer: { name: string; tensor: string; shape: readonly number[] }, units: readonly number[], images: readonly { label: string; image: RgbImage }[], o: TopOptions = {}): Promise<TopResult[]> {
  const k = Math.max(1, o.k ?? 5);
  const reduce = o.reduce ?? 'max';
  const chunk = Math.max(1, o.chunk ?? 16);
  const scores = units.map(() => [] as (TopExample & { index: number })[]);
  for (let s = 0; s < images.length; s += chunk) {
    const part = images.slice(s, s + chunk);
    const rows = await engine.forward(part.map((im) => toModelInput(im.image, engine.model.preprocess)), [layer.tensor]);
    rows.forEach(([t], j) => units.forEach((u, ui) => scores[ui].push({ label: part[j].label, index: s + j, ...score(t, u, reduce) })));
  }
  const g = (await modelGeometry(engine.model)).get(layer.tensor);
  const { width, height } = engine.model.preprocess;
  const out: TopResult[] = [];
  for (let ui = 0; ui < units.length; ui++) {
    const u = units[ui];
    const top = scores[ui].sort((a, b) => b.value - a.value || a.index - b.index).slice(0, k);
    const artifacts: Artifact[] = [];
    if ((o.overlays ?? true) && layer.shape.length === 3) {
      // Maps again for the winners only (the engine's cache usually still holds them).
      const rows = await engine.forward(top.map((e) => toModelInput(images[e.index].image, engine.model.preprocess)), [layer.tensor]);
      const [, h, w] = layer.shape;
      const maxAll = Math.max(1e-12, ...top.map((e) => e.value));
      rows.forEach(([t], j) => {
        const map = t.data.subarray(u * h * w, (u + 1) * h * w);
        const heat = upsampleMap(map, h, w, g, width, height).map((v) => v / maxAll);
        const seen = resize(displayRgb(images[top[j].index].image), width, height);
        const img = heatOverlay(seen, heat);
        artifacts.push({ type: 'image', name: `top-${u}-${j + 1}`, caption: `${layer.name} unit ${u} #${j + 1}: ${top[j].label} (${reduce} ${top[j].value.toFixed(3)})`, pngBase64: encodePng(img).toString('base64'), width, height });
      });
    }
    out.push({ unit: u, examples: top.map(({ index: _i, ...e }) => e), artifacts });
  }
  return out;
}
