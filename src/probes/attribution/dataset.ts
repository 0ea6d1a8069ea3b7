// A masks entry over a dataset: the rules its source must meet (labels for `target: label`, boxes or
// masks for a box-less pointing game, aggregates of metrics that exist), and its items as the
// probe's images — boxes and masks carried into model-input pixels.
import type { Tensor } from '../../engine/tensor.ts';
import { entryDataset } from '../../datasets/entry.ts';
import { headersReadable } from '../../datasets/decode.ts';
import type { DatasetItem } from '../../datasets/source.ts';
import type { ImagePart, ImageSource } from '../../probe/kind.ts';
import { readImage, type RgbImage } from '../../stimuli/image.ts';
import type { ImageStream } from '../../datasets/stream.ts';
import { specRoot } from '../../suite/paths.ts';
import { fitGeometry, type FitGeometry } from '../../stimuli/fit.ts';
import type { Preprocess } from '../../models/types.ts';
import { didYouMean, type SpecIssue } from '../../suite/issues.ts';
import type { LoadedSpec } from '../../suite/spec.ts';
import type { PathSegment } from '../../suite/yaml.ts';
import type { Box } from './metrics/localisation/pointing.ts';
import type { MaskEntry } from './schema.ts';
import { maskMetricNames } from './metrics/index.ts';
import { DATASET_METRICS } from './dataset-metrics.ts';

/** One image of a masks entry with what its source knows about it, in model-input pixels. */
export interface MaskImage {
  label: string;
  image: RgbImage;
  /** The ground-truth class (index into the model's output), when the source gives one. */
  classIndex?: number;
  /** The class as the source names it (slices use it). */
  className?: string;
  boxes?: Box[];
  mask?: Tensor;
  tags?: string[];
  difficult?: boolean;
  /** The image's attribution map read from a file (method `file`), checked against the model input. */
  map?: Tensor;
}

export function masksDatasetIssues(spec: LoadedSpec, p: PathSegment[], entry: MaskEntry): SpecIssue[] {
  const ds = entryDataset(spec, p, entry);
  const out = [...ds.issues];
  if (out.length) return out;
  const unlabelled = ds.items.find((it) => it.label === undefined);
  const needLabel = (what: string, at: PathSegment[]) => {
    if (unlabelled) out.push(spec.issue(at, `${what} needs every image's class label, but ${unlabelled.where ?? unlabelled.name} has none`, 'give images through a manifest with a `label` column, or generated `scenes:`'));
  };
  if (entry.target === 'label') needLabel('`target: label`', [...p, 'target']);
  const pointing = entry.measure?.pointing as { box?: unknown } | undefined;
  if (pointing && !pointing.box) {
    const bare = ds.items.find((it) => it.boxes.length === 0 && !it.maskFile && !it.generate);
    if (bare) out.push(spec.issue([...p, 'measure', 'pointing'], `the pointing game needs a box, but ${bare.where ?? bare.name} has no boxes and no mask`, 'set `box:` here, or give boxes (or masks) per image in a manifest'));
  }
  const MASK_METRICS = [...maskMetricNames(), ...DATASET_METRICS];
  for (const [name, a] of Object.entries(entry.aggregate ?? {})) {
    const ap = [...p, 'aggregate', name];
    if (!(MASK_METRICS as readonly string[]).includes(a.of) || a.of === 'heatmap') {
      const guess = didYouMean(a.of, MASK_METRICS);
      out.push(spec.issue([...ap, 'of'], `no per-image metric \`${a.of}\``, guess ? `did you mean \`${guess}\`?` : `one of: ${MASK_METRICS.join(', ')}`));
    }
    if ((MASK_METRICS as readonly string[]).includes(name)) out.push(spec.issue(ap, `\`${name}\` is already a metric of masks entries`, 'give the aggregate another name', true));
    if (a.slice === 'label') needLabel('`slice: label`', [...ap, 'slice']);
  }
  return out;
}

/** What a masks entry's prepared images are: decoded (a list of paths) or decoded a batch at a time (a dataset source). */
export type MaskImages = readonly MaskImage[] | ImageStream<MaskImage>;

/**
 * The entry's items with boxes and masks at the model's input size. A list of paths is decoded now
 * (through the run's checked image loading, errors at the spec's line); a folder, glob, manifest or
 * scene source streams: each image is decoded when the probe reaches it and dropped after its batch,
 * its size checked now from its header. `info` holds what is known without pixels (labels, tags).
 */
