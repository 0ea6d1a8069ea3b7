// The `masks` probe for the runner: per image, run one attribution method on its target, measure
// what the spec asks (areas and kept scores, completeness, deletion / insertion AUC against a
// random map, pointing, randomisation, sensitivity, infidelity, determinism), draw heatmaps.
// Also turns a spec entry's target and method into the plain parameters the probe takes.
import { isFlat } from '../../probe/uninformative.ts';
import type { Tensor } from '../../engine/tensor.ts';
import { badInput } from '../../errors.ts';
import { resolveLayer } from '../../models/catalog.ts';
import type { ImportedModel } from '../../models/types.ts';
import type { Artifact, Measurement } from '../../probe/measurement.ts';
import type { ForwardEngine } from '../../probe/forward.ts';
import type { Probe, ProbeOutput } from '../../probe/probe.ts';
import { toModelInput, fitToInput, readImage, type RgbImage } from '../../stimuli/image.ts';
import { specRoot } from '../../suite/paths.ts';
import path from 'node:path';
import { forkRng, makeRng, type Rng } from '../../util/rng.ts';
import { scoreOne } from './forward.ts';
import { methodFunction } from './index.ts';
import { optionsFromSpec } from './method.ts';
import { metricOptions, type AreaCase, type MetricContext } from './metric.ts';
import { maskMetricNames, maskMetrics } from './metrics/index.ts';
import { totalVariation } from './metrics/simple.ts';
import { methodNamed } from './methods/index.ts';
import { colourMap, heatmapArtifact, type OverlayOptions } from '../../report/overlay.ts';
import { type MaskMeasureSpec, type MaskMethodSpec, type MaskTargetSpec } from './schema.ts';
import { spatial } from './maps.ts';
import { subjectOf } from './subject.ts';
import { denseTargetFromSpec, describeTarget, fixTarget, maskOfImage } from './target.ts';
import type { Attribution, MethodName, Subject, Target } from './types.ts';
import type { MaskImages } from './dataset.ts';
import { inBatches, isImageStream } from '../../datasets/stream.ts';
import type { ProbeContext } from '../../probe/probe.ts';
import { DATASET_METRICS, datasetMetrics, type PerImage } from './dataset-metrics.ts';
import type { AggregateSpec } from '../../datasets/aggregate.ts';
import type { MaxPoolTies } from '../../engine/autodiff/rules/pool.ts';

export interface MaskParams {
  /** A list, or a dataset's images decoded a batch at a time. */
  images: MaskImages;
  /** Resolved target, 'top' for each image's predicted class, 'label' for each image's own class. */
  target: Target | 'top' | 'label';
  /** Class names the reports use (the suite's `labels:`, else the model's). */
  labels?: readonly string[];
  aggregate?: Record<string, AggregateSpec>;
  /** Measure top-1 / top-5 accuracy against each image's class (one more forward pass per image). */
  accuracy?: boolean;
  method: { name: MethodName; options: Record<string, unknown> };
  measure: MaskMeasureSpec;
  heatmap?: OverlayOptions['display'];
  /** The entry's `maxpool_ties` (absent: the engine's default). */
  maxPoolTies?: MaxPoolTies;
}

export const masksProbe: Probe<MaskParams> = {
  kind: 'masks.attribution',
  // Read when a run is planned, so metrics registered before then are included.
  get metrics() {
    return [...maskMetricNames(), ...DATASET_METRICS];
  },
  run: runMasks,
};

/** A spec method block as the method's own option object (spec names → the options' keys). */
export function methodFromSpec(spec: MaskMethodSpec): MaskParams['method'] {
  const [name, opts] = Object.entries(spec)[0] as [MethodName, Record<string, unknown> | string];
  const d = methodNamed(name);
  if (!d) throw badInput('E_ATTR_METHOD', `no attribution method named "${name}"`, undefined, 'see docs/masks.md for the methods');
  return { name, options: optionsFromSpec(d, opts) };
}

