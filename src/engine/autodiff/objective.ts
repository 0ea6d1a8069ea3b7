// Objectives as plain data (unit, channel mean, class logit, contrastive logit, weighted taps,
// caller-supplied upstream gradient, sums) and their compilation into per-item weight feeds:
// every linear objective is Σ W ⊙ tensor with W a graph input, so one gradient graph serves
// every class, unit and batch mix; only the contrastive max needs graph structure of its own.
import { type Tensor, sizeOf } from '../tensor.ts';
import { badInput } from '../../errors.ts';
import type { GraphFacts } from './facts.ts';
import { isFloat } from './facts.ts';

/** One value for the whole batch, or one per batch item. */
export type PerItem = number | readonly number[];

/**
 * The one objective vocabulary of neurogate, shared by the engine, attribution targets and feature
 * visualization: what is read is a `tensor` (an IR tensor name), a unit is `channel` at `y`, `x`, a
 * class is an `index`; values compose with `sum` and `scale` (Lucid's algebra, written as calls).
 * `V` is a number for one input, or PerItem where a batch mixes objectives.
 */
export interface UnitObjective<V = PerItem> {
  /** One unit: channel `channel` of `tensor` at (y, x) (default: the centre). */
  kind: 'unit';
  tensor: string;
  channel: V;
  y?: V;
  x?: V;
}

export interface ChannelObjective<V = PerItem> {
  /** The spatial mean of channel `channel`. */
  kind: 'channel';
  tensor: string;
  channel: V;
}

/** A weighted sum of objectives of one vocabulary (`scale(s, o)` is a sum of one term). */
export interface Sum<T> {
  kind: 'sum';
  terms: { objective: T; scale: number }[];
}

export type Objective =
  | UnitObjective
  | ChannelObjective
  /** A class logit (index along axis 1, summed over any trailing axes). */
  | { kind: 'logit'; tensor: string; index: PerItem }
  /** Logit c minus the best other class of a [N, K] tensor; the subgradient goes to the argmax (first on ties). */
  | { kind: 'contrastive'; tensor: string; index: PerItem }
  /** Σ weight ⊙ tensor over taps; weights [N, …] per item, or [1, …] for all items. */
  | { kind: 'weighted'; weights: Record<string, Tensor> }
  /**
   * A caller's upstream gradient for `tensor` ([N, …] or [1, …]): the gradients returned are
   * its vector-Jacobian products; the objective value reported is Σ grad ⊙ tensor.
   */
  | { kind: 'upstream'; tensor: string; grad: Tensor }
  | Sum<Objective>;

export const unit = (tensor: string, channel: PerItem, y?: PerItem, x?: PerItem): Objective => ({ kind: 'unit', tensor, channel, y, x });
export const channel = (tensor: string, c: PerItem): Objective => ({ kind: 'channel', tensor, channel: c });
export const logit = (tensor: string, index: PerItem): Objective => ({ kind: 'logit', tensor, index });
export const contrastive = (tensor: string, index: PerItem): Objective => ({ kind: 'contrastive', tensor, index });
export const weighted = (weights: Record<string, Tensor>): Objective => ({ kind: 'weighted', weights });
export const upstream = (tensor: string, grad: Tensor): Objective => ({ kind: 'upstream', tensor, grad });
/** The sum of objectives (of any one vocabulary: engine objectives, feature-visualization terms). */
export const sum = <T>(...objectives: T[]): Sum<T> => ({ kind: 'sum', terms: objectives.map((objective) => ({ objective, scale: 1 })) });
export const scale = <T>(s: number, objective: T): Sum<T> => ({ kind: 'sum', terms: [{ objective, scale: s }] });

/** The terms of an objective with their overall factors, nested sums and scales multiplied out. */
export function flattenSum<T extends { kind: string }>(o: T, factor = 1, out: { factor: number; term: Exclude<T, Sum<unknown>> }[] = []): { factor: number; term: Exclude<T, Sum<unknown>> }[] {
  if (o.kind === 'sum') for (const t of (o as unknown as Sum<T>).terms) flattenSum(t.objective, factor * t.scale, out);
  else out.push({ factor, term: o as Exclude<T, Sum<unknown>> });
  return out;
}

