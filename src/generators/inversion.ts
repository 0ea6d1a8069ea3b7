// GAN inversion (Zhu et al. 2016; Bau et al. 2019, "Seeing what a GAN cannot generate"): optimise a
// latent with the autodiff so that the generator redraws a target image. Images the generator
// can draw come back closely; photographs from outside its domain do not — the gap is measured.
import { channel } from '../engine/autodiff/objective.ts';
import { gradient } from '../engine/autodiff/index.ts';
import { cloneModel } from '../engine/onnx.ts';
import { floatTensorProto, node, valueInfo } from '../engine/graph.ts';
import { makeNet } from '../engine/net.ts';
import type { Net } from '../engine/session.ts';
import type { Tensor } from '../engine/tensor.ts';
import { resolveLayer } from '../models/catalog.ts';
import type { ImportedModel } from '../models/types.ts';
import { chainModels } from './chain.ts';
import { noiseFeeds, runItems, type RunContext } from './sample.ts';
import type { Generator } from './types.ts';

export interface InversionOptions {
  steps: number;
  /** Adam step size. */
  lr: number;
  /** Judge layer for the perceptual proxy (LPIPS without learned weights). */
  layer?: string;
}

export interface InversionResult {
  /** The latents found, [n, D]. */
  latent: Tensor;
  /** Images they draw (0..1), [n, C, H, W]. */
  images: Tensor;
  /** Per target: mean squared pixel error in 0..1 units. */
  mse: number[];
  /** Per target: the LPIPS proxy in the judge layer (when a judge and layer are given). */
  lpips?: number[];
}

/** The generator with a `target` input and a per-item loss: mean over pixels of (image01 − target)². */
function lossNet(gen: Generator): Net {
  const m = cloneModel(gen.net.model);
  const g = m.graph;
  const [lo, hi] = gen.range;
  g.input.push(valueInfo('inversion/target', ['N', gen.image.channels, gen.image.height, gen.image.width]));
  g.initializer.push(floatTensorProto('inversion/scale', { dims: [], data: Float32Array.of(1 / (hi - lo)) }), floatTensorProto('inversion/offset', { dims: [], data: Float32Array.of(-lo / (hi - lo)) }));
  g.node.push(
    node('Mul', [gen.image.name, 'inversion/scale'], ['inversion/scaled']),
    node('Add', ['inversion/scaled', 'inversion/offset'], ['inversion/image01']),
    node('Sub', ['inversion/image01', 'inversion/target'], ['inversion/diff']),
    node('Mul', ['inversion/diff', 'inversion/diff'], ['inversion/sq']),
    node('ReduceMean', ['inversion/sq'], ['inversion/loss'], { axes: { ints: [1, 2, 3] }, keepdims: { i: 1 } }),
  );
  g.output.push(valueInfo('inversion/loss'));
  return makeNet(m, `${gen.net.where} (inversion)`);
}

/** Invert every target (0..1, [n, C, H, W]) from z = 0 with Adam on the pixel MSE; noise inputs stay zero. */
export async function invert(gen: Generator, targets: Tensor, o: InversionOptions, ctx: RunContext, judge?: ImportedModel): Promise<InversionResult> {
  const n = targets.dims[0];
  const d = gen.latent.size;
  const net = lossNet(gen);
  const z = new Float32Array(n * d);
  const m1 = new Float32Array(n * d);
  const m2 = new Float32Array(n * d);
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const noise = noiseFeeds(gen, n);
  for (let t = 1; t <= o.steps; t++) {
    const r = await gradient(net, { input: { [gen.latent.name]: { dims: [n, d], data: z }, ...noise, 'inversion/target': targets }, objective: channel('inversion/loss', 0), wrt: [gen.latent.name] }, { device: ctx.device });
    const g = r.grads[gen.latent.name].data;
    for (let k = 0; k < n * d; k++) {
      m1[k] = b1 * m1[k] + (1 - b1) * g[k];
      m2[k] = b2 * m2[k] + (1 - b2) * g[k] * g[k];
      z[k] -= (o.lr * (m1[k] / (1 - b1 ** t))) / (Math.sqrt(m2[k] / (1 - b2 ** t)) + eps);
    }
  }
  const latent = { dims: [n, d], data: z };
  const out = await runItems(net, { [gen.latent.name]: latent, ...noise, 'inversion/target': targets }, ['inversion/image01', 'inversion/loss'], ctx);
  const result: InversionResult = { latent, images: out['inversion/image01'], mse: Array.from(out['inversion/loss'].data) };
  if (judge && o.layer) result.lpips = await lpipsProxy(result.images, targets, judge, o.layer, ctx);
  return result;
}

/**
 * Feature distance in a judge layer, LPIPS without its learned weights: at each position the
 * channel vectors of both images are scaled to unit length, and the squared difference is
 * averaged over positions (0 = the same features; 4 = opposite).
 */
export async function lpipsProxy(a: Tensor, b: Tensor, judge: ImportedModel, layer: string, ctx: RunContext): Promise<number[]> {
  const [n, c, h, w] = a.dims;
  const id = createPassThrough(c, h, w);
  const chain = chainModels(id, judge, `images → ${judge.net.where}`);
  const tensor = chain.judgeTensor((await resolveLayer(judge, layer)).tensor);
  const fa = (await runItems(chain.net, { x: a }, [tensor], ctx))[tensor];
  const fb = (await runItems(chain.net, { x: b }, [tensor], ctx))[tensor];
  const C = fa.dims[1];
  const hw = fa.data.length / (n * C);
  return Array.from({ length: n }, (_, i) => {
    let total = 0;
    for (let p = 0; p < hw; p++) {
      let na = 0;
      let nb = 0;
      for (let k = 0; k < C; k++) {
        na += fa.data[(i * C + k) * hw + p] ** 2;
        nb += fb.data[(i * C + k) * hw + p] ** 2;
      }
      na = Math.sqrt(na) + 1e-10;
      nb = Math.sqrt(nb) + 1e-10;
      for (let k = 0; k < C; k++) total += (fa.data[(i * C + k) * hw + p] / na - fb.data[(i * C + k) * hw + p] / nb) ** 2;
    }
    return total / hw;
  });
}

/** A "generator" that draws the image it is fed (0..1): lets real images through the same chain adapter as generated ones. */
function createPassThrough(c: number, h: number, w: number): Generator {
  const m = cloneModel({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'neurogate', docString: '', metadataProps: [],
    graph: { name: 'images', node: [node('Identity', ['x'], ['image'])], initializer: [], input: [valueInfo('x', ['N', c, h, w])], output: [valueInfo('image', ['N', c, h, w])], valueInfo: [] },
  } as never);
  return { net: makeNet(m, 'images'), latent: { name: 'x', size: 0 }, noise: [], image: { name: 'image', channels: c, height: h, width: w }, range: [0, 1] };
}
