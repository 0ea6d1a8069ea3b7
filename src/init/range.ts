// Guessing how a model wants its pixels (range, mean/std, channel order), and saying how the guess
// was made. A model file rarely records its preprocessing, but a BatchNorm layer right after the
// first convolution does, indirectly: its running mean and variance are the statistics of that
// convolution's output over the training images, preprocessed the training way. Feeding natural
// photographs under each common convention and comparing the statistics picks the convention.
import { attr, producerOf, readWeight, topoOrder } from '../engine/graph.ts';
import { run } from '../engine/session.ts';
import { withPreprocess, type PreprocessOverride } from '../models/preprocess.ts';
import type { ImportedModel } from '../models/types.ts';
import { toModelInput, type RgbImage } from '../stimuli/image.ts';
import type { ModelFacts } from './inspect.ts';

type Numeric = Pick<PreprocessOverride, 'range' | 'mean' | 'std' | 'channel_order'>;

/** The conventions most trained vision models use. */
export const CONVENTIONS: readonly { name: string; pp: Numeric }[] = [
  { name: 'range [0, 1]', pp: { range: [0, 1], mean: [0, 0, 0], std: [1, 1, 1], channel_order: 'RGB' } },
  { name: 'range [-1, 1] (Keras MobileNet/Inception "tf" mode)', pp: { range: [-1, 1], mean: [0, 0, 0], std: [1, 1, 1], channel_order: 'RGB' } },
  { name: 'range [0, 255]', pp: { range: [0, 255], mean: [0, 0, 0], std: [1, 1, 1], channel_order: 'RGB' } },
  { name: 'torchvision ImageNet mean/std over [0, 1]', pp: { range: [0, 1], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channel_order: 'RGB' } },
  { name: 'Caffe (BGR, [0, 255] minus the ImageNet mean)', pp: { range: [0, 255], mean: [103.939, 116.779, 123.68], std: [1, 1, 1], channel_order: 'BGR' } },
];

/**
 * The conventions that can hold for a C-channel input: all for RGB; for grey, RGBA and multispectral
 * inputs the plain ranges (ImageNet's mean/std and BGR are about colour), with one mean and std per channel.
 */
export function conventionsFor(C: number): readonly { name: string; pp: Numeric }[] {
  if (C === 3) return CONVENTIONS;
  return CONVENTIONS.filter((c) => c.pp.channel_order === 'RGB' && c.pp.mean!.every((m) => m === 0))
    .map((c) => ({ name: c.name, pp: { ...c.pp, mean: new Array<number>(C).fill(0), std: new Array<number>(C).fill(1) } }));
}

export interface PreprocessGuess {
  /** The whole block for the spec: input, layout and size from the model, the numbers guessed. */
  spec: Required<Pick<PreprocessOverride, 'input' | 'layout' | 'size'>> & Numeric;
  /** One sentence: where the numbers come from. */
  how: string;
  /** The measurement behind it, when there was one: one line per convention, best first. */
  evidence: string[];
}

export interface BatchNormFit {
  layer: string;
  /** Median over channels of log(1 + W₂² / σ²_bn) between the observed and the running statistics: 0 = identical. */
  scores: { name: string; pp: Numeric; score: number }[];
}

/** The importer's assumption as a spec block (every importer maps 0..255 linearly, without offset). */
function importerDefault(model: ImportedModel): Numeric {
  const p = model.preprocess;
  const r = (x: number) => Number(x.toPrecision(6));
  return { range: [0, r(255 * p.scale)], mean: p.mean.map(r) as Numeric['mean'], std: p.std.map(r) as Numeric['std'], channel_order: p.channelOrder };
}

