// What changed inside between a baseline and a candidate model: per layer, representation
// similarity (CKA), unit matching (with each moved unit's orientation tuning before and after),
// then logit drift and attribution drift on images. Plain data out; the CLI prints and writes it.
import { runBatched, type ConcreteDevice } from '../engine/session.ts';
import { badInput } from '../errors.ts';
import { fixedBatch } from '../probe/forward.ts';
import { resolveLayer, type LayerInfo } from '../models/catalog.ts';
import type { ImportedModel } from '../models/types.ts';
import { methodFunction, subjectOf, type MethodName } from '../probes/attribution/index.ts';
import { spatial } from '../probes/attribution/maps.ts';
import { renderStimulus, type StimulusInput } from '../stimuli/index.ts';
import { toModelInput, type RgbImage } from '../stimuli/image.ts';
import { ckaFromGrams, featuresOf, gram } from './cka.ts';
import { mapDrift, type Map2d, type MapDrift } from './map-drift.ts';
import { fractionMatched, matchUnits, profilesOf, type UnitMatch } from './match.ts';

export interface DiffImage {
  label: string;
  image: RgbImage;
}

export interface DiffOptions {
  /** Layer names both models have (user-facing or tensor names), in the order to report. */
  layers: readonly string[];
  /** Natural images: part of the probe set, and where logits and attributions are compared. */
  images: readonly DiffImage[];
  /** Curve orientations swept through the centre of the input (tuning before/after); default 16. */
  orientations?: number;
  /** Seeded clutter scenes added to the probe set; default 8. */
  clutter?: number;
  /** Pool each unit's map to at most grid × grid cells for its response profile; default 4. */
  grid?: number;
  /** A unit counts as matched when its best partner correlates at least this much; default 0.8. */
  threshold?: number;
  /** Attribution methods whose maps are compared per image; default gradient. */
  methods?: readonly MethodName[];
  /** How many most-moved units to list per layer; default 5. */
  moved?: number;
  device?: ConcreteDevice;
  batchSize?: number;
  /** Called once per finished step (a forward chunk, a layer, an attribution). */
  onStep?: (label: string) => void;
}

export interface MovedUnit extends UnitMatch {
  /** Orientation (degrees) of the curve that drives the unit most at the centre, before and after. */
  peakBefore: number | null;
  peakAfter: number | null;
}

export interface LayerDiff {
  layer: string;
  units: number;
  cka: number;
  /** CKA with the unbiased HSIC estimator (small probe sets). */
  ckaDebiased: number;
  /** Fraction of baseline units matched at correlation ≥ threshold. */
  matched: number;
  meanCorrelation: number;
  silent: { baseline: number; candidate: number };
  /** The baseline units whose best match is worst, lowest correlation first. */
  moved: MovedUnit[];
  /** Every baseline unit's match, in baseline order. */
  pairs: UnitMatch[];
  /** Each unit's preferred curve orientation at the centre (null when flat), baseline and candidate numbering. */
  peaks: { baseline: (number | null)[]; candidate: (number | null)[] };
}

export interface LogitDrift {
  /** Largest |Δlogit| over images and classes. */
  maxAbs: number;
  meanAbs: number;
  /** Fraction of images whose top class is the same. */
  top1Agreement: number;
  classes: number;
}

export interface AttributionDrift {
  method: MethodName;
  images: ({ label: string; target: number } & MapDrift)[];
  mean: MapDrift;
}

export interface DiffResult {
  probe: { images: number; orientations: number; clutter: number; inputs: number; grid: number; threshold: number };
  layers: LayerDiff[];
  /** The first layer (in the order given) that changed beyond float tolerance (layerChanged), or null. */
  firstChanged: string | null;
  logits: LogitDrift | null;
  /** Logit drift was measured on clutter scenes because no images were given. */
  logitInputs: 'images' | 'clutter';
  attribution: AttributionDrift[];
  /** The compared maps themselves, for pictures (left out of the JSON: they are large). */
  maps: ComparedMaps[];
}

export interface ComparedMaps {
  method: MethodName;
  label: string;
  baseline: Map2d;
  candidate: Map2d;
}

