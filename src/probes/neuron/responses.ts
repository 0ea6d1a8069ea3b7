// Measuring responses: render stimuli at the model's input size, placed on the receptive-field
// centre of the probed position, run them through the engine in chunks (one tap of the whole
// layer per batch) and keep only the read-out numbers, so memory stays flat over long sweeps.
import type { Tensor } from '../../engine/tensor.ts';
import { listLayers } from '../../models/catalog.ts';
import type { ImportedModel } from '../../models/types.ts';
import { createActivationCache } from '../../probe/cache.ts';
import { createForwardEngine, type ForwardEngine } from '../../probe/forward.ts';
import { renderStimulus, type Stimulus } from '../../stimuli/index.ts';
import { toModelInput, type RgbImage } from '../../stimuli/image.ts';
import { resizedNet } from './resized-net.ts';
import { badInput } from '../../errors.ts';
import { centerOf, concatResponses, readUnits, type Readout, type UnitResponses } from './readout.ts';
import { fieldCenter, positionNearest, receptiveFields, type Geometry } from './receptive-field.ts';

/** Where a probe reads a layer and where its stimuli go. */
export interface Placement {
  /** Position in the layer's grid (row y, column x). */
  position: { x: number; y: number };
  /** Input-image point the stimuli are centred on (the position's receptive-field centre). */
  center: { x: number; y: number };
  /** Receptive field of the layer, when the graph allows computing it. */
  field?: { jump: number; size: number };
}

const geometryCache = new WeakMap<object, Map<string, Geometry>>();

/** Receptive-field geometry of every tensor of a model (computed once per model IR). */
export async function modelGeometry(model: ImportedModel): Promise<Map<string, Geometry>> {
  const key = model.net.model;
  let geo = geometryCache.get(key);
  if (!geo) {
    const shapes = new Map((await listLayers(model)).map((l) => [l.tensor, l.shape]));
    geo = receptiveFields(model.net.model.graph!, model.input.name, (t) => shapes.get(t));
    geometryCache.set(key, geo);
  }
  return geo;
}

/**
 * The probed position of a layer and the stimulus centre. By default the position whose
 * receptive field is centred nearest the image centre; `position` ([y, x]) overrides it.
 * Without a known geometry the map centre is read and stimuli go to the image centre.
 */
export async function placementFor(model: ImportedModel, layer: { tensor: string; shape: readonly number[] }, position?: 'center' | readonly [number, number]): Promise<Placement> {
  const { width, height } = model.preprocess;
  const imageCenter = { x: width / 2, y: height / 2 };
  if (layer.shape.length < 3) return { position: { x: 0, y: 0 }, center: imageCenter };
  const [, h, w] = layer.shape;
  const g = (await modelGeometry(model)).get(layer.tensor);
  let pos: { x: number; y: number };
  if (Array.isArray(position)) {
    const [y, x] = position as readonly [number, number];
    if (y >= h || x >= w) throw badInput('E_POSITION', `position [${y}, ${x}] is outside the ${h}×${w} map`, undefined, `use y < ${h} and x < ${w}, or "center"`);
    pos = { x, y };
  } else pos = g ? positionNearest(g, h, w, imageCenter) : centerOf(h, w);
  if (!g) return { position: pos, center: imageCenter };
  return { position: pos, center: fieldCenter(g, pos.y, pos.x), field: { jump: g.x.jump, size: g.x.size } };
}

export interface MeasureOptions {
  /** Stimuli per engine call (the engine batches inside it); bounds memory. */
  chunk?: number;
  /**
   * Run only the part of the input the probed position sees (its receptive field, cropped on the
   * layer's grid) — the same numbers for a fraction of the work. Default true; checked against a
   * full-image run on the first stimulus, with a fall-back to full images when they differ.
   */
  crop?: boolean;
  /** Never reuse cached activations of the cropped engine (for timing). */
  fresh?: boolean;
  /** Spatial reduction instead of the placement's position. */
  reduce?: 'max' | 'mean';
  /** Units to keep (default: every channel). */
  units?: readonly number[];
}

/** Responses of the layer's units to each stimulus (rendered at the model's input size). */
export async function stimulusResponses(engine: ForwardEngine, tensor: string, stimuli: readonly Stimulus[], place: Placement, opts: MeasureOptions = {}): Promise<UnitResponses & { cropped?: FieldCrop }> {
  const { width, height } = engine.model.preprocess;
  const render = (i: number) => renderStimulus(stimuli[i], { width, height, center: place.center });
  const full = (i: number) => toModelInput(render(i), engine.model.preprocess);
  if (!opts.reduce && (opts.crop ?? true) && stimuli.length > 1) {
    const crop = await fieldCrop(engine.model, tensor, place);
    if (crop && crop.w * crop.h < 0.8 * width * height) {
      const sub = croppedEngine(engine, tensor, crop, Math.max(1, opts.chunk ?? 32), opts.fresh);
      const input = (i: number) => toModelInput(cropImage(render(i), crop), sub.model.preprocess);
      const subPlace = { ...place, position: crop.position };
      // Guard: the first stimulus through both paths must agree before the crop is trusted.
      const a = await inputResponses(sub, tensor, 1, input, subPlace, { units: opts.units });
      const b = await inputResponses(engine, tensor, 1, full, place, { units: opts.units });
      let worst = 0;
      let range = 0;
      b.data.forEach((v, k) => { worst = Math.max(worst, Math.abs(v - a.data[k])); range = Math.max(range, Math.abs(v)); });
      if (worst <= 1e-4 * (1 + range)) return { ...(await inputResponses(sub, tensor, stimuli.length, input, subPlace, opts)), cropped: crop };
    }
  }
  return inputResponses(engine, tensor, stimuli.length, full, place, opts);
}

