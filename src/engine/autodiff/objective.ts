// Objectives as plain data (unit, channel mean, class logit, contrastive logit, a region of a dense
// map, an element or a direction of any tensor, weighted taps, caller-supplied upstream gradient,
// sums) and their compilation into per-item weight feeds:
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

/**
 * A window of a dense map's spatial grid [H, W]. A box is [y0, x0, y1, x1] in the map's own cells
 * (`pixels`, the default) or as fractions of its height and width (`fraction`); either way a cell
 * is inside when its centre is: y0 ≤ y + ½ < y1 (in cells), so an integer box [0, 0, 2, 3] is rows
 * 0–1 and columns 0–2, and a fractional box means the same cells at any output resolution. A mask
 * [h, w] marks cells with a value > 0.5; it is resized to [H, W] by nearest neighbour (cell y reads
 * row ⌊(y + ½)·h / H⌋), so a mask drawn at input resolution selects the output cells it covers.
 */
export type Region =
  | { box: readonly [number, number, number, number]; units?: 'pixels' | 'fraction' }
  | { mask: Tensor };

export interface RegionObjective {
  /** The sum (or mean) of channel `channel` of a [N, C, H, W] map over a region of its grid. */
  kind: 'region';
  tensor: string;
  channel: number;
  region: Region;
  reduce: 'sum' | 'mean';
}

export interface ElementObjective {
  /** One element of a tensor of any rank, by its full item index (no batch axis). */
  kind: 'element';
  tensor: string;
  index: readonly number[];
}

export interface DirectionObjective {
  /** The dot product of one item (flattened row-major) with a fixed vector of the same length. */
  kind: 'direction';
  tensor: string;
  direction: readonly number[];
}

/** The objectives that weigh a whole item by fixed weights: the value is Σ w ⊙ item. */
export type DenseObjective = RegionObjective | ElementObjective | DirectionObjective;

/** A weighted sum of objectives of one vocabulary (`scale(s, o)` is a sum of one term). */
export interface Sum<T> {
  kind: 'sum';
  terms: { objective: T; scale: number }[];
}

export type Objective =
  | UnitObjective
  | ChannelObjective
  | DenseObjective
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
export const region = (tensor: string, c: number, r: Region, reduce: 'sum' | 'mean' = 'sum'): Objective => ({ kind: 'region', tensor, channel: c, region: r, reduce });
export const element = (tensor: string, index: readonly number[]): Objective => ({ kind: 'element', tensor, index });
export const direction = (tensor: string, d: readonly number[]): Objective => ({ kind: 'direction', tensor, direction: d });
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

/** How an error about a dense objective is worded: the engine's own, or a spec's at its line. */
export type Fail = (message: string, hint: string) => Error;
const objectiveFail: Fail = (message, hint) => badInput('E_OBJECTIVE', message, WHERE, hint);

/** The fixed weights of a dense objective over one item, sparse: its value is Σₖ weight[k] · item[at[k]]. */
export interface DenseWeights {
  /** Row-major offsets into one item. */
  at: Uint32Array;
  weight: Float64Array;
}

/**
 * The weights of a dense objective on a tensor of item dims `item`, its shape and ranges checked.
 * The one definition both forward scores and compiled gradients read, so the two cannot disagree
 * on which elements count or by how much.
 */