/** CKA at least 1 − this, with every unit matched at correlation ≥ 1 − UNIT_TOLERANCE, reads as unchanged. */
export const CKA_TOLERANCE = 1e-6;
export const UNIT_TOLERANCE = 1e-4;
/** Logits may differ by float reordering between two exports of one network. */
export const LOGIT_TOLERANCE = 1e-3;

export function layerChanged(l: LayerDiff): boolean {
  return !(l.cka >= 1 - CKA_TOLERANCE) || l.pairs.some((p) => !(p.correlation >= 1 - UNIT_TOLERANCE));
}

/** Identical within float tolerance: every layer unchanged and the logits equal. */
export function isIdentical(r: DiffResult): boolean {
  return r.layers.every((l) => !layerChanged(l)) && (r.logits === null || r.logits.maxAbs <= LOGIT_TOLERANCE);
}


interface ProbeItem {
  label: string;
  render: (w: number, h: number) => RgbImage;
  orientation?: number;
}

function probeSet(images: readonly DiffImage[], orientations: number, clutter: number): ProbeItem[] {
  const items: ProbeItem[] = images.map((im) => ({ label: im.label, render: () => im.image }));
  for (let k = 0; k < orientations; k++) {
    const deg = (360 * k) / orientations;
    items.push({
      label: `curve ${deg}°`,
      orientation: deg,
      render: (w, h) => renderStimulus({ kind: 'curve', orientation: deg, radius: Math.max(4, Math.round(Math.min(w, h) / 8)), width: Math.max(2, Math.round(Math.min(w, h) / 60)) } as StimulusInput, { width: w, height: h, center: { x: w / 2, y: h / 2 } }),
    });
  }
  for (let k = 0; k < clutter; k++) {
    items.push({ label: `clutter ${k + 1}`, render: (w, h) => renderStimulus({ kind: 'blank', clutter: { strokes: 40, seed: 101 + k } } as StimulusInput, { width: w, height: h, center: { x: w / 2, y: h / 2 } }) });
  }
  return items;
}

/** One model's view of the probe set: per layer, Gram matrix, unit profiles and centre responses to the curves. */
interface Side {
  grams: Float64Array[];
  profiles: ReturnType<typeof profilesOf>[];
  centre: Float32Array[][];
  logits: Float32Array[];
}

async function observe(model: ImportedModel, layers: readonly LayerInfo[], items: readonly ProbeItem[], o: Required<Pick<DiffOptions, 'grid' | 'batchSize' | 'device'>>, logitTensor: string | undefined, step: (l: string) => void): Promise<Side> {
  const n = items.length;
  const { width, height } = model.preprocess;
  const dims = layers.map((l) => l.shape);
  const sizes = dims.map((d) => d.reduce((a, b) => a * b, 1));
  const store = sizes.map((s) => new Float32Array(n * s));
  const logits: Float32Array[] = [];
  const outputs = [...new Set([...layers.map((l) => l.tensor), ...(logitTensor ? [logitTensor] : [])])];
  for (let start = 0; start < n; start += o.batchSize) {
    const chunk = items.slice(start, start + o.batchSize).map((it) => toModelInput(it.render(width, height), model.preprocess));
    const res = await runBatched(model.net, model.input.name, chunk, outputs, { batchSize: o.batchSize, device: o.device });
    layers.forEach((l, li) => res[l.tensor].forEach((t, k) => store[li].set(t.data, (start + k) * sizes[li])));
    if (logitTensor) for (const t of res[logitTensor]) logits.push(Float32Array.from(t.data));
    step(`${model.net.where}: ${Math.min(n, start + o.batchSize)}/${n} inputs`);
  }
  const curveIdx = items.flatMap((it, i) => (it.orientation === undefined ? [] : [i]));
  const grams: Float64Array[] = [];
  const profiles: ReturnType<typeof profilesOf>[] = [];
  const centre: Float32Array[][] = [];
  layers.forEach((l, li) => {
    const d = dims[li];
    grams.push(gram(featuresOf([n, ...d], store[li])));
    profiles.push(profilesOf([n, ...d], store[li], o.grid));
    const [c, h = 1, w = 1] = d;
    const at = Math.floor(h / 2) * w + Math.floor(w / 2);
    centre.push(Array.from({ length: c }, (_, u) => Float32Array.from(curveIdx, (i) => store[li][i * sizes[li] + u * h * w + at])));
    store[li] = new Float32Array(0); // free as we go: wide layers × many inputs add up
  });
  return { grams, profiles, centre, logits };
}

