// A Target as numbers: which tensor to read, the score of each batch item from a forward pass,
// and the equivalent autodiff objective — so forward-only and gradient methods agree on "what".
// Dense targets (regions, elements, directions, detections) are weights over one item, defined
// once by the engine's `denseWeights`, which both the scores here and the gradients read.
import { sizeOf, type Tensor } from '../../engine/tensor.ts';
import { run } from '../../engine/session.ts';
import {
  channel, contrastive, denseWeights, logit, unit,
  type DenseObjective, type DenseWeights, type ElementObjective, type Fail, type Objective, type Region,
} from '../../engine/autodiff/objective.ts';
import { badInput } from '../../errors.ts';
import type { DetectionTarget, Subject, Target } from './types.ts';

/** A region target's reduction when the spec names none: the summed class score, as the issue words it. */
export const REGION_REDUCE_DEFAULT = 'sum' as const;
/** The IoU a detection must reach with the asked box when the spec names none (PASCAL VOC's match rule). */
export const DETECTION_IOU_DEFAULT = 0.5;

/** The tensor a target reads. */
export function targetTensor(subject: Subject, target: Target): string {
  if (target.kind === 'class' || target.kind === 'contrastive') {
    if (!subject.logits) {
      throw badInput('E_ATTR_TARGET', `a ${target.kind} target needs the model's logits, and this model names none`, subject.net.where,
        'target a unit or channel of a named tensor instead');
    }
    return subject.logits;
  }
  return target.tensor;
}

/** Check a target against the shape of the tensor it reads (item dims, no batch axis). */
export function checkTarget(target: Target, itemDims: readonly number[], where?: string): void {
  const fail = (msg: string, hint: string) => badInput('E_ATTR_TARGET', msg, where, hint);
  if (target.kind === 'region' || target.kind === 'element' || target.kind === 'direction') {
    denseWeights(target, itemDims, fail);
    return;
  }
  if (target.kind === 'detection') {
    checkDetection(target, itemDims, fail);
    return;
  }
  const C = itemDims[0];
  const idx = target.kind === 'class' || target.kind === 'contrastive' ? target.index : target.channel;
  if (C === undefined) throw fail(`the target tensor has no channel axis (item shape [${itemDims}])`, 'pick a tensor of shape [N, C, …]');
  if (!Number.isInteger(idx) || idx < 0 || idx >= C) {
    throw fail(`${target.kind === 'class' || target.kind === 'contrastive' ? 'class' : 'channel'} ${idx} is out of range (0…${C - 1})`, 'list classes and channels with `neurogate layers <model>`');
  }
  if (target.kind === 'contrastive') {
    if (C < 2) throw fail('a contrastive target needs at least two classes', 'use a class target');
  }
  if (target.kind === 'unit') {
    const sp = itemDims.slice(1);
    if (sp.length !== 2 && (target.y !== undefined || target.x !== undefined)) {
      throw fail(`y/x given for a tensor of item shape [${itemDims}], which has no 2-D spatial axes`, 'omit y and x');
    }
    if (sp.length === 2) {
      const [y, x] = unitPosition(target, sp);
      if (y < 0 || y >= sp[0] || x < 0 || x >= sp[1]) throw fail(`position (${y}, ${x}) is outside the ${sp[0]}×${sp[1]} map`, `use y < ${sp[0]} and x < ${sp[1]}`);
    }
  }
}

function unitPosition(t: { y?: number; x?: number }, sp: readonly number[]): [number, number] {
  return [t.y ?? Math.floor(sp[0] / 2), t.x ?? Math.floor(sp[1] / 2)];
}

