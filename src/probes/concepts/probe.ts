// The concepts probe: seeded scenes through the model, the layer's maps (and for TCAV the
// target's gradients at the layer) handed to the method's pure core, and its numbers as metrics.
import type { Tensor } from '../../engine/tensor.ts';
import { concatBatch } from '../../engine/tensor.ts';
import type { ForwardEngine } from '../../probe/forward.ts';
import type { Measurement } from '../../probe/measurement.ts';
import type { Probe, ProbeOutput } from '../../probe/probe.ts';
import { toModelInput } from '../../stimuli/image.ts';
import type { Rng } from '../../util/rng.ts';
import { targetGradient } from '../attribution/gradients.ts';
import { subjectOf } from '../attribution/subject.ts';
import { modelGeometry } from '../neuron/responses.ts';
import { dissectUnits } from './dissect.ts';
import { evenGeometry, type Frame, type LayerMaps } from './maps.ts';
import { net2vec, type Net2VecVariant } from './net2vec.ts';
import { CONCEPT_METRICS, type CONCEPT_METHODS } from './schema.ts';
import { conceptScene, conceptsOf, type ConceptScene, type SceneSource } from './source.ts';
import { drawRows, rowsWith, scenesFromMasks } from './dataset.ts';
import type { ConceptMasks } from '../../datasets/concept-masks.ts';
import type { ConceptImageSets } from './image-sets.ts';
import { readImage } from '../../stimuli/image.ts';
import { tcav, type Rows } from './tcav.ts';
import { EXTREMAL_CHANNEL_DEFAULTS, extremalChannels, gradTimesActivation, keepOnly, maskedLogit, maskedNet, ranking } from './channels.ts';

export interface ConceptParams {
  method: (typeof CONCEPT_METHODS)[number];
  layer: { name: string; tensor: string; shape: number[] };
  scenes: SceneSource;
  count: number;
  /** The user's concept-mask manifest as read (and its path as the spec wrote it), instead of generated scenes. */
  data?: ConceptMasks;
  masks?: string;
  /** TCAV's and channels' image sets from the user's `images:` (absolute files). */
  sets?: ConceptImageSets;
  concept?: string;
  units?: number[];
  quantile: number;
  variant: Net2VecVariant;
  l2: number;
  iterations: number;
  target?: number;
  randomSets: number;
  examples: number;
  inputs: number;
  alpha: number;
  tests: number;
  keep: number;
}

async function layerMaps(engine: ForwardEngine, p: ConceptParams, scenes: readonly ConceptScene[]): Promise<LayerMaps> {
  const [C, h, w] = p.layer.shape;
  const rows = await engine.forward(scenes.map((s) => toModelInput(s.image, engine.model.preprocess)), [p.layer.tensor]);
  return { C, h, w, data: rows.map(([t]) => t.data) };
}

async function frameOf(engine: ForwardEngine, p: ConceptParams): Promise<Frame> {
  const { width, height } = engine.model.preprocess;
  const [, h, w] = p.layer.shape;
  const g = (await modelGeometry(engine.model)).get(p.layer.tensor) ?? evenGeometry(h, w, width, height);
  return { width, height, g };
}

function flat(rows: readonly Tensor[]): Rows {
  const d = rows[0].data.length;
  const data = new Float32Array(rows.length * d);
  rows.forEach((t, i) => data.set(t.data, i * d));
  return { n: rows.length, d, data };
}