function peakOf(responses: Float32Array | undefined, orientations: readonly number[]): number | null {
  if (!responses || responses.length === 0) return null;
  let best = 0;
  for (let i = 1; i < responses.length; i++) if (responses[i] > responses[best]) best = i;
  return responses[best] > responses.reduce((a, b) => Math.min(a, b), Infinity) ? orientations[best] : null;
}

/** Both models, the same layers by name: check they exist in each with the same shape. */
async function commonLayers(a: ImportedModel, b: ImportedModel, names: readonly string[]): Promise<[LayerInfo[], LayerInfo[]]> {
  if (names.length === 0) throw badInput('E_ARGS', 'no layers to compare', '--layers', 'name layers both models have (`neurogate layers <model>` lists them)');
  const la: LayerInfo[] = [];
  const lb: LayerInfo[] = [];
  for (const name of names) {
    const x = await resolveLayer(a, name, `baseline ${a.net.where}`);
    const y = await resolveLayer(b, name, `candidate ${b.net.where}`);
    if (x.shape.join('x') !== y.shape.join('x')) throw badInput('E_DIFF_SHAPE', `layer "${name}" is [${x.shape.join(', ')}] in the baseline and [${y.shape.join(', ')}] in the candidate`, '--layers', 'diff compares two versions of one architecture: pick layers of equal shape');
    la.push(x);
    lb.push(y);
  }
  return [la, lb];
}