/** A detection's scores are [D, K] (or [D], one class) per item; its box and IoU threshold must make sense. */
function checkDetection(t: DetectionTarget, scoreDims: readonly number[], fail: Fail): void {
  if (scoreDims.length !== 1 && scoreDims.length !== 2) {
    throw fail(`detection scores "${t.tensor}" have item shape [${scoreDims}], expected [D, K] (or [D] for one class)`, 'name the decoded per-detection class scores');
  }
  const K = scoreDims[1] ?? 1;
  if (!Number.isInteger(t.class) || t.class < 0 || t.class >= K) throw fail(`detection class ${t.class} is out of range (0…${K - 1})`, `the scores tensor has ${K} class${K === 1 ? '' : 'es'}`);
  if (!(t.iou > 0 && t.iou <= 1)) throw fail(`iou ${t.iou} is not in (0, 1]`, `the default is ${DETECTION_IOU_DEFAULT}`);
  const [y0, x0, y1, x1] = t.box;
  if (t.box.length !== 4 || !t.box.every(Number.isFinite) || !(y0 < y1 && x0 < x1)) throw fail(`box [${t.box}] is not [y0, x0, y1, x1] with y0 < y1 and x0 < x1`, 'give the box in the units of the boxes tensor');
  if (t.pick) denseWeights(detectionElement(t), scoreDims, fail);
}

/** The boxes tensor of a detection target must hold one [y0, x0, y1, x1] per scored detection. */
export function checkDetectionBoxes(t: DetectionTarget, boxDims: readonly number[], scoreDims: readonly number[], where?: string): void {
  if (boxDims.length !== 2 || boxDims[1] !== 4 || boxDims[0] !== scoreDims[0]) {
    throw badInput('E_ATTR_TARGET', `detection boxes "${t.boxes}" have item shape [${boxDims}], expected [${scoreDims[0] ?? 'D'}, 4] to match the scores [${scoreDims}]`, where,
      'name the decoded boxes, one [y0, x0, y1, x1] per detection');
  }
}

/** A chosen detection as the element of the scores it reads. */
function detectionElement(t: DetectionTarget): ElementObjective {
  if (t.pick === undefined) {
    throw badInput('E_ATTR_TARGET', 'a detection target has no detection chosen yet', undefined,
      'choose it on the unperturbed input first (fixTarget); the masks entry does this for each image');
  }
  return { kind: 'element', tensor: t.tensor, index: t.pick.index };
}

/** Dense weights per target, cached per item shape: a segmentation map's region is built once, not per batch. */
const weightCache = new WeakMap<Target, { key: string; w: DenseWeights }>();
function weightsFor(t: DenseObjective, owner: Target, item: readonly number[]): DenseWeights {
  const key = item.join(',');
  const hit = weightCache.get(owner);
  if (hit?.key === key) return hit.w;
  const w = denseWeights(t, item);
  weightCache.set(owner, { key, w });
  return w;
}

/** The target's value for each item of a batched tensor [N, …]. */
export function scoresOf(target: Target, t: Tensor): Float64Array {
  const n = t.dims[0];
  const item = t.dims.slice(1);
  const per = sizeOf(item);
  const out = new Float64Array(n);
  if (target.kind === 'region' || target.kind === 'element' || target.kind === 'direction' || target.kind === 'detection') {
    const w = weightsFor(target.kind === 'detection' ? detectionElement(target) : target, target, item);
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let k = 0; k < w.at.length; k++) v += w.weight[k] * t.data[i * per + w.at[k]];
      out[i] = v;
    }
    return out;
  }
  checkTarget(target, item);
  const C = item[0];
  const inner = per / C;
  for (let i = 0; i < n; i++) {
    const base = i * per;
    switch (target.kind) {
      case 'class':
        out[i] = sumRange(t.data, base + target.index * inner, inner);
        break;
      case 'contrastive': {
        let best = -Infinity;
        for (let c = 0; c < C; c++) if (c !== target.index) best = Math.max(best, sumRange(t.data, base + c * inner, inner));
        out[i] = sumRange(t.data, base + target.index * inner, inner) - best;
        break;
      }
      case 'unit': {
        // Any other spatial rank reads the centre of every axis, as the compiled objective does.
        const sp = item.slice(1);
        const pos = sp.length === 2 ? unitPosition(target, sp) : sp.map((d) => Math.floor(d / 2));
        out[i] = t.data[base + target.channel * inner + pos.reduce((off, p, a) => off * sp[a] + p, 0)];
        break;
      }
      case 'channel':
        out[i] = sumRange(t.data, base + target.channel * inner, inner) / inner;
        break;
    }
  }
  return out;
}