export async function guessPreprocess(model: ImportedModel, facts: ModelFacts, photos: readonly RgbImage[]): Promise<PreprocessGuess> {
  const fixed = { input: facts.input.name, layout: facts.input.layout, size: [facts.input.height, facts.input.width] as [number, number] };
  const base = importerDefault(model);
  const bn = firstBatchNorm(model);
  const fit = bn && photos.length ? await batchNormFit(model, photos) : undefined;
  const evidence = fit ? fit.scores.map((s) => `${s.name}: ${s.score.toFixed(3)}`) : [];
  const best = fit?.scores[0];
  const clear = fit !== undefined && fit.scores.length > 1 && best!.score < 0.5 * fit.scores[1].score;
  const where = fit ? `the running statistics of ${fit.layer} (the first BatchNorm) on ${photos.length} photograph${photos.length === 1 ? '' : 's'}` : '';
  const matchesBase = best && conventionsFor(model.input.channels).find((c) => c.name === best.name && sameNumbers(c.pp, base));
  if (facts.kind === 'zoo') {
    const check = !fit ? '' : clear && matchesBase ? `; ${where} agree (${best!.name} fits best)` : `; ${where} point to ${best!.name}${clear ? '' : ', not clearly'}`;
    return { spec: { ...fixed, ...base }, how: `the zoo's record for ${facts.ref} (${describe(base)})${check}`, evidence };
  }
  if (clear) {
    const agree = matchesBase ? ', which is also what the importer assumes' : '';
    return { spec: { ...fixed, ...best!.pp }, how: `measured: ${best!.name} fits ${where} best by more than a factor of 2${agree}`, evidence };
  }
  const why = !bn
    ? 'not checkable: the model has no BatchNorm layer left after a convolution (exporters fold it in), so the file does not say'
    : !photos.length
      ? `not checked: give photographs with --image and init compares their statistics with those ${bn} recorded in training`
      : `not decided: ${where} do not single out one convention`;
  return { spec: { ...fixed, ...base }, how: `the importer's default (${describe(base)}); ${why}`, evidence };
}

function batchNormNode(model: ImportedModel) {
  const g = model.net.model.graph;
  const bn = topoOrder(g, model.net.where).find((n) => n.opType === 'BatchNormalization' && producerOf(g, n.input[0])?.opType === 'Conv');
  return bn && bn.input.length >= 5 ? bn : undefined;
}

/** The name of the first BatchNorm that follows a convolution, if the graph kept one. */
export function firstBatchNorm(model: ImportedModel): string | undefined {
  const bn = batchNormNode(model);
  return bn ? bn.name || bn.input[0] : undefined;
}

function describe(pp: Numeric): string {
  const ms = pp.mean!.every((m) => m === 0) && pp.std!.every((s) => s === 1) ? 'no mean/std' : `mean [${pp.mean!.join(', ')}], std [${pp.std!.join(', ')}]`;
  return `${pp.channel_order}, range [${pp.range!.join(', ')}], ${ms}`;
}

function sameNumbers(a: Numeric, b: Numeric): boolean {
  const eq = (x: readonly number[] | undefined, y: readonly number[] | undefined) => !!x && !!y && x.length === y.length && x.every((v, i) => Math.abs(v - y[i]) < 1e-6);
  return eq(a.range, b.range) && eq(a.mean, b.mean) && eq(a.std, b.std) && a.channel_order === b.channel_order;
}

/**
 * Scores each convention by how well the first BatchNorm's input statistics on `photos` match its
 * running mean and variance, best first; undefined when no BatchNorm follows a convolution.
 */
export async function batchNormFit(model: ImportedModel, photos: readonly RgbImage[]): Promise<BatchNormFit | undefined> {
  const bn = batchNormNode(model);
  if (!bn) return undefined;
  let runMean: Float32Array, runVar: Float32Array;
  try {
    runMean = readWeight(model.net.model, bn.input[3]).data;
    runVar = readWeight(model.net.model, bn.input[4]).data;
  } catch {
    return undefined; // statistics computed in the graph, not stored: nothing to compare with
  }
  const eps = attr<number>(bn, 'epsilon', 1e-5);
  const x = bn.input[0];
  const scores: BatchNormFit['scores'] = [];
  for (const c of conventionsFor(model.input.channels)) {
    const pre = withPreprocess(model, c.pp).preprocess;
    const C = runMean.length;
    const s1 = new Float64Array(C);
    const s2 = new Float64Array(C);
    let n = 0;
    for (const img of photos) {
      const out = (await run(model.net, { [model.input.name]: toModelInput(img, pre) }, [x]))[x];
      const hw = out.data.length / C;
      n += hw;
      for (let k = 0; k < C; k++) {
        for (let i = 0; i < hw; i++) {
          const v = out.data[k * hw + i];
          s1[k] += v;
          s2[k] += v * v;
        }
      }
    }
    const d: number[] = [];
    for (let k = 0; k < C; k++) {
      const mu = s1[k] / n;
      const sd = Math.sqrt(Math.max(0, s2[k] / n - mu * mu));
      const sb = Math.sqrt(runVar[k] + eps);
      d.push(Math.log1p(((mu - runMean[k]) ** 2 + (sd - sb) ** 2) / (sb * sb)));
    }
    d.sort((a, b) => a - b);
    scores.push({ name: c.name, pp: c.pp, score: d[Math.floor(d.length / 2)] });
  }
  scores.sort((a, b) => a.score - b.score);
  return { layer: bn.name || x, scores };
}