/** A spec target as a Target on this model: class labels to indices, layer names to tensors. */
export async function targetFromSpec(model: ImportedModel, spec: MaskTargetSpec | undefined, where?: string, files: { dir: string; allowOutside?: boolean } = { dir: '.' }): Promise<Target | 'top' | 'label'> {
  if (spec === undefined || spec === 'top') return 'top';
  if (spec === 'label') return 'label';
  if ('tensor' in spec || 'detection' in spec) {
    const readMask = (f: string) => maskOfImage(readImage(path.resolve(files.dir, f), undefined, { root: specRoot(files.dir), allowOutside: files.allowOutside }));
    return denseTargetFromSpec(spec, { layer: (name) => resolveLayer(model, name, where), readMask, where });
  }
  const classIndex = (c: number | string) => {
    const labels = model.labels ?? [];
    const i = typeof c === 'number' ? c : labels.indexOf(c);
    if (i < 0) throw badInput('E_ATTR_TARGET', `class "${c}" is not one of the model's labels`, where, `labels: ${labels.join(', ') || '(none: use an index)'}`);
    return i;
  };
  if ('class' in spec) return { kind: 'class', index: classIndex(spec.class) };
  if ('contrastive' in spec) return { kind: 'contrastive', index: classIndex(spec.contrastive) };
  if ('unit' in spec) {
    const layer = await resolveLayer(model, spec.unit.layer, where);
    const pos = Array.isArray(spec.unit.position) ? { y: spec.unit.position[0], x: spec.unit.position[1] } : {};
    return { kind: 'unit', tensor: layer.tensor, channel: spec.unit.unit, ...pos };
  }
  const layer = await resolveLayer(model, spec.channel.layer, where);
  return { kind: 'channel', tensor: layer.tensor, channel: spec.channel.unit };
}

async function topClass(subject: Subject, input: Tensor): Promise<Target> {
  return { kind: 'class', index: ranked(await classScores(subject, input))[0] };
}

async function classScores(subject: Subject, input: Tensor): Promise<Float32Array> {
  return (await scoreOne(subject, { kind: 'class', index: 0 }, input)).raw.data as Float32Array;
}