function sumRange(a: Float32Array, start: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[start + i];
  return s;
}

/** Softmax probability of the target class for each item (RISE and meaningful perturbation score classes this way). */
export function probabilitiesOf(target: Target, logits: Tensor): Float64Array {
  if (target.kind !== 'class') throw badInput('E_ATTR_TARGET', `probabilities are defined for class targets, not ${target.kind}`, undefined, 'use score: raw');
  const [n, K] = logits.dims;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, logits.data[i * K + k]);
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(logits.data[i * K + k] - m);
    out[i] = Math.exp(logits.data[i * K + target.index] - m) / s;
  }
  return out;
}

/** A short stable description for reports and params (`class 2 (Neutral)`). */
export function describeTarget(target: Target, labels?: string[]): string {
  const name = (i: number) => (labels?.[i] ? `${i} (${labels[i]})` : `${i}`);
  switch (target.kind) {
    case 'class': return `class ${name(target.index)}`;
    case 'contrastive': return `class ${name(target.index)} − best other class`;
    case 'unit': return `unit ${target.tensor}[${target.channel}${target.y !== undefined || target.x !== undefined ? ` @ ${target.y ?? 'centre'},${target.x ?? 'centre'}` : ''}]`;
    case 'channel': return `channel mean ${target.tensor}[${target.channel}]`;
    case 'region': return `${target.reduce} of ${target.tensor}[${target.channel}] over ${'box' in target.region ? `box [${target.region.box}]${target.region.units === 'fraction' ? ' (fractions)' : ''}` : `a ${target.region.mask.dims.join('×')} mask`}`;
    case 'element': return `element ${target.tensor}[${target.index}]`;
    case 'direction': return `${target.tensor} · a ${target.direction.length}-vector`;
    case 'detection': return `detection${target.pick ? ` ${target.pick.detection}` : ''} of class ${name(target.class)} at IoU ≥ ${target.iou} with box [${target.box}]${target.pick ? ` (IoU ${target.pick.iou.toFixed(3)})` : ''}`;
  }
}

/** The target as the engine's autodiff objective: the gradient methods' reading of the same value `scoresOf` computes. */
export function objectiveOf(subject: Subject, target: Target): Objective {
  const t = targetTensor(subject, target);
  switch (target.kind) {
    case 'class': return logit(t, target.index);
    case 'contrastive': return contrastive(t, target.index);
    case 'unit': return unit(t, target.channel, target.y, target.x);
    case 'channel': return channel(t, target.channel);
    case 'region':
    case 'element':
    case 'direction': return target;
    case 'detection': return detectionElement(target);
  }
}

/** Intersection over union of two [y0, x0, y1, x1] boxes (0 when either is empty). */
export function iou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ih = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const iw = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const area = (r: ArrayLike<number>) => Math.max(0, r[2] - r[0]) * Math.max(0, r[3] - r[1]);
  const inter = ih > 0 && iw > 0 ? ih * iw : 0;
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Choose a detection target's detection on one unperturbed item: the highest score of its class
 * among the boxes with IoU ≥ t against its box (the first on ties). `boxes` [1, D, 4], `scores`
 * [1, D, K] or [1, D]. No such detection is the user's to fix (another box, class or threshold).
 */
