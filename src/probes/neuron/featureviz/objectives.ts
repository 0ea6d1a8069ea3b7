// Feature-visualization objectives as small composable values (Lucid's algebra without operator
// overloading): unit, channel, direction, diversity on layers; l1 and total variation on the image;
// sum and scale to combine — e.g. sum(channel('mixed2', 79), scale(-0.05, l1())).
//
// Evaluation splits an objective three ways: terms linear in a layer (unit, channel, direction)
// become one weighted autodiff objective; diversity needs the layer's values first and enters as
// an upstream gradient; image terms are computed here in JS with their exact (sub)gradients.
import { flattenSum, scale, sum, type ChannelObjective, type Sum, type UnitObjective } from '../../../engine/autodiff/objective.ts';
import type { Tensor } from '../../../engine/tensor.ts';

/** A term of a feature-visualization objective: the engine's unit and channel, plus terms only an image optimisation has. */
export type FvTerm =
  | UnitObjective<number>
  | ChannelObjective<number>
  /** Dot product of the tensor's channel vector with `vector`: at (y, x), at the probed position (`at: 'center'`) or averaged over space. */
  | { kind: 'direction'; tensor: string; vector: readonly number[]; y?: number; x?: number; at?: 'center' }
  /** Lucid's diversity: Σ over pairs of items of the cosine similarity of their Gram matrices, ÷ batch. Use with a negative scale. */
  | { kind: 'diversity'; tensor: string }
  /** Σ |image − constant| over the image in [0, 1] (before transforms). Use with a negative scale. */
  | { kind: 'l1'; constant: number }
  /** Total variation Σ |Δy| + |Δx| of the image in [0, 1]. Use with a negative scale. */
  | { kind: 'tv' };

/** Terms combined by the engine's `sum` and `scale`. */
export type FvObjective = FvTerm | Sum<FvObjective>;

/** One unit: channel `c` of `tensor` at (y, x) (default: the probed position). */
export const unit = (tensor: string, c: number, y?: number, x?: number): FvObjective => ({ kind: 'unit', tensor, channel: c, y, x });
export const channel = (tensor: string, c: number): FvObjective => ({ kind: 'channel', tensor, channel: c });
export const direction = (tensor: string, vector: readonly number[], y?: number, x?: number): FvObjective => ({ kind: 'direction', tensor, vector, y, x });
/** A direction read at one place only: the probed position (Lucid's `direction_neuron`). */
export const directionAtCenter = (tensor: string, vector: readonly number[]): FvObjective => ({ kind: 'direction', tensor, vector, at: 'center' });
export const diversity = (tensor: string): FvObjective => ({ kind: 'diversity', tensor });
export const l1 = (constant = 0.5): FvObjective => ({ kind: 'l1', constant });
export const tv = (): FvObjective => ({ kind: 'tv' });
export { sum, scale };

/** A term with its overall factor after flattening sums and scales. */
export interface Term {
  factor: number;
  term: FvTerm;
}

export function flatten(o: FvObjective): Term[] {
  return flattenSum(o);
}

/** Tensors an objective reads. */
export function objectiveLayers(o: FvObjective): string[] {
  return [...new Set(flatten(o).flatMap((t) => ('tensor' in t.term ? [t.term.tensor] : [])))];
}

const at = (t: { y?: number; x?: number }) => (t.y !== undefined && t.x !== undefined ? ` @${t.y},${t.x}` : '');

/** A short human label, e.g. `unit(mixed2:79) − 0.05·l1`. */
export function describeObjective(o: FvObjective): string {
  return flatten(o).map(({ factor, term }, i) => {
    const body = term.kind === 'unit' ? `unit(${term.tensor}:${term.channel}${at(term)})`
      : term.kind === 'channel' ? `channel(${term.tensor}:${term.channel})`
      : term.kind === 'direction' ? `direction(${term.tensor}${at(term)}${term.at ? ' @centre' : ''})`
      : term.kind === 'diversity' ? `diversity(${term.tensor})`
      : term.kind === 'l1' ? `l1(${term.constant})` : 'tv';
    const f = Math.abs(factor) === 1 ? '' : `${+Math.abs(factor).toPrecision(4)}·`;
    return `${i === 0 ? (factor < 0 ? '−' : '') : factor < 0 ? ' − ' : ' + '}${f}${body}`;
  }).join('');
}

/**
 * The linear layer terms as weights per layer tensor, [n, C, h, w], for the autodiff `weighted`
 * objective. `dims` gives each layer's item shape [C, h, w]; `center` the default unit position.
 */