/** Class indices by falling score (ties: the lower index first). */
function ranked(scores: ArrayLike<number>): number[] {
  return Array.from(scores, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
}

/** A streamed dataset keeps the report's pictures to its first images: thousands of heatmaps help nobody. */
export const STREAM_ARTIFACT_IMAGES = 8;

async function runMasks(p: MaskParams, engine: ForwardEngine, rng: Rng, run: ProbeContext = {}): Promise<ProbeOutput> {
  const model = engine.model;
  const subject = subjectOf(model, { device: engine.device, batchSize: engine.batchSize, maxPoolTies: p.maxPoolTies });
  const method = methodFunction(p.method.name);
  const isMask = methodNamed(p.method.name)?.mask === true;
  const display = p.heatmap ?? (isMask ? 'mask' : 'magnitude');
  const values: Record<string, (number | null)[]> = {};
  const put = (k: string, v: number | null) => (values[k] ??= []).push(v === null || Number.isFinite(v) ? v : null);
  const cases: string[] = [];
  const artifacts: Artifact[] = [];
  let usedParams: Record<string, unknown> = {};
  let heatmap: RgbImage | undefined;
  const targets: string[] = [];
  // Random-map baselines draw from their own stream, so they are the same whatever else is measured.
  const baselineRng = forkRng(rng);
  const refused: Record<string, string> = {};

  const labels = (p.labels ?? model.labels) as string[] | undefined;
  const perImage: PerImage[] = [];
  const streamed = isImageStream(p.images);
  const total = p.images.length;
  // A streamed dataset may be one part of an entry split across shards: image i of the part is
  // image offset + i of the whole, and its random draws and pictures follow that index, so every
  // image is measured as one machine running the whole dataset measures it.
  const offset = streamed ? (p.images as { offset?: number }).offset ?? 0 : 0;
  const imageSeed = streamed ? Math.floor(rng() * 4294967296) : 0;
  let done = 0;
  for await (const batch of inBatches(p.images, engine.batchSize)) for (const item of batch) {
    const { label, image } = item;
    const pictures = !streamed || offset + done < STREAM_ARTIFACT_IMAGES;
    const imageRng = streamed ? makeRng((imageSeed + Math.imul(offset + done, 0x9e3779b9)) >>> 0) : rng;
    const input = toModelInput(image, model.preprocess);
    const target = p.target === 'top' ? await topClass(subject, input) : p.target === 'label' ? { kind: 'class' as const, index: item.classIndex! } : await fixTarget(subject, p.target, input);
    targets.push(describeTarget(target, labels));
    // A map read from a file (method `file`) comes with its image; a method run outside the model (`command`) gets the image's name.
    const options = { ...p.method.options, ...(item.map && { map: item.map }), ...(methodNamed(p.method.name)?.perImage && { image: { label, index: offset + done } }) };
    const explain = (s: Subject, x: Tensor, t: Target = target) => method(s, x, t, options);
    const a = await explain(subject, input);
    usedParams = a.params;
    run.saveMap?.(label, p.method.name, targets[targets.length - 1], a.map);
    heatmap ??= a.masks?.length ? colourMap(a.masks[0].mask, 'mask') : colourMap(a.map, display);

    // Per-image measurements, repeated for each area case below.
    const image1: Record<string, number | null> = { score: a.score, total_variation: totalVariation(spatial(a.map, 'abs_sum')) };
    if (a.completeness) {
      image1.completeness_gap = a.completeness.gap;
      image1.completeness_relative = a.completeness.delta !== 0 ? Math.abs(a.completeness.gap) / Math.abs(a.completeness.delta) : null;
    }
    const ctx: MetricContext = { subject, input, target, attribution: a, explain, label, method: p.method.name, measure: p.measure, rng: imageRng, curveRng: forkRng(streamed ? imageRng : baselineRng), preprocess: model.preprocess, truth: { boxes: item.boxes, mask: item.mask, difficult: item.difficult } };
    const asked = maskMetrics().filter((d) => p.measure[d.key] !== undefined && p.measure[d.key] !== false);
    // A constant map orders no pixel before another: every metric that follows its order is noise.
    const constant = isFlat(spatial(a.map, 'sum').data, 0) ? `the ${p.method.name} map of ${label} is constant: it ranks no pixel above another` : undefined;
    for (const d of asked) {
      if (!d.run) continue;
      const r = await d.run(ctx, metricOptions(d, p.measure[d.key]));
      Object.assign(image1, r.values);
      for (const [k, why] of Object.entries(r.uninformative ?? {})) refused[k] ??= why;
      if (constant && d.key !== 'randomization' && d.key !== 'determinism') for (const k of Object.keys(r.values)) refused[k] ??= constant;
      if (pictures) artifacts.push(...(r.artifacts ?? []));
    }
    if (p.accuracy && item.classIndex !== undefined) {
      const rank = ranked(await classScores(subject, input)).indexOf(item.classIndex);
      image1.top1_accuracy = rank === 0 ? 1 : 0;
      image1.top5_accuracy = rank >= 0 && rank < 5 ? 1 : 0;
    }
    perImage.push({ values: image1, className: item.className, tags: item.tags ?? [] });

    // Area cases: the method's own masks, or those of a metric asked for (the top pixels of the map at some areas).
    const areaCases = maskCases(a);
    for (const d of asked) if (d.cases && areaCases.length === 0) areaCases.push(...(await d.cases(ctx, metricOptions(d, p.measure[d.key]))));
    if (areaCases.length === 0) areaCases.push({ label: '', values: {} });
    for (const c of areaCases) {
      cases.push(c.label ? `${label} · ${c.label}` : label);
      for (const k of new Set([...Object.keys(image1), ...Object.keys(c.values)])) put(k, c.values[k] ?? image1[k] ?? null);
    }
    run.images?.(++done, total);
    if (!pictures) continue;
    // The picture's backdrop: a second resize of the image, paid only by the images drawn.
    const shown = fitToInput(image, model.preprocess);
    for (const mr of a.masks ?? []) {
      const area = mr.requestedArea !== null ? `area ${mr.requestedArea}` : 'mask';
      artifacts.push(heatmapArtifact(`${label} ${area}`, shown, mr.mask, `${p.method.name} ${area}: keeps ${fmt(mr.preserved / a.score)} of the score`, { display: 'mask' }));
    }
    if (!a.masks?.length || a.masks.length > 1) artifacts.push(heatmapArtifact(`${label} map`, shown, a.map, `${p.method.name} of ${describeTarget(target, labels)}`, { display }));
  }
  // Pad metrics missing for some cases so every list lines up with `cases`.
  const measurements: Record<string, Measurement> = {};
  for (const [k, v] of Object.entries(values)) {
    while (v.length < cases.length) v.push(null);
    measurements[k] = v.length === 1 ? v[0] : (v as number[]);
  }
  const dataset = datasetMetrics(perImage, p.aggregate ?? {}, p.measure.pointing !== undefined, p.accuracy === true);
  Object.assign(measurements, dataset.values);
  return { measurements, ...(Object.keys(dataset.states).length && { states: dataset.states }), cases, artifacts, images: heatmap && { heatmap }, ...(Object.keys(refused).length && { uninformative: refused }), params: { method: p.method.name, ...usedParams, ...(p.maxPoolTies && { maxpool_ties: p.maxPoolTies }), target: new Set(targets).size === 1 ? targets[0] : targets, measure: p.measure } };
}

/** A mask method's own masks as area cases. */
function maskCases(a: Attribution): AreaCase[] {
  return (a.masks ?? []).map((mr) => ({
    label: mr.requestedArea !== null ? `area ${mr.requestedArea}` : 'mask',
    values: {
      area: mr.area,
      area_full: mr.areaFull ?? null,
      preserved: mr.preserved,
      deleted: mr.deleted,
      preserved_fraction: a.score !== 0 ? mr.preserved / a.score : null,
      deleted_fraction: a.score !== 0 ? mr.deleted / a.score : null,
    },
  }));
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : String(v);
}