export function pickDetection(t: DetectionTarget, boxes: Tensor, scores: Tensor, where?: string): DetectionTarget {
  const scoreDims = scores.dims.slice(1);
  checkTarget(t, scoreDims, where);
  checkDetectionBoxes(t, boxes.dims.slice(1), scoreDims, where);
  const [D, K = 1] = scoreDims;
  let best = -1;
  let bestIou = 0;
  let nearest = 0;
  for (let d = 0; d < D; d++) {
    const o = iou(boxes.data.subarray(d * 4, d * 4 + 4), t.box);
    nearest = Math.max(nearest, o);
    const v = scores.data[d * K + t.class];
    if (o >= t.iou && Number.isFinite(v) && (best < 0 || v > scores.data[best * K + t.class])) {
      best = d;
      bestIou = o;
    }
  }
  if (best < 0) {
    throw badInput('E_ATTR_TARGET', `no detection of class ${t.class} overlaps box [${t.box}] with IoU ≥ ${t.iou} (of ${D} detections, the best IoU is ${nearest.toFixed(3)})`, where,
      'check the box (same units and [y0, x0, y1, x1] order as the boxes tensor), or lower `iou`');
  }
  return { ...t, pick: { detection: best, index: scoreDims.length === 2 ? [best, t.class] : [best], iou: bestIou } };
}

/** The target fixed for one input [1, C, H, W]: a detection chosen on it; every other target as it is. */
export async function fixTarget(subject: Subject, target: Target, input: Tensor): Promise<Target> {
  if (target.kind !== 'detection' || target.pick) return target;
  const res = await run(subject.net, { [subject.input]: input }, [target.boxes, target.tensor], { device: subject.device });
  return pickDetection(target, res[target.boxes], res[target.tensor], subject.net.where);
}

/** The dense target forms of a spec (`target: { tensor, … }` or `{ detection: … }`), their names as written. */
export type DenseTargetSpec =
  | { tensor: string; channel: number; region: { box: readonly [number, number, number, number]; units?: 'pixels' | 'fraction' } | { mask: string }; reduce?: 'sum' | 'mean' }
  | { tensor: string; index: readonly number[] }
  | { tensor: string; direction: readonly number[] }
  | { detection: { boxes: string; scores: string; class: number; box: readonly [number, number, number, number]; iou?: number } };

/** How a dense spec target reaches the model and the files: a layer's tensor and item shape, a mask file as [h, w]. */
export interface DenseTargetContext {
  layer: (name: string) => Promise<{ tensor: string; shape: readonly number[] }>;
  readMask: (file: string) => Tensor;
  where?: string;
}

/** A dense spec target as a Target on this model, checked against the shapes of the tensors it reads. */
export async function denseTargetFromSpec(spec: DenseTargetSpec, ctx: DenseTargetContext): Promise<Target> {
  if ('detection' in spec) {
    const d = spec.detection;
    const [scores, boxes] = [await ctx.layer(d.scores), await ctx.layer(d.boxes)];
    const t: DetectionTarget = { kind: 'detection', tensor: scores.tensor, boxes: boxes.tensor, class: d.class, box: d.box, iou: d.iou ?? DETECTION_IOU_DEFAULT };
    checkTarget(t, scores.shape, ctx.where);
    checkDetectionBoxes(t, boxes.shape, scores.shape, ctx.where);
    return t;
  }
  const layer = await ctx.layer(spec.tensor);
  let t: Target;
  if ('region' in spec) {
    const region: Region = 'mask' in spec.region ? { mask: ctx.readMask(spec.region.mask) } : spec.region;
    t = { kind: 'region', tensor: layer.tensor, channel: spec.channel, region, reduce: spec.reduce ?? REGION_REDUCE_DEFAULT };
  } else if ('index' in spec) t = { kind: 'element', tensor: layer.tensor, index: spec.index };
  else t = { kind: 'direction', tensor: layer.tensor, direction: spec.direction };
  checkTarget(t, layer.shape, ctx.where);
  return t;
}

/** A mask image as a region mask [h, w]: a pixel is inside when its grey level (the mean of R, G, B) is at least 128 of 255. */
export function maskOfImage(img: { width: number; height: number; data: Float32Array }): Tensor {
  const data = new Float32Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) data[i] = (img.data[i * 3] + img.data[i * 3 + 1] + img.data[i * 3 + 2]) / 3 >= 128 ? 1 : 0;
  return { dims: [img.height, img.width], data };
}
