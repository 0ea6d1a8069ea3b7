// Feature visualization by activation maximization with Lucid's defaults: a Fourier-parameterized,
// colour-decorrelated image squashed by a sigmoid, pad/jitter/scale/rotate transforms each step,
// Adam at lr 0.05, a 128² image. Fully seeded; gradients are exact end to end — the model's from
// the autodiff graph (w.r.t. its input), then back through the transforms and parameterization by
// their adjoints in JS (see featureviz/transforms.ts for why they are not ONNX ops).
import { gradient, weighted } from '../../engine/autodiff/index.ts';
import { allTensorNames } from '../../engine/graph.ts';
import { run, type ConcreteDevice } from '../../engine/session.ts';
import { resizedNet } from './resized-net.ts';
import type { Tensor } from '../../engine/tensor.ts';
import { badInput } from '../../errors.ts';
import type { ImportedModel, Preprocess } from '../../models/types.ts';
import type { RgbImage } from '../../stimuli/image.ts';
import { forkRng, makeRng, normal, type Rng } from '../../util/rng.ts';
import { decorrelatedToRgb, rgbGradToDecorrelated, sigmoid, sigmoidGrad } from './featureviz/color.ts';
import { fourierPlan, imageToSpectrumGrad, spectrumToImage, type FourierPlan } from './featureviz/fourier.ts';
import { adamState, adamStep } from './featureviz/adam.ts';
import { applyAll, lucidTransforms, outputSize, pad, type ImageBatch, type Transform } from './featureviz/transforms.ts';
import { diversityAndGrad, flatten, imageTerms, linearWeights, objectiveLayers, type FvObjective, type Term } from './featureviz/objectives.ts';
import { positionNearest, receptiveFields } from './receptive-field.ts';

export interface FeatureVizOptions {
  seed: number;
  /** Side of the square image being optimized (Lucid: 128). */
  size?: number;
  steps?: number;
  lr?: number;
  batch?: number;
  /** Standard deviation of the initial parameters (Lucid: 0.01). */
  sd?: number;
  /** Fourier parameterization (default) or plain pixels. */
  fourier?: boolean;
  /** Colour decorrelation (default on). */
  decorrelate?: boolean;
  /** Lucid's standard transforms (default) or none. */
  transforms?: 'lucid' | 'none';
  device?: ConcreteDevice;
  /** Record the objective every this many steps (default: steps / 64, at least 1). */
  historyEvery?: number;
  /** Extra layers whose activations on the final image are returned (e.g. to compare units). */
  tap?: readonly string[];
  /**
   * Where terms without their own (y, x) read each layer, as fractions (0..1) of its map: a place
   * given on the model's own grid survives the visualization's smaller input this way. Default:
   * the receptive field nearest the input centre.
   */
  place?: { y: number; x: number };
}

export interface FeatureVizResult {
  /** The optimized images, 0..255 RGB, `size`². */
  images: RgbImage[];
  /** Objective per item on the initial and final image, without random transforms (centred in the model input). */
  objective: { initial: number[]; final: number[] };
  /** Total objective (batch sum, under that step's transforms) as it went. */
  history: { step: number; objective: number }[];
  /** Activations of `tap` layers (and the objective's) on the final images, as evaluated. */
  activations: Record<string, Tensor>;
  /** The same on the start images (near grey), for before/after read-outs. */
  initialActivations: Record<string, Tensor>;
  /** Positions of each layer the `unit` terms default to (receptive field nearest the input centre). */
  centers: Record<string, { y: number; x: number }>;
  /** Every hyperparameter, for the report. */
  settings: Record<string, unknown>;
}

const DEFAULTS = { size: 128, steps: 512, lr: 0.05, batch: 1, sd: 0.01, fourier: true, decorrelate: true, transforms: 'lucid' as const };

