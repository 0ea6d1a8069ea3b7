// The neuron atlas (Olah's "interrogating neurons"): one row per unit — its feature visualization,
// the seeded scenes that drive it hardest (with its map laid over them) and the concept network
// dissection gives it on those same scenes — so a reader sees what the unit wants, where it
// fires in data, and what that looks like in words, side by side.
import type { Tensor } from '../../engine/tensor.ts';
import type { ForwardEngine } from '../../probe/forward.ts';
import type { Artifact, Thumbnail } from '../../probe/measurement.ts';
import { encodePng, toModelInput, type RgbImage } from '../../stimuli/image.ts';
import type { Rng } from '../../util/rng.ts';
import { dissectMaps, renderScene, type UnitDissection } from './dissection.ts';
import { modelGeometry } from './responses.ts';
import { topExamples } from './topk.ts';

export interface AtlasOptions {
  /** Seeded stroke scenes (curves, lines, circles, angles in clutter) the examples and concepts come from. */
  scenes: number;
  /** Dataset examples per unit. */
  top: number;
  /** Top fraction of a unit's activations that counts as "on" for dissection (NetDissect: 0.005). */
  quantile: number;
}

export const ATLAS_DEFAULTS: AtlasOptions = { scenes: 64, top: 4, quantile: 0.005 };

/** One unit's visualization(s), already encoded, with what the row says about it. */
export interface AtlasUnit {
  unit?: number;
  label: string;
  images: readonly RgbImage[];
}

export interface AtlasRow {
  label: string;
  concept: string | null;
  iou: number | null;
  examples: string[];
}

const thumbOf = (img: RgbImage, caption: string): Thumbnail => ({ pngBase64: encodePng(img).toString('base64'), width: img.width, height: img.height, caption });

export async function neuronAtlas(engine: ForwardEngine, layer: { name: string; tensor: string; shape: readonly number[] }, units: readonly AtlasUnit[], o: AtlasOptions, rng: Rng): Promise<{ artifact: Artifact; rows: AtlasRow[] }> {
  const { width, height } = engine.model.preprocess;
  const scenes = Array.from({ length: o.scenes }, () => renderScene(width, height, rng));
  const named = scenes.map((s, i) => ({ label: `scene ${i + 1}`, image: s.image }));
  const ids = units.flatMap((u) => (u.unit === undefined ? [] : [u.unit]));
  const top = ids.length ? await topExamples(engine, layer, ids, named, { k: o.top }) : [];
  // Dissection needs a spatial map and its receptive-field geometry; a flat layer gets no concept.
  const g = layer.shape.length === 3 ? (await modelGeometry(engine.model)).get(layer.tensor) : undefined;
  let concepts: UnitDissection[] = [];
  if (g && ids.length) {
    const maps: Tensor[] = [];
    for (let s = 0; s < scenes.length; s += 16) {
      const rows = await engine.forward(scenes.slice(s, s + 16).map((sc) => toModelInput(sc.image, engine.model.preprocess)), [layer.tensor]);
      for (const [t] of rows) maps.push(t);
    }
    concepts = dissectMaps(maps, scenes, g, width, height, ids, o.quantile);
  }
  const rows: AtlasRow[] = [];
  const cells: (string | Thumbnail[])[][] = units.map((u) => {
    const t = top.find((r) => r.unit === u.unit);
    // A unit that never fires on any concept's pixels has no concept, not the first in the list.
    const d = concepts.find((c) => c.unit === u.unit && c.best.iou > 0);
    const examples = t ? t.artifacts.flatMap((a, j) => (a.type === 'image' ? [{ pngBase64: a.pngBase64, width: a.width, height: a.height, caption: `#${j + 1}: ${t.examples[j].label} (max ${t.examples[j].value.toFixed(3)})` }] : [])) : [];
    rows.push({ label: u.label, concept: d ? d.best.concept : null, iou: d ? d.best.iou : null, examples: t ? t.examples.map((e) => e.label) : [] });
    return [
      u.label,
      u.images.map((img, i) => thumbOf(img, `${u.label}: visualization${u.images.length > 1 ? ` ${i + 1} of ${u.images.length}` : ''}`)),
      examples,
      d ? `${d.best.concept} (IoU ${d.best.iou.toFixed(3)})` : '—',
    ];
  });
  return {
    artifact: {
      type: 'atlas', name: 'atlas',
      caption: `${layer.name}: each unit's visualization, the ${o.top} of ${o.scenes} seeded stroke scenes that drive it hardest (its map in red), and its best concept by network dissection on those scenes (top ${o.quantile * 100}% of its activations)`,
      columns: ['unit', 'visualization', 'top examples', 'concept'], rows: cells,
    },
    rows,
  };
}