export function masksImages(spec: LoadedSpec, p: PathSegment[], entry: MaskEntry, images: ImageSource, input: Pick<Preprocess, 'width' | 'height' | 'resize'>, modelLabels: readonly string[] | undefined, policy: { allowOutside?: boolean } = {}, part?: ImagePart): { images: MaskImages; info: MaskInfo[]; labels?: readonly string[] } | undefined {
  const ds = entryDataset(spec, p, entry);
  const labels = ds.labels ?? modelLabels;
  const info = ds.items.map((it) => infoOf(it, labels));
  const place = { root: specRoot(spec.dir), allowOutside: policy.allowOutside };
  const build = (it: DatasetItem, i: number, image: RgbImage, gt: Tensor | undefined): MaskImage => {
    const m: MaskImage = { ...info[i], image };
    const g = fitGeometry(image.width, image.height, input.width, input.height, input.resize);
    if (it.boxes.length) m.boxes = it.boxes.map((b) => mapBox(b, g, input)).filter((b): b is Box => b !== undefined);
    if (gt) m.mask = mapMask(gt, g, input.width, input.height);
    return m;
  };
  if (entry.images !== undefined && !Array.isArray(entry.images)) {
    // Headers only now; pixels when the probe reaches the image.
    if (!headersReadable(ds, images, place)) return undefined;
    // One shard's part of the images (every shard checked all headers above, so all fail alike).
    const from = part?.from ?? 0;
    const stream: ImageStream<MaskImage> = {
      length: (part?.to ?? ds.items.length) - from,
      offset: from,
      load(k) {
        const i = from + k;
        const it = ds.items[i];
        if (it.generate) {
          const g = it.generate();
          return build(it, i, g.image, g.mask);
        }
        const image = readImage(it.abs!, undefined, place);
        const gt = it.maskFile ? maskOf(readImage(it.maskFile, undefined, place)) : undefined;
        return build(it, i, image, gt);
      },
    };
    return { images: stream, info, labels };
  }
  const out: MaskImage[] = [];
  let failed = false;
  ds.items.forEach((it, i) => {
    const image = images(it.abs!, ds.at[i]);
    if (!image) {
      failed = true;
      return;
    }
    const gt = it.maskFile ? maskOf(images(it.maskFile, ds.at[i])) : undefined;
    if (it.maskFile && !gt) failed = true;
    out.push(build(it, i, image, gt));
  });
  return failed ? undefined : { images: out, info, labels };
}

/** What a masks image is known by before its pixels: its name, class and tags. */
export type MaskInfo = Omit<MaskImage, 'image' | 'boxes' | 'mask'>;

function infoOf(it: DatasetItem, labels: readonly string[] | undefined): MaskInfo {
  const m: MaskInfo = { label: it.name };
  if (it.label !== undefined) {
    m.classIndex = typeof it.label === 'number' ? it.label : labels?.indexOf(it.label);
    if (m.classIndex === -1) m.classIndex = undefined;
    m.className = typeof it.label === 'string' ? it.label : labels?.[it.label] ?? String(it.label);
  }
  if (it.tags.length) m.tags = it.tags;
  if (it.difficult) m.difficult = true;
  return m;
}

/** An inclusive box in input pixels: those whose span the mapped box covers; undefined when cropped away. */
export function mapBox(b: Box, g: FitGeometry, input: { width: number; height: number }): Box | undefined {
  // Edges that land on a pixel boundary up to rounding (325 · 48/325) stay on it.
  const lo = (v: number) => Math.floor(v + 1e-9);
  const hi = (v: number) => Math.ceil(v - 1e-9) - 1;
  const x0 = Math.max(0, lo(b[0] * g.sx + g.ox));
  const y0 = Math.max(0, lo(b[1] * g.sy + g.oy));
  const x1 = Math.min(input.width - 1, hi((b[2] + 1) * g.sx + g.ox));
  const y1 = Math.min(input.height - 1, hi((b[3] + 1) * g.sy + g.oy));
  return x0 <= x1 && y0 <= y1 ? [x0, y0, x1, y1] : undefined;
}

function maskOf(img: RgbImage | undefined): Tensor | undefined {
  if (!img) return undefined;
  const hw = img.width * img.height;
  const data = new Float32Array(hw);
  for (let i = 0; i < hw; i++) data[i] = img.data[i * 3] + img.data[i * 3 + 1] + img.data[i * 3 + 2] > 3 * 127.5 ? 1 : 0;
  return { dims: [img.height, img.width], data };
}

/** A 0/1 mask carried to input pixels by nearest sampling through the geometry (outside: 0). */
function mapMask(m: Tensor, g: FitGeometry, W: number, H: number): Tensor {
  const [h, w] = m.dims;
  const data = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const yy = Math.floor((y + 0.5 - g.oy) / g.sy);
    if (yy < 0 || yy >= h) continue;
    for (let x = 0; x < W; x++) {
      const xx = Math.floor((x + 0.5 - g.ox) / g.sx);
      if (xx >= 0 && xx < w) data[y * W + x] = m.data[yy * w + xx];
    }
  }
  return { dims: [H, W], data };
}