export function linearWeights(terms: readonly Term[], n: number, dims: ReadonlyMap<string, readonly number[]>, center: ReadonlyMap<string, { y: number; x: number }>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const { factor, term } of terms) {
    if (term.kind !== 'unit' && term.kind !== 'channel' && term.kind !== 'direction') continue;
    const d = dims.get(term.tensor);
    if (!d) throw new RangeError(`objective layer "${term.tensor}" was not measured`);
    const [C, h = 1, w = 1] = d;
    const per = C * h * w;
    out[term.tensor] ??= { dims: [n, ...d], data: new Float32Array(n * per) };
    const wts = out[term.tensor].data;
    const pos = (t: { y?: number; x?: number }) => {
      const q = t.y !== undefined && t.x !== undefined ? { y: t.y, x: t.x } : center.get(term.tensor) ?? { y: Math.floor(h / 2), x: Math.floor(w / 2) };
      if (q.y < 0 || q.y >= h || q.x < 0 || q.x >= w) throw new RangeError(`position (${q.y}, ${q.x}) is outside the ${h}×${w} map of "${term.tensor}"`);
      return q.y * w + q.x;
    };
    for (let i = 0; i < n; i++) {
      const base = i * per;
      if (term.kind === 'unit') {
        if (term.channel < 0 || term.channel >= C) throw new RangeError(`unit ${term.channel} is outside 0..${C - 1} of "${term.tensor}"`);
        wts[base + term.channel * h * w + pos(term)] += factor;
      } else if (term.kind === 'channel') {
        if (term.channel < 0 || term.channel >= C) throw new RangeError(`unit ${term.channel} is outside 0..${C - 1} of "${term.tensor}"`);
        for (let j = 0; j < h * w; j++) wts[base + term.channel * h * w + j] += factor / (h * w);
      } else {
        if (term.vector.length !== C) throw new RangeError(`direction has ${term.vector.length} values, layer "${term.tensor}" has ${C} channels`);
        if ((term.y !== undefined && term.x !== undefined) || term.at === 'center') {
          const p = pos(term);
          for (let c = 0; c < C; c++) wts[base + c * h * w + p] += factor * term.vector[c];
        } else {
          for (let c = 0; c < C; c++) for (let j = 0; j < h * w; j++) wts[base + c * h * w + j] += (factor * term.vector[c]) / (h * w);
        }
      }
    }
  }
  return out;
}

/**
 * Lucid's diversity of a batch of activations [n, C, h, w] and its gradient: with Gram matrices
 * G_i = A_i·A_iᵀ (C × C, A_i = item i as C × hw) normalized to unit Frobenius norm,
 * D = (1/n) Σ_i Σ_{j≠i} ⟨Ĝ_i, Ĝ_j⟩.
 */
export function diversityAndGrad(t: Tensor): { value: number; grad: Float32Array } {
  const [n, C, h = 1, w = 1] = t.dims;
  const P = h * w;
  const grams: Float64Array[] = [];
  const norms: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = new Float64Array(C * C);
    const a = t.data.subarray(i * C * P, (i + 1) * C * P);
    for (let c = 0; c < C; c++) {
      for (let d = c; d < C; d++) {
        let s = 0;
        for (let p = 0; p < P; p++) s += a[c * P + p] * a[d * P + p];
        g[c * C + d] = s;
        g[d * C + c] = s;
      }
    }
    let nn = 0;
    for (const v of g) nn += v * v;
    const norm = Math.max(Math.sqrt(nn), 1e-10);
    norms.push(norm);
    grams.push(g.map((v) => v / norm));
  }
  let value = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) for (let k = 0; k < C * C; k++) value += grams[i][k] * grams[j][k];
  value /= n;
  const grad = new Float32Array(t.data.length);
  for (let i = 0; i < n; i++) {
    // ∂D/∂Ĝ_i = (2/n) Σ_{j≠i} Ĝ_j; through the normalization: (U − ⟨U, Ĝ⟩Ĝ) / ‖G‖.
    const u = new Float64Array(C * C);
    for (let j = 0; j < n; j++) if (j !== i) for (let k = 0; k < C * C; k++) u[k] += (2 / n) * grams[j][k];
    let dot = 0;
    for (let k = 0; k < C * C; k++) dot += u[k] * grams[i][k];
    const v = u.map((x, k) => (x - dot * grams[i][k]) / norms[i]);
    // G = A Aᵀ ⇒ ∂/∂A = (V + Vᵀ) A; V is symmetric here, so 2·V·A.
    const a = t.data.subarray(i * C * P, (i + 1) * C * P);
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < P; p++) {
        let s = 0;
        for (let d = 0; d < C; d++) s += v[c * C + d] * a[d * P + p];
        grad[i * C * P + c * P + p] = 2 * s;
      }
    }
  }
  return { value, grad };
}

/**
 * How alike a batch's items are in a layer [n, C, h, w]: the mean over pairs of the cosine
 * similarity of their Gram matrices — the quantity Lucid's diversity term penalizes (its value is
 * this times n − 1). 1 − this is the batch's mean pairwise cosine distance; null below 2 items.
 */
export function gramSimilarity(t: Tensor): number | null {
  const n = t.dims[0];
  if (n < 2) return null;
  return diversityAndGrad(t).value / (n - 1);
}

/** Image terms (l1, tv) on images in [0, 1], planar [n, 3, h, w]: per-item value and the gradient. */
export function imageTerms(terms: readonly Term[], img: Float64Array, n: number, h: number, w: number): { values: number[]; grad: Float64Array } {
  const values = new Array<number>(n).fill(0);
  const grad = new Float64Array(img.length);
  const per = 3 * h * w;
  for (const { factor, term } of terms) {
    if (term.kind === 'l1') {
      for (let i = 0; i < n; i++) {
        for (let k = i * per; k < (i + 1) * per; k++) {
          const d = img[k] - term.constant;
          values[i] += factor * Math.abs(d);
          grad[k] += factor * Math.sign(d);
        }
      }
    } else if (term.kind === 'tv') {
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < 3; c++) {
          const o = (i * 3 + c) * h * w;
          for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
              const k = o + y * w + x;
              if (y + 1 < h) {
                const d = img[k + w] - img[k];
                values[i] += factor * Math.abs(d);
                grad[k + w] += factor * Math.sign(d);
                grad[k] -= factor * Math.sign(d);
              }
              if (x + 1 < w) {
                const d = img[k + 1] - img[k];
                values[i] += factor * Math.abs(d);
                grad[k + 1] += factor * Math.sign(d);
                grad[k] -= factor * Math.sign(d);
              }
            }
          }
        }
      }
    }
  }
  return { values, grad };
}
