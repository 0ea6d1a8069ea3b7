// The plain activation probe: how strongly units of a layer respond to images, read at the map
// centre, at a position, or reduced over space; optionally under seeded pixel noise.
import type { Tensor } from '../../engine/tensor.ts';
import { badInput } from '../../errors.ts';
import type { Artifact } from '../../probe/measurement.ts';
import type { ForwardEngine } from '../../probe/forward.ts';
import type { Probe, ProbeOutput } from '../../probe/probe.ts';
import { encodePng, resize, toModelInput, type RgbImage } from '../../stimuli/image.ts';
import { normal, type Rng } from '../../util/rng.ts';
import { centerOf, readUnits, type Readout } from './readout.ts';
import { inBatches, isImageStream, type ImageStream } from '../../datasets/stream.ts';
import type { ProbeContext } from '../../probe/probe.ts';
import { stateOf, type AggregateState } from '../../datasets/mergeable.ts';

export interface ActivationParams {
  /** The layer as the catalog knows it; `shape` excludes the batch axis ([C, H, W] or [C]). */
  layer: { name: string; tensor: string; shape: readonly number[] };
  units: readonly number[];
  /** A list, or a dataset's images decoded a batch at a time. */
  images: readonly { label: string; image: RgbImage }[] | ImageStream<{ label: string; image: RgbImage }>;
  /** Keep the k images each unit responds to most (dataset examples). */
  top?: number;
  /** [y, x] in the layer's grid, or the centre (default). Ignored for layers without a grid. */
  position?: 'center' | readonly [number, number];
  reduce?: 'max' | 'mean';
  /** Gaussian pixel noise (0..255 scale) added to every image at the model's input size, before preprocessing. */
  noise?: { std: number };
}

export const ACTIVATION_METRICS = ['activation', 'activation.mean', 'activation.min', 'activation.max'] as const;

/** Thumbnails in the report: enough to see what was fed, small enough to keep reports light. */
const MAX_THUMBS = 4;
const THUMB = 96;

export const activationProbe: Probe<ActivationParams> = {
  kind: 'neurons.activation',
  metrics: ACTIVATION_METRICS,
  run: measureActivation,
};

export async function measureActivation(p: ActivationParams, engine: ForwardEngine, rng: Rng, run: ProbeContext = {}): Promise<ProbeOutput> {
  const readout = readoutOf(p);
  const { width, height } = engine.model.preprocess;
  const values: number[] = [];
  const cases: string[] = [];
  const labels: string[] = [];
  const thumbs: { label: string; image: RgbImage }[] = [];
  const top = p.units.map(() => [] as { value: number; label: string; image: RgbImage }[]);
  // A dataset may be one part of an entry split across shards (`--shard`): image i of the part is
  // image offset + i of the whole, and only the whole's first images get thumbnails.
  const offset = isImageStream(p.images) ? p.images.offset ?? 0 : 0;
  // One engine batch at a time: a dataset source never holds more decoded images than that.
  for await (const batch of inBatches(p.images, engine.batchSize)) {
    // Noise goes on the pixels the model sees: added before resizing, it would be averaged away.
    const sized = batch.map((im) => ({ ...im, image: atSize(im.image, width, height) }));
    const images = p.noise ? sized.map((im) => ({ ...im, image: withNoise(im.image, p.noise!.std, rng) })) : sized;
    const rows = await engine.forward(images.map((im) => toModelInput(im.image, engine.model.preprocess)), [p.layer.tensor], { keep: !isImageStream(p.images) });
    rows.forEach(([t], i) => {
      checkShape(t, p);
      // The pixels fed (noise included) are what the saved activations belong to.
      run.saveActivation?.(images[i].label, p.layer.name, t);
      const r = readUnits(t, readout, p.units);
      for (let k = 0; k < p.units.length; k++) {
        values.push(r.data[k]);
        cases.push(`${images[i].label} · unit ${p.units[k]}`);
        if (p.top) keepTop(top[k], p.top, { value: r.data[k], label: images[i].label, image: images[i].image });
      }
      labels.push(images[i].label);
      if (offset + labels.length <= MAX_THUMBS) thumbs.push(images[i]);
    });
    run.images?.(labels.length, p.images.length);
  }
  const finite = values.filter(Number.isFinite);
  const stat = (f: (xs: number[]) => number) => (finite.length === values.length && values.length ? f(values) : null);
  const measurements = {
    activation: values.length === 1 ? values[0] : values,
    'activation.mean': stat((xs) => xs.reduce((s, x) => s + x, 0) / xs.length),
    'activation.min': stat((xs) => Math.min(...xs)),
    'activation.max': stat((xs) => Math.max(...xs)),
  };
  // What merge-reports needs to make the three statistics of a split dataset (a non-finite value voids them, as above).
  const states: Record<string, AggregateState> = {};
  if (isImageStream(p.images)) for (const by of ['mean', 'min', 'max'] as const) states[`activation.${by}`] = stateOf(values, by, true);
  const artifacts: Artifact[] = [
    { type: 'table', name: 'activations', caption: `${p.layer.name}: ${describeReadout(readout, p.layer.shape)}`, columns: ['image', 'unit', 'activation'],
      rows: values.map((v, i) => [labels[Math.floor(i / p.units.length)], p.units[i % p.units.length], Number.isFinite(v) ? v : null]) },
    ...thumbs.map((im, i) => thumbnail(`input-${i + 1}`, `${im.label}${p.noise ? ` + noise σ ${p.noise.std}` : ''}`, im.image)),
  ];
  if (p.top) {
    artifacts.push({ type: 'table', name: 'top-images', caption: `${p.layer.name}: the ${p.top} images each unit responds to most`, columns: ['unit', 'rank', 'image', 'activation'],
      rows: top.flatMap((list, k) => list.map((t, r) => [p.units[k], r + 1, t.label, t.value])) });
    // The dataset examples as an atlas: one row per unit, its top images read across.
    artifacts.push({ type: 'atlas', name: 'atlas', caption: `${p.layer.name}: the ${Math.min(p.top, MAX_THUMBS)} images each unit responds to most`, columns: ['unit', 'top examples'],
      rows: top.map((list, k) => [`unit ${p.units[k]}`, list.slice(0, MAX_THUMBS).map((t, r) => {
        const a = thumbnail('', `#${r + 1}: ${t.label} (${t.value.toPrecision(4)})`, t.image) as Extract<Artifact, { type: 'image' }>;
        return { pngBase64: a.pngBase64, width: a.width, height: a.height, caption: a.caption };
      })]) });
  }
  return {
    measurements,
    ...(Object.keys(states).length && { states }),
    cases,
    artifacts,
    params: {
      layer: p.layer.name,
      tensor: p.layer.tensor,
      shape: [...p.layer.shape],
      units: [...p.units],
      images: labels,
      ...(p.top && { top: p.top }),
      readout: readoutParams(readout, p.layer.shape),
      noise: p.noise ? { std: p.noise.std } : null,
      input: { width: engine.model.preprocess.width, height: engine.model.preprocess.height },
    },
  };
}