/** The graph-relevant shape of an objective: which tensors carry linear weights, which a contrastive term. */
export interface ObjectiveStructure {
  linear: string[];
  contrastive: string[];
}

export interface CompiledObjective {
  structure: ObjectiveStructure;
  /** Per linear tensor: weights [N, …item]. */
  linear: Record<string, Tensor>;
  /** Per contrastive term (in structure order): mask [N, K] (1 at the target) and scale [N, 1]. */
  contrastive: { mask: Tensor; scale: Tensor }[];
}

/** Every tensor an objective reads (for checks before anything runs). */
export function objectiveTensors(o: Objective): string[] {
  switch (o.kind) {
    case 'weighted': return Object.keys(o.weights);
    case 'sum': return [...new Set(o.terms.flatMap((t) => objectiveTensors(t.objective)))];
    default: return [o.tensor];
  }
}

export function structureKey(s: ObjectiveStructure): string {
  return `L:${s.linear.join('\u0000')}|C:${s.contrastive.join('\u0000')}`;
}

const WHERE = 'objective';

function perItem(v: PerItem, n: number, what: string): number[] {
  if (typeof v === 'number') return new Array(n).fill(v);
  if (v.length !== n) throw badInput('E_OBJECTIVE', `${what} has ${v.length} values for a batch of ${n}`, WHERE, 'give one value, or one per batch item');
  return [...v];
}

function inRange(v: number, size: number, what: string, tensor: string, dims: number[]): void {
  if (!Number.isInteger(v) || v < 0 || v >= size) {
    throw badInput('E_OBJECTIVE', `${what} ${v} is out of range for tensor "${tensor}" of shape [${dims}] (valid: 0…${size - 1})`, WHERE,
      'list the layer shapes with `neurogate layers <model>`');
  }
}

/** Item dims (after the batch axis) of an objective tensor; refuses tensors without a batch axis. */
function itemDimsOf(facts: GraphFacts, tensor: string): number[] {
  const f = facts.tensors.get(tensor);
  if (!f) throw badInput('E_NO_TENSOR', `the objective reads tensor "${tensor}", which the model does not have`, WHERE, 'list the names with `neurogate layers <model>`');
  if (!isFloat(f.dtype)) throw badInput('E_OBJECTIVE', `tensor "${tensor}" holds ${f.dtype}, not floats`, WHERE, 'pick a float activation');
  const batched = facts.batchMode === 'free' ? f.batch[0] : f.dims[0] === facts.probeBatch;
  if (!batched || f.dims.length === 0) {
    throw badInput('E_OBJECTIVE', `tensor "${tensor}" of shape [${f.dims}] has no leading batch axis, so it has no per-item value`, WHERE,
      'pick a tensor computed per input (its first axis is the batch)');
  }
  return f.dims.slice(1);
}

/** Broadcast a [1, …] or [N, …] weight tensor to N items. */
function perItemWeights(t: Tensor, item: number[], n: number, what: string): Float32Array {
  const per = sizeOf(item);
  const okDims = t.dims.length === item.length + 1 && t.dims.slice(1).every((d, i) => d === item[i]) && (t.dims[0] === 1 || t.dims[0] === n);
  if (!okDims || t.data.length !== sizeOf(t.dims)) {
    throw badInput('E_OBJECTIVE', `${what} has shape [${t.dims}], expected [${n}, ${item}] or [1, ${item}]`, WHERE, 'weights match the tensor they weigh, per batch item');
  }
  if (t.dims[0] === n) return Float32Array.from(t.data);
  const out = new Float32Array(n * per);
  for (let i = 0; i < n; i++) out.set(t.data.subarray(0, per), i * per);
  return out;
}