/** A grid-aligned window of the input holding one position's whole receptive field. */
export interface FieldCrop {
  x0: number;
  y0: number;
  w: number;
  h: number;
  /** The probed position in the cropped layer's grid. */
  position: { x: number; y: number };
}

/**
 * The smallest window [x0, x0 + w) × [y0, y0 + h) inside the image that contains the receptive
 * field of the placement's position and starts on a multiple of the layer's jump (so every layer
 * keeps its grid); undefined when the geometry is unknown.
 */
export async function fieldCrop(model: ImportedModel, tensor: string, place: Placement): Promise<FieldCrop | undefined> {
  const g = (await modelGeometry(model)).get(tensor);
  if (!g) return undefined;
  const { width, height } = model.preprocess;
  const axis = (a: Geometry['x'], p: number, n: number) => {
    const c = a.start + p * a.jump;
    const lo = Math.max(0, Math.floor((c - a.size / 2) / a.jump) * a.jump);
    const hi = Math.min(n, Math.ceil(c + a.size / 2));
    return { o: lo, len: hi - lo, pos: p - lo / a.jump };
  };
  const x = axis(g.x, place.position.x, width);
  const y = axis(g.y, place.position.y, height);
  if (!Number.isInteger(x.pos) || !Number.isInteger(y.pos)) return undefined;
  return { x0: x.o, y0: y.o, w: x.len, h: y.len, position: { x: x.pos, y: y.pos } };
}

export function cropImage(img: RgbImage, c: FieldCrop): RgbImage {
  const data = new Float32Array(c.w * c.h * 3);
  for (let y = 0; y < c.h; y++) data.set(img.data.subarray(((c.y0 + y) * img.width + c.x0) * 3, ((c.y0 + y) * img.width + c.x0 + c.w) * 3), y * c.w * 3);
  return { width: c.w, height: c.h, data };
}

const croppedEngines = new Map<string, ForwardEngine>();

/**
 * An engine running the model pruned to `tensor` on crop-sized inputs, cached per model, tensor,
 * crop size and device with its own activation cache — entries probing the same layer with the
 * same stimuli then share their forward passes, as entries on the main engine do. `fresh` gives a
 * new engine and cache (benchmarks must not be served from a cache).
 */
function croppedEngine(engine: ForwardEngine, tensor: string, c: FieldCrop, batchSize: number, fresh = false): ForwardEngine {
  const key = `${engine.model.net.hash}|${engine.device}|${tensor}|${c.w}x${c.h}|${batchSize}`;
  let e = fresh ? undefined : croppedEngines.get(key);
  if (!e) {
    const m = engine.model;
    const model: ImportedModel = { ...m, net: resizedNet(m, [tensor], c.h, c.w), input: { ...m.input, width: c.w, height: c.h }, preprocess: { ...m.preprocess, width: c.w, height: c.h } };
    e = createForwardEngine(model, engine.device, { cache: createActivationCache(256 * 1024 ** 2), batchSize });
    if (!fresh) {
      croppedEngines.set(key, e);
      while (croppedEngines.size > 4) croppedEngines.delete(croppedEngines.keys().next().value as string);
    }
  }
  return e;
}

/** Responses to inputs produced on demand (so only one chunk of images exists at a time). */
export async function inputResponses(engine: ForwardEngine, tensor: string, count: number, input: (i: number) => Tensor, place: Placement, opts: MeasureOptions = {}): Promise<UnitResponses> {
  const chunk = Math.max(1, opts.chunk ?? 32);
  const readout: Readout = opts.reduce ? { reduce: opts.reduce } : { at: 'position', ...place.position };
  const parts: UnitResponses[] = [];
  for (let start = 0; start < count; start += chunk) {
    const inputs: Tensor[] = [];
    for (let i = start; i < Math.min(count, start + chunk); i++) inputs.push(input(i));
    const rows = await engine.forward(inputs, [tensor]);
    for (const [t] of rows) parts.push(readUnits(t, t.dims.length === 4 ? readout : { at: 'center' }, opts.units));
  }
  if (parts.length === 0) return { items: 0, units: [...(opts.units ?? [])], data: new Float32Array(0) };
  return concatResponses(parts);
}

/** Per-unit mean and standard deviation over every position of every image: the unit's usual range. */
export interface LayerStats {
  mean: Float64Array;
  std: Float64Array;
  /** Values each statistic was taken over (images × positions). */
  samples: number;
}

export async function layerStats(engine: ForwardEngine, tensor: string, images: readonly RgbImage[], chunk = 8): Promise<LayerStats> {
  if (images.length === 0) throw badInput('E_NO_IMAGES', 'no reference images to take unit statistics over', undefined, 'give at least one image');
  let sum: Float64Array | undefined;
  let sq: Float64Array | undefined;
  let samples = 0;
  for (let start = 0; start < images.length; start += chunk) {
    const inputs = images.slice(start, start + chunk).map((im) => toModelInput(im, engine.model.preprocess));
    const rows = await engine.forward(inputs, [tensor]);
    for (const [t] of rows) {
      const c = t.dims[1];
      const plane = t.dims.length === 4 ? t.dims[2] * t.dims[3] : 1;
      sum ??= new Float64Array(c);
      sq ??= new Float64Array(c);
      for (let u = 0; u < c; u++) {
        let s = 0;
        let s2 = 0;
        for (let j = 0; j < plane; j++) {
          const v = t.data[u * plane + j];
          s += v;
          s2 += v * v;
        }
        sum[u] += s;
        sq[u] += s2;
      }
      samples += plane;
    }
  }
  const mean = sum!.map((s) => s / samples);
  const std = sq!.map((s2, u) => Math.sqrt(Math.max(0, s2 / samples - mean[u] * mean[u])));
  return { mean, std, samples };
}