function thumbnail(name: string, caption: string, image: RgbImage): Artifact {
  const scale = Math.min(1, THUMB / Math.max(image.width, image.height));
  const w = Math.max(1, Math.round(image.width * scale));
  const h = Math.max(1, Math.round(image.height * scale));
  return { type: 'image', name, caption, pngBase64: encodePng(resize(image, w, h)).toString('base64'), width: w, height: h };
}

/** Keeps `list` the k largest finite values seen, largest first (ties: the earlier image first). */
export function keepTop<T extends { value: number }>(list: T[], k: number, item: T): void {
  if (!Number.isFinite(item.value)) return;
  if (list.length === k && item.value <= list[k - 1].value) return;
  let i = list.length;
  while (i > 0 && list[i - 1].value < item.value) i--;
  list.splice(i, 0, item);
  if (list.length > k) list.pop();
}

function readoutOf(p: ActivationParams): Readout {
  if (p.reduce) return { reduce: p.reduce };
  if (p.position && p.position !== 'center') return { at: 'position', y: p.position[0], x: p.position[1] };
  return { at: 'center' };
}

function readoutParams(r: Readout, shape: readonly number[]): Record<string, unknown> {
  if ('reduce' in r) return { reduce: r.reduce };
  if (shape.length < 3) return { at: 'no spatial grid' };
  const at = r.at === 'center' ? centerOf(shape[1], shape[2]) : r;
  return { at: r.at, y: at.y, x: at.x };
}

function describeReadout(r: Readout, shape: readonly number[]): string {
  if ('reduce' in r) return `${r.reduce} over the ${shape.slice(1).join('×')} map`;
  if (shape.length < 3) return 'one value per unit';
  const at = r.at === 'center' ? centerOf(shape[1], shape[2]) : r;
  return `at ${r.at === 'center' ? 'the centre ' : ''}[y ${at.y}, x ${at.x}] of the ${shape.slice(1).join('×')} map`;
}

/** Boundary check: the units and position must exist in the tapped tensor. */
function checkShape(t: Tensor, p: ActivationParams): void {
  const [, c, h, w] = t.dims;
  const bad = p.units.find((u) => u >= c);
  if (bad !== undefined) throw badInput('E_NO_UNIT', `unit ${bad} does not exist in layer "${p.layer.name}" (it has ${c} channels)`, undefined, `pick units 0..${c - 1}`);
  if (p.position && p.position !== 'center' && !p.reduce) {
    if (t.dims.length !== 4) throw badInput('E_POSITION', `layer "${p.layer.name}" has no spatial grid (shape [${t.dims.slice(1)}]), so position does not apply`, undefined, 'remove `position:`');
    const [y, x] = p.position;
    if (y >= h || x >= w) throw badInput('E_POSITION', `position [${y}, ${x}] is outside the ${h}×${w} map of layer "${p.layer.name}"`, undefined, `use y < ${h} and x < ${w}, or "center"`);
  }
}

/** Resized copies, kept per source image: repeats and baseline runs reuse them. */
const resized = new WeakMap<RgbImage, Map<string, RgbImage>>();

function atSize(img: RgbImage, width: number, height: number): RgbImage {
  let bySize = resized.get(img);
  if (!bySize) resized.set(img, (bySize = new Map()));
  const key = `${width}x${height}`;
  let out = bySize.get(key);
  if (!out) bySize.set(key, (out = resize(img, width, height)));
  return out;
}

function withNoise(img: RgbImage, std: number, rng: Rng): RgbImage {
  const data = new Float32Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.max(0, img.data[i] + std * normal(rng)));
  return { width: img.width, height: img.height, data };
}
