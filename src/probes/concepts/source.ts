// Scenes with exact concept masks for the concept methods: the shapes task (one disk, square or
// triangle in clutter, as shapes_cnn was trained on) and stroke scenes (curves, lines, circles,
// angles in clutter). Every draw comes from the seeded generator passed in.
import { badInput } from '../../errors.ts';
import type { RgbImage } from '../../stimuli/image.ts';
import { SHAPE_CLASSES, shapeScene } from '../../stimuli/scenes.ts';
import type { Rng } from '../../util/rng.ts';
import { CONCEPTS, renderScene, type Concept } from '../neuron/dissection.ts';

export const SCENE_SOURCES = ['shapes', 'strokes'] as const;
export type SceneSource = (typeof SCENE_SOURCES)[number];

export interface ConceptScene {
  image: RgbImage;
  /** Per concept of the source, 1 where it is. */
  masks: Record<string, Uint8Array>;
}

export function conceptsOf(source: SceneSource): readonly string[] {
  return source === 'shapes' ? SHAPE_CLASSES : CONCEPTS;
}

/** One scene; with `only`, a scene that holds that concept (and, for strokes, nothing else). */
export function conceptScene(source: SceneSource, width: number, height: number, rng: Rng, only?: string): ConceptScene {
  if (source === 'strokes') {
    const s = renderScene(width, height, rng, only ? 2 : 4, only as Concept | undefined);
    return { image: s.image, masks: s.masks };
  }
  if (width !== height) throw badInput('E_CONCEPTS_SOURCE', `shape scenes are square and the model takes ${width}×${height}`, undefined, 'use `scenes: strokes`, or a model with a square input');
  // Redraw until the scene holds the asked shape: each draw is one of three, so this ends fast.
  for (;;) {
    const s = shapeScene(rng, width);
    const name = SHAPE_CLASSES[s.label];
    if (only && name !== only) continue;
    const hw = width * height;
    const data = new Float32Array(hw * 3);
    for (let c = 0; c < 3; c++) for (let i = 0; i < hw; i++) data[i * 3 + c] = s.input.data[c * hw + i] * 255;
    const masks: Record<string, Uint8Array> = {};
    for (const c of SHAPE_CLASSES) masks[c] = new Uint8Array(hw);
    masks[name] = Uint8Array.from(s.mask.data);
    return { image: { width, height, data }, masks };
  }
}