/** [n, 3, h, w] images in [0, 1] → the model's input tensor; and the adjoint of that affine map. */
function inputMap(p: Preprocess) {
  const order = p.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const gain = order.map((src, c) => (255 * p.scale) / p.std[c]);
  return {
    forward(b: ImageBatch): Tensor {
      const hw = b.h * b.w;
      const data = new Float32Array(b.n * 3 * hw);
      for (let i = 0; i < b.n; i++) {
        for (let c = 0; c < 3; c++) {
          const src = (i * 3 + order[c]) * hw;
          const dst = (i * 3 + c) * hw;
          for (let k = 0; k < hw; k++) data[dst + k] = (b.data[src + k] * 255 * p.scale - p.mean[c]) / p.std[c];
        }
      }
      return { dims: [b.n, 3, b.h, b.w], data };
    },
    back(g: Tensor): Float64Array {
      const [n, , h, w] = g.dims;
      const hw = h * w;
      const out = new Float64Array(n * 3 * hw);
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < 3; c++) {
          const src = (i * 3 + c) * hw;
          const dst = (i * 3 + order[c]) * hw;
          for (let k = 0; k < hw; k++) out[dst + k] += g.data[src + k] * gain[c];
        }
      }
      return out;
    },
  };
}

interface Parameterization {
  params: Float64Array;
  /** Parameters → images in [0, 1] and the pullback of an image gradient to the parameters. */
  render(): { img: Float64Array; back: (g: Float64Array) => Float64Array };
}

function parameterization(n: number, size: number, o: Required<Pick<FeatureVizOptions, 'fourier' | 'decorrelate' | 'sd'>>, rng: Rng): Parameterization {
  const hw = size * size;
  const plan: FourierPlan | undefined = o.fourier ? fourierPlan(size, size) : undefined;
  const perItem = plan ? 2 * 3 * size * plan.wf : 3 * hw;
  const params = new Float64Array(n * perItem);
  // Lucid draws (real, imag) × channel × spectrum per item; pixels per item likewise.
  for (let i = 0; i < params.length; i++) params[i] = o.sd * normal(rng);
  const half = plan ? 3 * size * plan.wf : 0;
  return {
    params,
    render() {
      const img = new Float64Array(n * 3 * hw);
      const colour: Float64Array[] = [];
      for (let i = 0; i < n; i++) {
        const p = params.subarray(i * perItem, (i + 1) * perItem);
        const x = plan ? spectrumToImage(plan, p.subarray(0, half), p.subarray(half), 3) : Float64Array.from(p);
        const rgb = o.decorrelate ? decorrelatedToRgb(x, hw) : x;
        const y = sigmoid(rgb);
        colour.push(y);
        img.set(y, i * 3 * hw);
      }
      return {
        img,
        back(g) {
          const out = new Float64Array(params.length);
          for (let i = 0; i < n; i++) {
            const gy = sigmoidGrad(colour[i], g.subarray(i * 3 * hw, (i + 1) * 3 * hw));
            const gx = o.decorrelate ? rgbGradToDecorrelated(gy, hw) : gy;
            if (plan) {
              const { re, im } = imageToSpectrumGrad(plan, gx, 3);
              out.set(re, i * perItem);
              out.set(im, i * perItem + half);
            } else out.set(gx, i * perItem);
          }
          return out;
        },
      };
    },
  };
}

/**
 * Everything a visualization needs, set up: the parameters, the objective with its exact gradient
 * under one draw of the transforms, and the evaluation without random transforms. `visualize`
 * runs Adam on it; tests check its gradient against finite differences.
 */
export interface Visualization {
  params: Float64Array;
  /** Total objective (batch sum) under transforms drawn from `rng`, and its gradient w.r.t. params. */
  valueAndGrad(rng: Rng): Promise<{ value: number; grad: Float64Array }>;
  /** Per-item objective and tapped activations of the current image, centred, no random transforms. */
  evaluate(): Promise<{ perItem: number[]; acts: Record<string, Tensor> }>;
  /** Current images as 0..255 RGB. */
  images(): RgbImage[];
  centers: Record<string, { y: number; x: number }>;
  settings: Record<string, unknown>;
  /** The generator the optimization loop draws its transforms from. */
  stepRng: Rng;
}

