// gradient(): the objective per item and its gradients w.r.t. inputs, layers or weights, for a
// batch, in one onnxruntime run. Gradient graphs are cached per (net, input item shape,
// objective structure, wrt), so classes, units and weights change without a rebuild.
import { makeNet } from '../net.ts';
import { run, type Net, type ConcreteDevice } from '../session.ts';
import { type Tensor, sizeOf, batchItem, concatBatch } from '../tensor.ts';
import { badInput } from '../../errors.ts';
import { probeFacts, type GraphFacts } from './facts.ts';
import { buildGradientModel, checkDifferentiable, type GradientGraph } from './build.ts';
import type { BackwardVariant } from './variants/variant.ts';
import { compileObjective, objectiveTensors, structureKey, type Objective, type ObjectiveStructure } from './objective.ts';
import type { MaxPoolTies } from './rules/pool.ts';

export interface GradientRequest {
  /** Graph inputs by name, each [N, …] with the same N. */
  input: Record<string, Tensor>;
  objective: Objective;
  /** Inputs, intermediate tensors or initializers (weights) to differentiate w.r.t. */
  wrt: string[];
  /** Forward tensors to return as well (same run). */
  outputs?: string[];
  /** A modified backward pass (Guided Backprop, DeepLIFT, LRP); the ordinary gradient when absent. */
  variant?: BackwardVariant;
  /** Who gets a max-pool window's gradient when inputs tie for its max (default `split`; `first` as PyTorch). */
  maxPoolTies?: MaxPoolTies;
  /** The reference input per `wrt` input, shaped as the input, for variants that compare against one (DeepLIFT). */
  reference?: Record<string, Tensor>;
}

export interface GradientResult {
  /** The objective of each batch item. */
  objective: Float32Array;
  /**
   * ∂(Σ_items objective)/∂t per wrt tensor. Items do not interact, so an input's or layer's
   * gradient row n is item n's own gradient; a weight's gradient sums over items.
   */
  grads: Record<string, Tensor>;
  outputs: Record<string, Tensor>;
}

export interface GradientOptions {
  device?: ConcreteDevice;
}

/** A built gradient graph: the Net onnxruntime runs, its input/output names, and the facts it was built from. */
export interface BuiltGradient { net: Net; graph: GradientGraph; facts: GraphFacts }

const MAX_FACTS = 16;
// A built graph holds a copy of the model's (folded) weights: InceptionV3's are ~90 MB.
const MAX_BUILT = 4;
const MAX_CHECKED = 64;
const checked = new Map<string, boolean>();
const factsCache = new Map<string, Promise<GraphFacts>>();
const builtCache = new Map<string, Promise<BuiltGradient>>();

function lru<T>(cache: Map<string, T>, key: string, make: () => T, max: number): T {
  let hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  hit = make();
  cache.set(key, hit);
  if (hit instanceof Promise) hit.catch(() => cache.delete(key));
  while (cache.size > max) cache.delete(cache.keys().next().value as string);
  return hit;
}

/** Shape facts for a net at given input item dims (probed once, cached). */
export function factsFor(net: Net, itemDims: Record<string, number[]>, batchHint = 1): Promise<GraphFacts> {
  const key = `${net.hash}|${JSON.stringify(Object.entries(itemDims).sort())}`;
  return lru(factsCache, key, () => probeFacts(net.model, itemDims, net.where, batchHint), MAX_FACTS);
}

/**
 * The gradient graph (as a Net, sessions cached by the engine) for a structure, wrt set and
 * the forward tensors to be read along (rewrites such as BN folding keep those).
 */
export function gradientNetFor(net: Net, facts: GraphFacts, structure: ObjectiveStructure, wrt: string[], outputs: string[] = [], variant?: BackwardVariant, maxPoolTies: MaxPoolTies = 'split'): Promise<BuiltGradient> {
  const outs = [...new Set(outputs)].sort();
  const key = `${net.hash}|${JSON.stringify(Object.entries(facts.itemDims).sort())}|${structureKey(structure)}|${wrt.join('\u0000')}|${outs.join('\u0000')}|${variant?.key ?? ''}|${maxPoolTies}`;
  return lru(builtCache, key, async () => {
    const graph = buildGradientModel(net.model, structure, wrt, facts, net.where, { outputs: outs, variant, maxPoolTies });
    return { net: makeNet(graph.model, `${net.where} (gradient)`), graph, facts };
  }, MAX_BUILT);
}