/** Turn an objective into weight feeds for a batch of n items. */
export function compileObjective(o: Objective, facts: GraphFacts, n: number): CompiledObjective {
  const linear = new Map<string, Float32Array>();
  const contrastive: { tensor: string; mask: Float32Array; scale: Float32Array; k: number }[] = [];
  const weights = (tensor: string): [Float32Array, number[]] => {
    const item = itemDimsOf(facts, tensor);
    let w = linear.get(tensor);
    if (!w) {
      w = new Float32Array(n * sizeOf(item));
      linear.set(tensor, w);
    }
    return [w, item];
  };
  const visit = (o: Objective, s: number) => {
    switch (o.kind) {
      case 'unit': {
        const [w, item] = weights(o.tensor);
        const [C, ...sp] = item;
        const cs = perItem(o.channel, n, 'unit channel');
        const coords = sp.length === 2 ? [o.y, o.x] : sp.map(() => undefined);
        if (sp.length !== 2 && (o.y !== undefined || o.x !== undefined)) {
          throw badInput('E_OBJECTIVE', `unit y/x given for tensor "${o.tensor}" of item shape [${item}], which has no 2-D spatial axes`, WHERE, 'omit y and x');
        }
        const pos = sp.map((d, a) => perItem(coords[a] ?? Math.floor(d / 2), n, a === 0 ? 'unit y' : 'unit x'));
        const per = sizeOf(item);
        for (let i = 0; i < n; i++) {
          inRange(cs[i], C, 'channel', o.tensor, [n, ...item]);
          let off = cs[i];
          sp.forEach((d, a) => {
            inRange(pos[a][i], d, a === 0 ? 'y' : 'x', o.tensor, [n, ...item]);
            off = off * d + pos[a][i];
          });
          w[i * per + off] += s;
        }
        return;
      }
      case 'channel':
      case 'logit': {
        const [w, item] = weights(o.tensor);
        const C = item[0];
        if (C === undefined) throw badInput('E_OBJECTIVE', `tensor "${o.tensor}" has no channel axis`, WHERE, 'pick a tensor of shape [N, C, …]');
        const cs = perItem(o.kind === 'channel' ? o.channel : o.index, n, o.kind === 'channel' ? 'channel' : 'class index');
        const inner = sizeOf(item.slice(1));
        const v = o.kind === 'channel' ? s / inner : s;
        const per = sizeOf(item);
        for (let i = 0; i < n; i++) {
          inRange(cs[i], C, o.kind === 'channel' ? 'channel' : 'class index', o.tensor, [n, ...item]);
          const base = i * per + cs[i] * inner;
          for (let j = 0; j < inner; j++) w[base + j] += v;
        }
        return;
      }
      case 'contrastive': {
        const item = itemDimsOf(facts, o.tensor);
        if (item.length !== 1 || item[0] < 2) {
          throw badInput('E_OBJECTIVE', `a contrastive objective needs logits of shape [N, K ≥ 2]; "${o.tensor}" has item shape [${item}]`, WHERE,
            'use the logits tensor (flattened, before softmax)');
        }
        const K = item[0];
        const cs = perItem(o.index, n, 'class index');
        const mask = new Float32Array(n * K);
        cs.forEach((c, i) => {
          inRange(c, K, 'class index', o.tensor, [n, K]);
          mask[i * K + c] = 1;
        });
        contrastive.push({ tensor: o.tensor, mask, scale: new Float32Array(n).fill(s), k: K });
        return;
      }
      case 'weighted':
        for (const [tensor, t] of Object.entries(o.weights)) {
          const [w, item] = weights(tensor);
          const add = perItemWeights(t, item, n, `weights for "${tensor}"`);
          for (let i = 0; i < w.length; i++) w[i] += s * add[i];
        }
        return;
      case 'upstream': {
        const [w, item] = weights(o.tensor);
        const add = perItemWeights(o.grad, item, n, `upstream gradient for "${o.tensor}"`);
        for (let i = 0; i < w.length; i++) w[i] += s * add[i];
        return;
      }
      case 'sum':
        for (const t of o.terms) visit(t.objective, s * t.scale);
        return;
      default:
        throw badInput('E_OBJECTIVE', `unknown objective kind "${(o as { kind: string }).kind}"`, WHERE,
          'use unit, channel, logit, contrastive, weighted, upstream or sum');
    }
  };
  visit(o, 1);
  const names = [...linear.keys()].sort();
  return {
    structure: { linear: names, contrastive: contrastive.map((c) => c.tensor) },
    linear: Object.fromEntries(names.map((t) => [t, { dims: [n, ...itemDimsOf(facts, t)], data: linear.get(t)! }])),
    contrastive: contrastive.map((c) => ({ mask: { dims: [n, c.k], data: c.mask }, scale: { dims: [n, 1], data: c.scale } })),
  };
}
