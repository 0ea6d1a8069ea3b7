// A masks entry over a dataset: the rules its source must meet (labels for `target: label`, boxes or
// masks for a box-less pointing game, aggregates of metrics that exist), and its items as the
// probe's images — boxes and masks carried into model-input pixels.
import type { Tensor } from '../../engine/tensor.ts';
import { entryDataset } from '../../datasets/entry.ts';
import type { DatasetItem } from '../../datasets/source.ts';
import type { ImageSource } from '../../probe/kind.ts';
import type { RgbImage } from '../../stimuli/image.ts';
import { didYouMean, type SpecIssue } from '../../suite/issues.ts';
import type { LoadedSpec } from '../../suite/spec.ts';
import type { PathSegment } from '../../suite/yaml.ts';
import type { Box } from './metrics/localisation/pointing.ts';
import { MASK_METRICS, type MaskEntry } from './schema.ts';

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
  const pointing = entry.measure?.pointing;
  if (pointing && !pointing.box) {
    const bare = ds.items.find((it) => it.boxes.length === 0 && !it.maskFile && !it.mask);
    if (bare) out.push(spec.issue([...p, 'measure', 'pointing'], `the pointing game needs a box, but ${bare.where ?? bare.name} has no boxes and no mask`, 'set `box:` here, or give boxes (or masks) per image in a manifest'));
  }
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

/** The entry's items decoded (through the run's checked image loading) with boxes and masks at the model's input size. */
export function masksImages(spec: LoadedSpec, p: PathSegment[], entry: MaskEntry, images: ImageSource, input: { width: number; height: number }, modelLabels: readonly string[] | undefined): { images: MaskImage[]; labels?: readonly string[] } | undefined {
  const ds = entryDataset(spec, p, entry);
  const labels = ds.labels ?? modelLabels;
  const out: MaskImage[] = [];
  let failed = false;
  ds.items.forEach((it, i) => {
    const image = it.image ?? images(it.abs!, ds.at[i]);
    if (!image) {
      failed = true;
      return;
    }
    const m: MaskImage = { label: it.name, image };
    if (it.label !== undefined) {
      m.classIndex = typeof it.label === 'number' ? it.label : labels?.indexOf(it.label);
      if (m.classIndex === -1) m.classIndex = undefined;
      m.className = typeof it.label === 'string' ? it.label : labels?.[it.label] ?? String(it.label);
    }
    const sx = input.width / image.width;
    const sy = input.height / image.height;
    if (it.boxes.length) m.boxes = it.boxes.map((b) => scaleBox(b, sx, sy, input));
    const gt = it.mask ?? (it.maskFile ? maskOf(images(it.maskFile, ds.at[i])) : undefined);
    if (it.maskFile && !gt) failed = true;
    if (gt) m.mask = nearest(gt, input.width, input.height);
    if (it.tags.length) m.tags = it.tags;
    if (it.difficult) m.difficult = true;
    out.push(m);
  });
  return failed ? undefined : { images: out, labels };
}

/** An inclusive box under a stretch resize: the input pixels whose centres fall inside the box's span. */
export function scaleBox(b: Box, sx: number, sy: number, input: { width: number; height: number }): Box {
  const lo = (v: number, s: number) => Math.max(0, Math.floor(v * s));
  const hi = (v: number, s: number, n: number) => Math.min(n - 1, Math.max(0, Math.ceil((v + 1) * s) - 1));
  return [lo(b[0], sx), lo(b[1], sy), hi(b[2], sx, input.width), hi(b[3], sy, input.height)];
}

function maskOf(img: RgbImage | undefined): Tensor | undefined {
  if (!img) return undefined;
  const hw = img.width * img.height;
  const data = new Float32Array(hw);
  for (let i = 0; i < hw; i++) data[i] = img.data[i * 3] + img.data[i * 3 + 1] + img.data[i * 3 + 2] > 3 * 127.5 ? 1 : 0;
  return { dims: [img.height, img.width], data };
}

/** Nearest-neighbour resize of a 0/1 mask (keeps it binary). */
function nearest(m: Tensor, W: number, H: number): Tensor {
  const [h, w] = m.dims;
  if (h === H && w === W) return m;
  const data = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const yy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / H));
    for (let x = 0; x < W; x++) data[y * W + x] = m.data[yy * w + Math.min(w - 1, Math.floor(((x + 0.5) * w) / W))];
  }
  return { dims: [H, W], data };
}