export async function prepareVisualization(model: ImportedModel, objective: FvObjective, options: FeatureVizOptions): Promise<Visualization> {
  // Options left undefined keep their defaults (a spread would overwrite them with undefined).
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as FeatureVizOptions;
  const o = { ...DEFAULTS, ...given };
  for (const [k, v] of [['size', o.size], ['steps', o.steps], ['batch', o.batch]] as const) {
    if (!Number.isInteger(v) || v < (k === 'steps' ? 0 : 1)) throw badInput('E_FEATUREVIZ', `${k} must be a positive integer, got ${v}`, undefined, 'e.g. size 128, steps 512, batch 1');
  }
  if (!(o.lr > 0)) throw badInput('E_FEATUREVIZ', `lr must be > 0, got ${o.lr}`, undefined, 'Lucid uses 0.05');
  const terms = flatten(objective);
  const layers = objectiveLayers(objective);
  const taps = [...new Set([...layers, ...(o.tap ?? [])])];
  if (taps.length === 0) throw badInput('E_FEATUREVIZ', 'the objective reads no layer', undefined, 'add a unit, channel or direction term');
  const transforms: Transform[] = o.transforms === 'lucid' ? lucidTransforms() : [];
  const S = outputSize(transforms, o.size, o.size);
  // Without random transforms the image is shown the way the optimizer saw it on average: centred.
  const evalPad = (S.h - o.size) / 2;
  const evalTransforms: Transform[] = evalPad > 0 ? [pad(evalPad, 0.5)] : [];
  const net = resizedNet(model, taps, S.h, S.w);
  const device = o.device ?? 'cpu';
  const io = inputMap(model.preprocess);

  // Layer shapes at this input size, and the default unit positions from the receptive fields.
  const grey: ImageBatch = { n: 1, channels: 3, h: S.h, w: S.w, data: new Float64Array(3 * S.h * S.w).fill(0.5) };
  const names = allTensorNames(net.model.graph!);
  const probe = await run(net, { [model.input.name]: io.forward(grey) }, names, { device });
  const shapes = new Map(Object.entries(probe).map(([k, t]) => [k, t.dims.slice(1)]));
  shapes.set(model.input.name, [3, S.h, S.w]);
  const geo = receptiveFields(net.model.graph!, model.input.name, (t) => shapes.get(t));
  const dims = new Map(taps.map((t) => [t, shapes.get(t)!]));
  const centers = new Map<string, { y: number; x: number }>();
  for (const t of taps) {
    const d = dims.get(t)!;
    if (d.length !== 3) continue;
    const g = geo.get(t);
    const pos = o.place ? { y: Math.min(d[1] - 1, Math.floor(o.place.y * d[1])), x: Math.min(d[2] - 1, Math.floor(o.place.x * d[2])) }
      : g ? positionNearest(g, d[1], d[2], { x: S.w / 2, y: S.h / 2 }) : { x: Math.floor(d[2] / 2), y: Math.floor(d[1] / 2) };
    centers.set(t, { y: pos.y, x: pos.x });
  }
  const weights = linearWeights(terms, o.batch, dims, centers);
  const diversityTerms = terms.filter((t) => t.term.kind === 'diversity');
  const imgTerms = terms.filter((t) => t.term.kind === 'l1' || t.term.kind === 'tv');

  const root = makeRng(o.seed);
  const initRng = forkRng(root);
  const stepRng = forkRng(root);
  const param = parameterization(o.batch, o.size, o, initRng);

  const evaluate = async (img: Float64Array): Promise<{ perItem: number[]; acts: Record<string, Tensor> }> => {
    const t = applyAll(evalTransforms, { n: o.batch, channels: 3, h: o.size, w: o.size, data: img }, () => 0);
    const acts = await run(net, { [model.input.name]: io.forward(t.out) }, taps, { device });
    const perItem = linearValues(weights, acts, o.batch);
    const it = imageTerms(imgTerms, img, o.batch, o.size, o.size);
    for (let i = 0; i < o.batch; i++) perItem[i] += it.values[i];
    for (const d of diversityTerms) {
      const v = diversityAndGrad(acts[(d.term as { tensor: string }).tensor]).value * d.factor;
      for (let i = 0; i < o.batch; i++) perItem[i] += v / o.batch;
    }
    return { perItem, acts };
  };

  const valueAndGrad = async (rng: Rng): Promise<{ value: number; grad: Float64Array }> => {
    const r = param.render();
    const t = applyAll(transforms, { n: o.batch, channels: 3, h: o.size, w: o.size, data: r.img }, rng);
    const x = io.forward(t.out);
    const w: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(weights)) w[k] = { dims: v.dims, data: Float32Array.from(v.data) };
    let total = 0;
    if (diversityTerms.length) {
      const acts = await run(net, { [model.input.name]: x }, layers, { device });
      for (const d of diversityTerms) {
        const layer = (d.term as { tensor: string }).tensor;
        const { value, grad } = diversityAndGrad(acts[layer]);
        total += d.factor * value;
        w[layer] ??= { dims: acts[layer].dims, data: new Float32Array(acts[layer].data.length) };
        for (let k = 0; k < grad.length; k++) w[layer].data[k] += d.factor * grad[k];
      }
      total += linearValues(weights, acts, o.batch).reduce((s, v) => s + v, 0);
    }
    const res = await gradient(net, { input: { [model.input.name]: x }, objective: weighted(w), wrt: [model.input.name] }, { device });
    if (!diversityTerms.length) total += res.objective.reduce((s, v) => s + v, 0);
    const gImg = t.back(io.back(res.grads[model.input.name]));
    const it = imageTerms(imgTerms, r.img, o.batch, o.size, o.size);
    for (let k = 0; k < gImg.length; k++) gImg[k] += it.grad[k];
    total += it.values.reduce((s, v) => s + v, 0);
    return { value: total, grad: r.back(gImg) };
  };
  const hw = o.size * o.size;
  return {
    params: param.params,
    valueAndGrad,
    evaluate: () => evaluate(param.render().img),
    images: () => {
      const img = param.render().img;
      return Array.from({ length: o.batch }, (_, i) => {
        const data = new Float32Array(hw * 3);
        for (let c = 0; c < 3; c++) for (let k = 0; k < hw; k++) data[k * 3 + c] = img[(i * 3 + c) * hw + k] * 255;
        return { width: o.size, height: o.size, data };
      });
    },
    centers: Object.fromEntries(centers),
    stepRng,
    settings: {
      seed: o.seed, size: o.size, ...(o.place && { place: o.place }), steps: o.steps, lr: o.lr, batch: o.batch, sd: o.sd, fourier: o.fourier, decorrelate: o.decorrelate,
      transforms: o.transforms === 'lucid' ? 'pad 12 (0.5) → jitter 8 → scale 0.9…1.1 × rotate −10…10° (one bilinear resampling) → jitter 4' : 'none',
      optimizer: 'Adam (TensorFlow form) β1 0.9 β2 0.999 ε 1e-8', modelInput: [S.h, S.w], evaluation: evalPad > 0 ? `centred, padded by ${evalPad} (0.5)` : 'as optimized',
      device,
    },
  };
}

