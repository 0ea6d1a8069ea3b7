// Unit intervention (GAN Dissection, Bau et al. 2019): ablate or force units of a generator layer
// over a region and measure with a judge how much the concept appears or disappears (the average
// causal effect over sampled latents) and whether the image changed only there (locality).
import { cloneModel, type ModelProto } from '../engine/onnx.ts';
import { consumersOf, floatTensorProto, node } from '../engine/graph.ts';
import { makeNet } from '../engine/net.ts';
import type { Tensor } from '../engine/tensor.ts';
import { badInput } from '../errors.ts';
import type { Rng } from '../util/rng.ts';
import type { Chain } from './chain.ts';
import { scores, type Judge } from './judge.ts';
import { noiseFeeds, runItems, sampleLatents, type RunContext } from './sample.ts';

/** A region as fractions of the image: [x0, y0, x1, y1], 0..1, left/top inclusive. */
export type Region = [number, number, number, number];

export interface InterventionOptions {
  layer: string;
  units: number[];
  region: Region;
  /** `off` sets the units to 0; `on` to `value` (default: the units' largest activation over the samples). */
  set: 'off' | 'on';
  value?: number;
  samples: number;
}

export interface InterventionResult {
  /** Mean judge score before and after, and the ACE (mean of after − before), per judge (the first is the entry's). */
  before: number[];
  after: number[];
  effect: number[];
  /** Fraction of the image's absolute change that lies inside the region. */
  locality: number;
  /** Value the units were set to. */
  value: number;
  /** Layer cells ([row, col]) the region covers. */
  cells: [number, number][];
  images: { before: Tensor; after: Tensor };
}

/** Whether cell (r, c) of an h × w grid has its centre inside the region. */
export function inRegion(region: Region, r: number, c: number, h: number, w: number): boolean {
  const x = (c + 0.5) / w;
  const y = (r + 0.5) / h;
  return x >= region[0] && x < region[2] && y >= region[1] && y < region[3];
}

/**
 * The model with `layer` replaced, for its consumers, by layer · keep + set (keep and set are
 * [1, C, H, W] constants): the edit as graph surgery, so the one engine runs the intervened chain.
 */
export function withUnitEdit(model: ModelProto, layer: string, keep: Tensor, set: Tensor): ModelProto {
  const m = cloneModel(model);
  const g = m.graph;
  const edited = `${layer}/intervened`;
  for (const n of consumersOf(g, layer)) n.input = n.input.map((x) => (x === layer ? edited : x));
  for (const o of g.output) if (o.name === layer) throw badInput('E_INTERVENTION_LAYER', `"${layer}" is the generator's output, not a layer inside it`, layer, 'intervene on a layer the image is drawn from');
  g.initializer.push(floatTensorProto(`${edited}.keep`, keep), floatTensorProto(`${edited}.set`, set));
  g.node.push(node('Mul', [layer, `${edited}.keep`], [`${edited}/kept`]), node('Add', [`${edited}/kept`, `${edited}.set`], [edited], {}, edited));
  return m;
}

export async function intervene(chain: Chain, judges: readonly Judge[], o: InterventionOptions, rng: Rng, ctx: RunContext, where: string): Promise<InterventionResult> {
  const gen = chain.generator;
  const z = sampleLatents(rng, o.samples, gen.latent.size);
  const feeds = { [gen.latent.name]: z, ...noiseFeeds(gen, o.samples) };
  const taps = [...new Set([gen.image.name, o.layer, ...judges.map((j) => j.tensor)])];
  const base = await runItems(chain.net, feeds, taps, ctx);
  const act = base[o.layer];
  if (!act || act.dims.length !== 4) throw badInput('E_INTERVENTION_LAYER', `generator layer "${o.layer}" is not a 4-D feature map (got [${act?.dims.join(', ')}])`, where, 'intervene on a convolutional layer of the generator');
  const [, C, H, W] = act.dims;
  for (const u of o.units) if (!(Number.isInteger(u) && u >= 0 && u < C)) throw badInput('E_NO_UNIT', `unit ${u} does not exist in generator layer "${o.layer}" (${C} channels)`, where, `pick units in 0..${C - 1}`);
  const cells: [number, number][] = [];
  for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) if (inRegion(o.region, r, c, H, W)) cells.push([r, c]);
  if (cells.length === 0) throw badInput('E_INTERVENTION_REGION', `the region [${o.region.join(', ')}] covers no position of "${o.layer}" (${H}×${W})`, where, 'widen the region: it must contain the centre of at least one position');
  let value = 0;
  if (o.set === 'on') {
    if (o.value !== undefined) value = o.value;
    else {
      value = -Infinity;
      const hw = H * W;
      for (let i = 0; i < o.samples; i++) for (const u of o.units) for (let p = 0; p < hw; p++) value = Math.max(value, act.data[(i * C + u) * hw + p]);
    }
  }
  const keep = { dims: [1, C, H, W], data: new Float32Array(C * H * W).fill(1) };
  const set = { dims: [1, C, H, W], data: new Float32Array(C * H * W) };
  for (const u of o.units) for (const [r, c] of cells) {
    keep.data[(u * H + r) * W + c] = 0;
    set.data[(u * H + r) * W + c] = value;
  }
  const net = makeNet(withUnitEdit(chain.net.model, o.layer, keep, set), `${chain.net.where} (${o.set} ${o.layer}:${o.units.join(',')})`);
  const after = await runItems(net, feeds, taps, ctx);
  const sb = scores(judges, base, o.samples);
  const sa = scores(judges, after, o.samples);
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  return {
    before: sb.map(mean),
    after: sa.map(mean),
    effect: sb.map((b, k) => mean(b.map((x, i) => sa[k][i] - x))),
    locality: locality(base[gen.image.name], after[gen.image.name], o.region),
    value,
    cells,
    images: { before: base[gen.image.name], after: after[gen.image.name] },
  };
}

/** Share of Σ|after − before| over all pixels and channels that falls inside the region (1 when nothing changed). */
export function locality(before: Tensor, after: Tensor, region: Region): number {
  const [n, c, h, w] = before.dims;
  let inside = 0;
  let total = 0;
  for (let i = 0; i < n * c; i++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const k = (i * h + y) * w + x;
        const d = Math.abs(after.data[k] - before.data[k]);
        total += d;
        if (inRegion(region, y, x, h, w)) inside += d;
      }
    }
  }
  return total === 0 ? 1 : inside / total;
}