export const conceptProbe: Probe<ConceptParams> = {
  kind: 'concepts.layer',
  metrics: Object.values(CONCEPT_METRICS).flat(),
  async run(p: ConceptParams, engine: ForwardEngine, rng: Rng): Promise<ProbeOutput> {
    const { width, height } = engine.model.preprocess;
    const names = p.data ? p.data.concepts : conceptsOf(p.scenes);
    const m: Record<string, Measurement> = {};
    let cases: string[] | undefined;
    const params: Record<string, unknown> = { method: p.method, layer: p.layer.name, ...(p.data ? { masks: p.masks } : p.sets ? { images: p.sets.concept.length + p.sets.random.length } : { scenes: p.scenes }), concept: p.concept ?? null };
    if (p.method === 'tcav') {
      // From a manifest: the concept's set from rows that hold it, random sets from the rest (Kim et al.'s random images).
      const data = p.data;
      const sets = p.sets;
      const fromFiles = (files: readonly string[], k: number): ConceptScene[] => drawRows(files.map((_, i) => i), k, rng).map((i) => ({ image: readImage(files[i]), masks: {} }));
      const draw = sets
        ? (k: number, only?: string) => fromFiles(only ? sets.concept : sets.random, k)
        : data
          ? (k: number, only?: string) => scenesFromMasks(data, engine.model.preprocess, drawRows(rowsWith(data, p.concept!, only !== undefined), k, rng))
          : (k: number, only?: string) => Array.from({ length: k }, () => conceptScene(p.scenes, width, height, rng, only));
      const concept = draw(p.examples, p.concept);
      const randoms = Array.from({ length: p.randomSets }, () => draw(p.examples));
      const inputs = draw(p.inputs, p.concept);
      const acts = async (ss: ConceptScene[]) => flat((await engine.forward(ss.map((s) => toModelInput(s.image, engine.model.preprocess)), [p.layer.tensor])).map(([t]) => t));
      const subject = subjectOf(engine.model, { device: engine.device, batchSize: engine.batchSize });
      const g = await targetGradient(subject, { kind: 'class', index: p.target! }, concatBatch(inputs.map((s) => toModelInput(s.image, engine.model.preprocess))), { layer: p.layer.tensor });
      const grads = { n: inputs.length, d: g.layer!.grad.data.length / inputs.length, data: g.layer!.grad.data };
      const randomRows: Rows[] = [];
      for (const r of randoms) randomRows.push(await acts(r));
      const r = tcav(await acts(concept), randomRows, grads, { l2: p.l2, iterations: p.iterations, alpha: p.alpha, tests: p.tests });
      m['tcav.score'] = r.score;
      m['tcav.p_value'] = r.p;
      m['tcav.significant'] = r.significant ? 1 : 0;
      m['tcav.random_score'] = r.randomScore;
      Object.assign(params, { target: p.target, random_sets: p.randomSets, examples: p.examples, inputs: p.inputs, alpha: p.alpha, tests: p.tests, level: r.level, l2: p.l2, iterations: p.iterations, scores: r.scores, random_scores: r.randomScores, t: r.t });
      return { measurements: m, params };
    }
    if (p.method === 'channels') {
      // Scenes of the concept when one is named (the class's own scenes), else any scene.
      const data = p.data;
      const sets = p.sets;
      const pool = sets ? (p.concept ? sets.concept : sets.random) : [];
      const images = sets
        ? drawRows(pool.map((_, i) => i), p.inputs, rng).map((i) => readImage(pool[i]))
        : data
        ? scenesFromMasks(data, engine.model.preprocess, drawRows(p.concept ? rowsWith(data, p.concept, true) : data.rows.map((_, i) => i), p.inputs, rng)).map((sc) => sc.image)
        : Array.from({ length: p.inputs }, () => conceptScene(p.scenes, width, height, rng, p.concept).image);
      const inputs = concatBatch(images.map((im) => toModelInput(im, engine.model.preprocess)));
      const C = p.layer.shape[0];
      const keep = Math.min(p.keep, C);
      const s = { net: engine.model.net, input: engine.model.input.name, logits: engine.model.logits!, device: engine.device };
      const masked = maskedNet(s.net, p.layer.tensor, C);
      const { mask, reward } = await extremalChannels(s, masked, C, inputs, p.target!, { ...EXTREMAL_CHANNEL_DEFAULTS, iterations: p.iterations, keep });
      const top = ranking(mask, reward).slice(0, keep);
      const gradTop = ranking(await gradTimesActivation(s, p.layer.tensor, inputs, p.target!)).slice(0, keep);
      const full = await maskedLogit(s, masked, inputs, p.target!, new Float32Array(C).fill(1));
      const kept = (ids: number[]) => maskedLogit(s, masked, inputs, p.target!, keepOnly(C, ids)).then((v) => v / full);
      m['channels.top'] = top;
      m['channels.grad_top'] = gradTop;
      m['channels.kept_fraction'] = await kept(top);
      m['channels.grad_kept_fraction'] = await kept(gradTop);
      if (p.units) m['channels.found'] = p.units.filter((u) => top.includes(u)).length / p.units.length;
      Object.assign(params, { target: p.target, keep, inputs: p.inputs, iterations: p.iterations, lr: EXTREMAL_CHANNEL_DEFAULTS.lr, lambda: EXTREMAL_CHANNEL_DEFAULTS.lambda, growth: EXTREMAL_CHANNEL_DEFAULTS.growth, full_logit: full, mask: Array.from(mask, (v) => Number(v.toFixed(6))) });
      return { measurements: m, params };
    }
    const scenes = p.data ? scenesFromMasks(p.data, engine.model.preprocess) : Array.from({ length: p.count }, () => conceptScene(p.scenes, width, height, rng));
    const maps = await layerMaps(engine, p, scenes);
    const f = await frameOf(engine, p);
    const masksOf = (c: string) => scenes.map((s) => s.masks[c]);
    Object.assign(params, { count: p.count });
    if (p.method === 'dissection') {
      const units = p.units ?? Array.from({ length: maps.C }, (_, k) => k);
      const r = dissectUnits(maps, f, names.map(masksOf), units, p.quantile);
      m['dissection.iou'] = r.map((u) => u.iou[u.best]);
      m['dissection.concept'] = r.map((u) => `${u.unit}:${names[u.best]}`).join(' ');
      if (p.concept) {
        const c = names.indexOf(p.concept);
        m['dissection.concept_iou'] = r.map((u) => u.iou[c]);
        m['dissection.matches'] = r.filter((u) => u.best === c).length / r.length;
      }
      cases = r.map((u) => `unit ${u.unit} · ${names[u.best]}`);
      params.quantile = p.quantile;
      return {
        measurements: m, cases, params,
        artifacts: [{ type: 'table', name: 'dissection', caption: `${p.layer.name}: IoU of each unit with each concept (top ${p.quantile * 100}% threshold)`, columns: ['unit', 'threshold', ...names, 'best'], rows: r.map((u) => [u.unit, Number(u.threshold.toPrecision(6)), ...u.iou.map((v) => Number(v.toFixed(4))), names[u.best]]) }],
      };
    }
    const c = p.concept!;
    const present = scenes.map((s) => s.masks[c].some((v) => v === 1));
    const r = net2vec(maps, f, masksOf(c), present, { variant: p.variant, l2: p.l2, iterations: p.iterations });
    const key = p.variant === 'segmentation' ? 'iou' : 'ap';
    m[`net2vec.${key}`] = r.score;
    m[`net2vec.single_filter_${key}`] = r.singleScore;
    m['net2vec.gain'] = r.score - r.singleScore;
    m['net2vec.filters_90'] = r.filters90;
    m['net2vec.single_filter'] = r.singleFilter;
    Object.assign(params, { variant: p.variant, l2: p.l2, iterations: p.iterations });
    const top = r.embedding.map((v, k) => [k, v] as const).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || a[0] - b[0]).slice(0, 16);
    return {
      measurements: m, params,
      artifacts: [{ type: 'table', name: 'net2vec embedding', caption: `${c} in ${p.layer.name}: the largest standardised weights`, columns: ['filter', 'weight'], rows: top.map(([k, v]) => [k, Number(v.toFixed(5))]) }],
    };
  },
};