export async function diffModels(baseline: ImportedModel, candidate: ImportedModel, opts: DiffOptions): Promise<DiffResult> {
  // Exporters that write a fixed batch of 1 into the input (torch.onnx dynamo) get one input per run.
  const batch = opts.batchSize ?? 8;
  const o = { grid: opts.grid ?? 4, batchSize: Math.min(batch, fixedBatch(baseline) ?? batch, fixedBatch(candidate) ?? batch), device: opts.device ?? 'cpu' as ConcreteDevice };
  const orientations = opts.orientations ?? 16;
  const clutter = opts.clutter ?? 8;
  const threshold = opts.threshold ?? 0.8;
  const methods = opts.methods ?? ['gradient'];
  const step = opts.onStep ?? (() => {});
  const [la, lb] = await commonLayers(baseline, candidate, opts.layers);
  const items = probeSet(opts.images, orientations, clutter);
  if (items.length < 4) throw badInput('E_ARGS', `the probe set has ${items.length} inputs; CKA needs at least 4`, undefined, 'add images or keep the default stimuli');
  const logitA = baseline.logits ?? baseline.probabilities;
  const logitB = candidate.logits ?? candidate.probabilities;
  const logitTensor = logitA && logitB ? [logitA, logitB] : undefined;
  const sa = await observe(baseline, la, items, o, logitTensor?.[0], step);
  const sb = await observe(candidate, lb, items, o, logitTensor?.[1], step);
  const angles = items.flatMap((it) => (it.orientation === undefined ? [] : [it.orientation]));
  const n = items.length;

  const layers: LayerDiff[] = la.map((l, li) => {
    const m = matchUnits(sa.profiles[li], sb.profiles[li]);
    const order = [...m.pairs].sort((p, q) => p.correlation - q.correlation || p.baseline - q.baseline);
    const moved = order.slice(0, opts.moved ?? 5).map((p): MovedUnit => ({ ...p, peakBefore: peakOf(sa.centre[li][p.baseline], angles), peakAfter: p.candidate >= 0 ? peakOf(sb.centre[li][p.candidate], angles) : null }));
    const result: LayerDiff = {
      layer: l.name,
      units: l.shape[0] ?? 1,
      cka: ckaFromGrams(sa.grams[li], sb.grams[li], n),
      ckaDebiased: ckaFromGrams(sa.grams[li], sb.grams[li], n, { debiased: true }),
      matched: fractionMatched(m, threshold),
      meanCorrelation: m.pairs.reduce((s, p) => s + p.correlation, 0) / Math.max(1, m.pairs.length),
      silent: m.silent,
      moved,
      pairs: m.pairs,
      peaks: { baseline: sa.centre[li].map((c) => peakOf(c, angles)), candidate: sb.centre[li].map((c) => peakOf(c, angles)) },
    };
    step(`layer ${l.name}`);
    return result;
  });
  const firstChanged = layers.find(layerChanged)?.layer ?? null;

  // Logits and attributions on the images, or on the clutter scenes when no images were given.
  const onImages = opts.images.length > 0;
  const scoreIdx = onImages ? opts.images.map((_, i) => i) : items.flatMap((it, i) => (it.label.startsWith('clutter') ? [i] : []));
  let logits: LogitDrift | null = null;
  if (logitTensor) {
    let maxAbs = 0, sum = 0, count = 0, agree = 0;
    for (const i of scoreIdx) {
      const a = sa.logits[i];
      const b = sb.logits[i];
      if (a.length !== b.length) throw badInput('E_DIFF_SHAPE', `the models have ${a.length} and ${b.length} classes`, undefined, 'diff compares two versions of one model');
      for (let k = 0; k < a.length; k++) { const d = Math.abs(a[k] - b[k]); maxAbs = Math.max(maxAbs, d); sum += d; count++; }
      if (argmax(a) === argmax(b)) agree++;
    }
    logits = { maxAbs, meanAbs: sum / Math.max(1, count), top1Agreement: agree / Math.max(1, scoreIdx.length), classes: sa.logits[0]?.length ?? 0 };
  }

  const attribution: AttributionDrift[] = [];
  const maps: ComparedMaps[] = [];
  if (baseline.logits && candidate.logits && methods.length > 0) {
    const subA = subjectOf(baseline, { device: o.device, batchSize: o.batchSize });
    const subB = subjectOf(candidate, { device: o.device, batchSize: o.batchSize });
    for (const method of methods) {
      const rows: AttributionDrift['images'] = [];
      for (const i of scoreIdx) {
        const target = argmax(sa.logits[i]);
        const mapOf = async (model: ImportedModel, sub: typeof subA) => {
          const input = toModelInput(items[i].render(model.preprocess.width, model.preprocess.height), model.preprocess);
          const a = await methodFunction(method)(sub, input, { kind: 'class', index: target });
          const m = spatial(a.masks?.[0]?.mask ?? a.map, 'abs_sum');
          return { height: m.dims[0], width: m.dims[1], data: m.data };
        };
        const pair = { method, label: items[i].label, baseline: await mapOf(baseline, subA), candidate: await mapOf(candidate, subB) };
        maps.push(pair);
        rows.push({ label: items[i].label, target, ...mapDrift(pair.baseline, pair.candidate) });
        step(`${method} ${items[i].label}`);
      }
      const mean = (k: keyof MapDrift) => rows.reduce((s, r) => s + r[k], 0) / Math.max(1, rows.length);
      attribution.push({ method, images: rows, mean: { spearman: mean('spearman'), topIou: mean('topIou'), ssim: mean('ssim') } });
    }
  }
  return {
    probe: { images: opts.images.length, orientations, clutter, inputs: n, grid: o.grid, threshold },
    layers, firstChanged, logits, logitInputs: onImages ? 'images' : 'clutter', attribution, maps,
  };
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** How many steps onStep will be called with, for a progress bar. */
export function diffSteps(baseline: ImportedModel, candidate: ImportedModel, opts: Pick<DiffOptions, 'images' | 'layers' | 'orientations' | 'clutter' | 'methods' | 'batchSize'>): number {
  const n = opts.images.length + (opts.orientations ?? 16) + (opts.clutter ?? 8);
  const batch = opts.batchSize ?? 8;
  const chunks = Math.ceil(n / Math.min(batch, fixedBatch(baseline) ?? batch, fixedBatch(candidate) ?? batch));
  const scored = opts.images.length > 0 ? opts.images.length : (opts.clutter ?? 8);
  const attributions = baseline.logits && candidate.logits ? (opts.methods ?? ['gradient']).length * scored : 0;
  return 2 * chunks + opts.layers.length + attributions;
}