export function denseWeights(o: DenseObjective, item: readonly number[], fail: Fail = objectiveFail): DenseWeights {
  switch (o.kind) {
    case 'element': {
      if (o.index.length !== item.length) {
        throw fail(`index [${o.index}] has ${o.index.length} coordinates, and tensor "${o.tensor}" has item shape [${item}] (${item.length} axes after the batch axis)`,
          `give one coordinate per axis after the batch axis, e.g. [${item.map(() => 0)}]`);
      }
      let off = 0;
      o.index.forEach((v, a) => {
        if (!Number.isInteger(v) || v < 0 || v >= item[a]) throw fail(`index ${v} on axis ${a + 1} of "${o.tensor}" (item shape [${item}]) is out of range (0…${item[a] - 1})`, 'list the shapes with `neurogate layers <model>`');
        off = off * item[a] + v;
      });
      return { at: Uint32Array.of(off), weight: Float64Array.of(1) };
    }
    case 'direction': {
      const size = sizeOf(item);
      if (o.direction.length !== size) {
        throw fail(`the direction has ${o.direction.length} entries, and one item of "${o.tensor}" (shape [${item}]) has ${size} elements`, `give ${size} weights, one per element of an item in row-major order`);
      }
      const bad = o.direction.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw fail(`direction entry ${bad} is ${o.direction[bad]}`, 'every weight is a finite number');
      return { at: Uint32Array.from(o.direction.keys()), weight: Float64Array.from(o.direction) };
    }
    case 'region': {
      if (item.length !== 3) {
        throw fail(`a region target reads a map of item shape [C, H, W], and "${o.tensor}" has item shape [${item}]`, 'pick a dense output or layer laid out [N, C, H, W]');
      }
      const [C, H, W] = item;
      if (!Number.isInteger(o.channel) || o.channel < 0 || o.channel >= C) throw fail(`channel ${o.channel} is out of range for "${o.tensor}" (0…${C - 1})`, 'list the channels with `neurogate layers <model>`');
      const cells = regionCells(o.region, H, W, fail);
      const at: number[] = [];
      cells.forEach((inside, j) => inside && at.push(o.channel * H * W + j));
      if (at.length === 0) throw fail(`the region covers no cell of the ${H}×${W} map of "${o.tensor}"`, 'a cell counts when its centre is inside: widen the box, or mark more of the mask');
      return { at: Uint32Array.from(at), weight: new Float64Array(at.length).fill(o.reduce === 'mean' ? 1 / at.length : 1) };
    }
  }
}

/** Which cells of an H×W grid a region holds (1 inside), by the rule written on `Region`. */
export function regionCells(r: Region, H: number, W: number, fail: Fail = objectiveFail): Uint8Array {
  const cells = new Uint8Array(H * W);
  if ('box' in r) {
    const [y0, x0, y1, x1] = r.box;
    const fraction = r.units === 'fraction';
    if (r.box.length !== 4 || !r.box.every(Number.isFinite)) throw fail(`box [${r.box}] is not four finite numbers`, 'a box is [y0, x0, y1, x1]');
    if (!(y0 < y1 && x0 < x1)) throw fail(`box [${r.box}] is empty: it needs y0 < y1 and x0 < x1`, 'a box is [y0, x0, y1, x1], top-left then bottom-right');
    if (fraction && r.box.some((v) => v < 0 || v > 1)) throw fail(`box [${r.box}] is given as fractions and leaves [0, 1]`, 'fractions of the map\'s height and width lie in [0, 1]');
    if (!fraction && (y0 < 0 || x0 < 0 || y1 > H || x1 > W)) {
      throw fail(`box [${r.box}] leaves the ${H}×${W} map`, `keep 0 ≤ y0 < y1 ≤ ${H} and 0 ≤ x0 < x1 ≤ ${W} (output cells), or give fractions with \`units: fraction\``);
    }
    const [sy, sx] = fraction ? [H, W] : [1, 1];
    for (let y = 0; y < H; y++) {
      if (y + 0.5 < y0 * sy || y + 0.5 >= y1 * sy) continue;
      for (let x = 0; x < W; x++) if (x + 0.5 >= x0 * sx && x + 0.5 < x1 * sx) cells[y * W + x] = 1;
    }
    return cells;
  }
  const m = r.mask;
  if (m.dims.length !== 2 || m.dims.some((d) => !Number.isInteger(d) || d < 1) || m.data.length !== sizeOf(m.dims)) {
    throw fail(`the region mask has shape [${m.dims}], expected [h, w]`, 'a mask is one grey image');
  }
  const [h, w] = m.dims;
  for (let y = 0; y < H; y++) {
    const my = Math.floor(((y + 0.5) * h) / H);
    for (let x = 0; x < W; x++) if (m.data[my * w + Math.floor(((x + 0.5) * w) / W)] > 0.5) cells[y * W + x] = 1;
  }
  return cells;
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
      case 'region':
      case 'element':
      case 'direction': {
        const [w, item] = weights(o.tensor);
        const d = denseWeights(o, item);
        const per = sizeOf(item);
        for (let i = 0; i < n; i++) for (let k = 0; k < d.at.length; k++) w[i * per + d.at[k]] += s * d.weight[k];
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
          'use unit, channel, region, element, direction, logit, contrastive, weighted, upstream or sum');
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
