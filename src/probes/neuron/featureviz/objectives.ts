// Feature-visualization objectives as small composable values (Lucid's algebra without operator
// overloading): unit, channel, direction, diversity on layers; l1 and total variation on the image;
// sum and scale to combine — e.g. sum(channel('mixed2', 79), scale(-0.05, l1())).
//
// Evaluation splits an objective three ways: terms linear in a layer (unit, channel, direction)
// become one weighted autodiff objective; diversity needs the layer's values first and enters as
// an upstream gradient; image terms are computed here in JS with their exact (sub)gradients.
import type { Tensor } from '../../../engine/tensor.ts';

export type FvObjective =
  /** One unit: channel `unit` of `layer` at a position (default: the probed position). */
  | { kind: 'unit'; layer: string; unit: number; position?: { y: number; x: number } }
  /** Spatial mean of channel `unit`. */
  | { kind: 'channel'; layer: string; unit: number }
  /** Dot product of the layer's channel vector with `vector`, at a position or averaged over space. */
  | { kind: 'direction'; layer: string; vector: readonly number[]; position?: { y: number; x: number } }
  /** Lucid's diversity: Σ over pairs of items of the cosine similarity of their Gram matrices, ÷ batch. Use with a negative scale. */
  | { kind: 'diversity'; layer: string }
  /** Σ |image − constant| over the image in [0, 1] (before transforms). Use with a negative scale. */
  | { kind: 'l1'; constant: number }
  /** Total variation Σ |Δy| + |Δx| of the image in [0, 1]. Use with a negative scale. */
  | { kind: 'tv' }
  | { kind: 'sum'; terms: readonly FvObjective[] }
  | { kind: 'scale'; factor: number; of: FvObjective };

export const unit = (layer: string, u: number, position?: { y: number; x: number }): FvObjective => ({ kind: 'unit', layer, unit: u, position });
export const channel = (layer: string, u: number): FvObjective => ({ kind: 'channel', layer, unit: u });
export const direction = (layer: string, vector: readonly number[], position?: { y: number; x: number }): FvObjective => ({ kind: 'direction', layer, vector, position });
export const diversity = (layer: string): FvObjective => ({ kind: 'diversity', layer });
export const l1 = (constant = 0.5): FvObjective => ({ kind: 'l1', constant });
export const tv = (): FvObjective => ({ kind: 'tv' });
export const sum = (...terms: FvObjective[]): FvObjective => ({ kind: 'sum', terms });
export const scale = (factor: number, of: FvObjective): FvObjective => ({ kind: 'scale', factor, of });

/** A term with its overall factor after flattening sums and scales. */
export interface Term {
  factor: number;
  term: Exclude<FvObjective, { kind: 'sum' } | { kind: 'scale' }>;
}

export function flatten(o: FvObjective, factor = 1, out: Term[] = []): Term[] {
  if (o.kind === 'sum') for (const t of o.terms) flatten(t, factor, out);
  else if (o.kind === 'scale') flatten(o.of, factor * o.factor, out);
  else out.push({ factor, term: o });
  return out;
}

/** Layers an objective reads. */
export function objectiveLayers(o: FvObjective): string[] {
  return [...new Set(flatten(o).flatMap((t) => ('layer' in t.term ? [t.term.layer] : [])))];
}

/** A short human label, e.g. `unit(mixed2:79) − 0.05·l1`. */
export function describeObjective(o: FvObjective): string {
  return flatten(o).map(({ factor, term }, i) => {
    const body = term.kind === 'unit' ? `unit(${term.layer}:${term.unit}${term.position ? ` @${term.position.y},${term.position.x}` : ''})`
      : term.kind === 'channel' ? `channel(${term.layer}:${term.unit})`
      : term.kind === 'direction' ? `direction(${term.layer})`
      : term.kind === 'diversity' ? `diversity(${term.layer})`
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
    const d = dims.get(term.layer);
    if (!d) throw new RangeError(`objective layer "${term.layer}" was not measured`);
    const [C, h = 1, w = 1] = d;
    const per = C * h * w;
    out[term.layer] ??= { dims: [n, ...d], data: new Float32Array(n * per) };
    const wts = out[term.layer].data;
    const pos = (p?: { y: number; x: number }) => {
      const q = p ?? center.get(term.layer) ?? { y: Math.floor(h / 2), x: Math.floor(w / 2) };
      if (q.y < 0 || q.y >= h || q.x < 0 || q.x >= w) throw new RangeError(`position (${q.y}, ${q.x}) is outside the ${h}×${w} map of "${term.layer}"`);
      return q.y * w + q.x;
    };
    for (let i = 0; i < n; i++) {
      const base = i * per;
      if (term.kind === 'unit') {
        if (term.unit < 0 || term.unit >= C) throw new RangeError(`unit ${term.unit} is outside 0..${C - 1} of "${term.layer}"`);
        wts[base + term.unit * h * w + pos(term.position)] += factor;
      } else if (term.kind === 'channel') {
        if (term.unit < 0 || term.unit >= C) throw new RangeError(`unit ${term.unit} is outside 0..${C - 1} of "${term.layer}"`);
        for (let j = 0; j < h * w; j++) wts[base + term.unit * h * w + j] += factor / (h * w);
      } else {
        if (term.vector.length !== C) throw new RangeError(`direction has ${term.vector.length} values, layer "${term.layer}" has ${C} channels`);
        if (term.position) {
          const p = pos(term.position);
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