function batchOf(input: Record<string, Tensor>, where: string): { n: number; itemDims: Record<string, number[]> } {
  const entries = Object.entries(input);
  if (entries.length === 0) throw badInput('E_FEED', 'no input given', where, 'pass the model input, e.g. { input: { [name]: tensor } }');
  const n = entries[0][1].dims[0];
  const itemDims: Record<string, number[]> = {};
  for (const [name, t] of entries) {
    if (t.dims.length === 0 || t.dims[0] !== n) {
      throw badInput('E_FEED_SHAPE', `input "${name}" has shape [${t.dims}]; every input needs the same leading batch size (${n})`, where, 'stack items along axis 0');
    }
    if (t.data.length !== sizeOf(t.dims)) throw badInput('E_FEED_SHAPE', `input "${name}": ${t.data.length} values do not fill shape [${t.dims}]`, where, 'check the tensor');
    itemDims[name] = t.dims.slice(1);
  }
  return { n, itemDims };
}

/**
 * Differentiate `objective` w.r.t. `wrt` for every item of a batch, in one run (or one per
 * item for fixed-batch graphs).
 *
 *   const r = await gradient(net, { input: { input_1: x }, objective: logit('logits', [3, 0]), wrt: ['input_1', 'mixed2'] });
 *   r.objective   // Float32Array, one value per item
 *   r.grads.mixed2 // same shape as mixed2: what Grad-CAM weighs
 */
export async function gradient(net: Net, request: GradientRequest, opts: GradientOptions = {}): Promise<GradientResult> {
  const req = { ...request, wrt: [...new Set(request.wrt)], outputs: [...new Set(request.outputs ?? [])] };
  const { n, itemDims } = batchOf(req.input, net.where);
  // Refuse unsupported ops before probing anything (once per net, objective tensors and wrt).
  const tensors = objectiveTensors(req.objective);
  lru(checked, `${net.hash}|${tensors.join('\u0000')}|${req.wrt.join('\u0000')}`, () => {
    checkDifferentiable(net.model, tensors, req.wrt, net.where);
    return true;
  }, MAX_CHECKED);
  const facts = await factsFor(net, itemDims, n);
  if (facts.batchMode === 'fixed' && facts.probeBatch !== 1 && n !== facts.probeBatch) {
    throw badInput('E_FEED_SHAPE', `the model only runs at batch ${facts.probeBatch} (its graph fixes the batch size); got ${n}`, net.where,
      `pass ${facts.probeBatch} items at a time, or re-export the model with a dynamic batch axis`);
  }
  const compiled = compileObjective(req.objective, facts, n);
  const built = await gradientNetFor(net, facts, compiled.structure, req.wrt, req.outputs, req.variant, req.maxPoolTies);
  const { graph } = built;
  const feeds: Record<string, Tensor> = { ...req.input };
  for (const [name, input] of Object.entries(graph.reference ?? {})) {
    const r = req.reference?.[name];
    const x = req.input[name];
    if (!r || r.dims.length !== x.dims.length || r.dims.some((d, i) => d !== x.dims[i]) || r.data.length !== x.data.length) {
      throw badInput('E_FEED_SHAPE', `the ${req.variant!.key} backward pass needs a reference for "${name}" shaped as the input [${x.dims}]${r ? `, got [${r.dims}]` : ''}`, net.where, 'pass request.reference');
    }
    feeds[input] = r;
  }
  for (const [t, w] of Object.entries(compiled.linear)) feeds[graph.feeds.linear[t]] = w;
  compiled.contrastive.forEach((c, i) => {
    feeds[graph.feeds.contrastive[i].mask] = c.mask;
    feeds[graph.feeds.contrastive[i].scale] = c.scale;
  });
  const extra = req.outputs;
  const names = [graph.objective, ...req.wrt.map((w) => graph.grads[w]), ...extra];
  const device = opts.device ?? 'cpu';

  let res: Record<string, Tensor>;
  if (facts.batchMode === 'free' || n === facts.probeBatch) {
    res = await run(built.net, feeds, names, { device });
  } else {
    // A fixed-batch graph (e.g. Reshape to [1, −1]) runs item by item; weight gradients add up.
    const parts: Record<string, Tensor>[] = [];
    for (let i = 0; i < n; i++) {
      const item = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, copyOf(batchItem(t, i))]));
      parts.push(await run(built.net, item, names, { device }));
    }
    const weights = new Set(net.model.graph.initializer.map((t) => t.name));
    res = {};
    for (const name of names) {
      const wrtName = req.wrt.find((w) => graph.grads[w] === name);
      res[name] = wrtName && weights.has(wrtName) ? addAll(parts.map((p) => p[name])) : concatBatch(parts.map((p) => p[name]));
    }
  }
  return {
    objective: Float32Array.from(res[graph.objective].data),
    grads: Object.fromEntries(req.wrt.map((w) => [w, res[graph.grads[w]]])),
    outputs: Object.fromEntries(extra.map((o) => [o, res[o]])),
  };
}

function copyOf(t: Tensor): Tensor {
  return { dims: [...t.dims], data: t.data.slice() };
}

function addAll(ts: Tensor[]): Tensor {
  const out = Float32Array.from(ts[0].data);
  for (const t of ts.slice(1)) for (let i = 0; i < out.length; i++) out[i] += t.data[i];
  return { dims: [...ts[0].dims], data: out };
}