export async function visualize(model: ImportedModel, objective: FvObjective, options: FeatureVizOptions): Promise<FeatureVizResult> {
  const v = await prepareVisualization(model, objective, options);
  const steps = (v.settings.steps as number);
  const lr = v.settings.lr as number;
  const initial = await v.evaluate();
  const adam = adamState(v.params.length);
  const every = options.historyEvery ?? Math.max(1, Math.floor(steps / 64));
  const history: { step: number; objective: number }[] = [];
  for (let step = 0; step < steps; step++) {
    const { value, grad } = await v.valueAndGrad(v.stepRng);
    if (step % every === 0 || step === steps - 1) history.push({ step, objective: value });
    adamStep(v.params, grad, adam, { lr });
  }
  const final = await v.evaluate();
  return {
    images: v.images(),
    objective: { initial: initial.perItem, final: final.perItem },
    history,
    activations: final.acts,
    initialActivations: initial.acts,
    centers: v.centers,
    settings: v.settings,
  };
}

/** Σ weights ⊙ activations per item. */
function linearValues(weights: Record<string, Tensor>, acts: Record<string, Tensor>, n: number): number[] {
  const out = new Array<number>(n).fill(0);
  for (const [layer, w] of Object.entries(weights)) {
    const a = acts[layer];
    const per = a.data.length / n;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = i * per; k < (i + 1) * per; k++) s += w.data[k] * a.data[k];
      out[i] += s;
    }
  }
  return out;
}

export type { FvObjective, Term };
