// float64 reference implementations of the ops the modern-architecture rules differentiate
// (Erf/Gelu, hard activations, norms over the item, Gather, Resize in every mode …), written
// from the ONNX operator definitions. eval64.ts takes them into its table with the helpers it owns.
import type { NodeProto } from '../../src/engine/onnx.ts';
import { attr } from '../../src/engine/graph.ts';
import { sizeOf, stridesOf } from '../../src/engine/tensor.ts';
import type { T64 } from './eval64.ts';
import { parseEinsum } from '../../src/engine/autodiff/rules/einsum.ts';

type Op = (n: NodeProto, x: (T64 | undefined)[], opset: number) => T64[];

export interface Helpers {
  t64(dims: number[], data?: Float64Array): T64;
  zipWith(ts: T64[], f: (v: number[]) => number): T64;
  unary(f: (v: number, n: NodeProto) => number): Op;
  reduce(x: T64, axes: number[], init: number, f: (acc: number, v: number) => number): T64;
  reduceAxes(n: NodeProto, x: (T64 | undefined)[], opset: number, inputFrom: number): number[] | undefined;
  fail(n: NodeProto, msg: string): never;
}

/** erf to ~1e-15: Taylor series near 0, continued fraction (via erfc) in the tails. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax, sum = ax;
    for (let k = 1; k < 80; k++) {
      term *= (-ax * ax) / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …)))) (Lentz-free backward evaluation).
  let f = 0;
  for (let k = 60; k >= 1; k--) f = (k / 2) / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

const norm = (a: number, r: number) => (a < 0 ? a + r : a);

/** Move axis `from` of x to position `to`. */
function moveAxis(h: Helpers, x: T64, from: number, to: number): T64 {
  const r = x.dims.length;
  const perm = Array.from({ length: r }, (_, i) => i).filter((a) => a !== from);
  perm.splice(to, 0, from);
  const dims = perm.map((p) => x.dims[p]);
  const st = stridesOf(x.dims);
  const out = h.t64(dims);
  const pos = new Array(r).fill(0);
  for (let k = 0; k < out.data.length; k++) {
    let off = 0;
    for (let a = 0; a < r; a++) off += pos[a] * st[perm[a]];
    out.data[k] = x.data[off];
    for (let a = r - 1; a >= 0; a--) { if (++pos[a] < dims[a]) break; pos[a] = 0; }
  }
  return out;
}

/** Normalize x over `axes` (keeping dims), returning (x − μ)/√(σ² + ε). */
function standardize(h: Helpers, x: T64, axes: number[], eps: number): T64 {
  const count = sizeOf(axes.map((a) => x.dims[a]));
  const mu = h.reduce(x, axes, 0, (a, v) => a + v);
  mu.data.forEach((v, i) => { mu.data[i] = v / count; });
  const c = h.zipWith([x, mu], (v) => v[0] - v[1]);
  const sq = h.reduce(h.t64(c.dims, c.data.map((v) => v * v)), axes, 0, (a, v) => a + v);
  return h.zipWith([c, sq], (v) => v[0] / Math.sqrt(v[1] / count + eps));
}

// ---- Resize --------------------------------------------------------------------------

interface Taps { idx: number[]; w: number[]; outside: boolean }

function cubicKernel(d: number, a: number): number {
  const x = Math.abs(d);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/** The ONNX Resize definition along one axis: for each output coordinate, input taps and weights. */
function resizeTaps(n: NodeProto, I: number, O: number, scale: number, roi: [number, number] | undefined): Taps[] {
  const mode = attr<string>(n, 'mode', 'nearest');
  const ctm = attr<string>(n, 'coordinate_transformation_mode', 'half_pixel');
  const nearest = attr<string>(n, 'nearest_mode', 'round_prefer_floor');
  const a = attr<number>(n, 'cubic_coeff_a', -0.75);
  const exclude = attr<number>(n, 'exclude_outside', 0) === 1;
  const antialias = attr<number>(n, 'antialias', 0) === 1 && scale < 1 && mode !== 'nearest';
  const clampIdx = (i: number) => Math.min(Math.max(i, 0), I - 1);
  const out: Taps[] = [];
  for (let x = 0; x < O; x++) {
    let src: number;
    switch (ctm) {
      case 'half_pixel': src = (x + 0.5) / scale - 0.5; break;
      case 'pytorch_half_pixel': src = O > 1 ? (x + 0.5) / scale - 0.5 : 0; break;
      case 'align_corners': src = O === 1 ? 0 : (x * (I - 1)) / (O - 1); break;
      case 'asymmetric': src = x / scale; break;
      case 'tf_half_pixel_for_nn': src = (x + 0.5) / scale; break;
      case 'half_pixel_symmetric': {
        const adj = O / (scale * I);
        src = (I / 2) * (1 - adj) + (x + 0.5) / scale - 0.5;
        break;
      }
      case 'tf_crop_and_resize': {
        const [s, e] = roi ?? [0, 1];
        src = O > 1 ? s * (I - 1) + (x * (e - s) * (I - 1)) / (O - 1) : 0.5 * (s + e) * (I - 1);
        break;
      }
      default: throw new Error(`eval64 Resize: coordinate_transformation_mode ${ctm}`);
    }
    if (ctm === 'tf_crop_and_resize' && (src < 0 || src > I - 1)) { out.push({ idx: [], w: [], outside: true }); continue; }
    const base = Math.floor(src), r = src - base;
    let idx: number[], w: number[];
    if (mode === 'nearest') {
      let i: number;
      if (nearest === 'floor') i = Math.floor(src);
      else if (nearest === 'ceil') i = Math.ceil(src);
      else if (nearest === 'round_prefer_ceil') i = r >= 0.5 ? base + 1 : base;
      else i = r > 0.5 ? base + 1 : base;
      idx = [i]; w = [1];
    } else if (!antialias) {
      if (mode === 'linear') { idx = [base, base + 1]; w = [1 - r, r]; }
      else { idx = [base - 1, base, base + 1, base + 2]; w = [r + 1, r, 1 - r, 2 - r].map((d) => cubicKernel(d, a)); }
    } else {
      // Downscaling with antialias: the kernel is stretched by 1/scale and renormalized.
      const support = (mode === 'linear' ? 1 : 2) / scale;
      idx = []; w = [];
      for (let i = Math.floor(src - support) ; i <= Math.ceil(src + support); i++) {
        const d = (i - src) * scale;
        const k = mode === 'linear' ? Math.max(0, 1 - Math.abs(d)) : cubicKernel(d, a);
        if (k !== 0) { idx.push(i); w.push(k); }
      }
    }
    if (exclude || antialias) {
      const keep = idx.map((i) => i >= 0 && i < I);
      idx = idx.filter((_, j) => keep[j]); w = w.filter((_, j) => keep[j]);
      const total = w.reduce((s, v) => s + v, 0);
      w = w.map((v) => v / total);
    }
    out.push({ idx: idx.map(clampIdx), w, outside: false });
  }
  return out;
}

function resize(h: Helpers): Op {
  return (n, [x, roi, scales, sizes]) => {
    const r = x!.dims.length;
    const axes = (attr<number[] | undefined>(n, 'axes', undefined) ?? Array.from({ length: r }, (_, i) => i)).map((a) => norm(a, r));
    const useScales = scales && scales.data.length > 0;
    let cur = x!;
    const outsideAxes: boolean[][] = [];
    const outDims = [...x!.dims];
    axes.forEach((ax, k) => {
      const I = x!.dims[ax];
      const scale = useScales ? scales!.data[k] : sizes!.data[k] / I;
      const O = useScales ? Math.floor(I * scale) : sizes!.data[k];
      outDims[ax] = O;
      const taps = resizeTaps(n, I, O, scale, roi && roi.data.length ? [roi.data[k], roi.data[k + axes.length]] : undefined);
      outsideAxes[ax] = taps.map((t) => t.outside);
      // Apply along the last axis, then move back.
      const last = moveAxis(h, cur, ax, r - 1);
      const rows = last.data.length / I;
      const res = h.t64([...last.dims.slice(0, -1), O]);
      for (let q = 0; q < rows; q++) {
        for (let o = 0; o < O; o++) {
          let s = 0;
          taps[o].idx.forEach((i, j) => { s += taps[o].w[j] * last.data[q * I + i]; });
          res.data[q * O + o] = s;
        }
      }
      cur = moveAxis(h, res, r - 1, ax);
    });
    if (attr<string>(n, 'coordinate_transformation_mode', 'half_pixel') === 'tf_crop_and_resize') {
      const ev = attr<number>(n, 'extrapolation_value', 0);
      const st = stridesOf(outDims);
      for (let k = 0; k < cur.data.length; k++) {
        if (axes.some((ax) => outsideAxes[ax][Math.floor(k / st[ax]) % outDims[ax]])) cur.data[k] = ev;
      }
    }
    return [cur];
  };
}

// ---- the table -----------------------------------------------------------------------------

export function modernOps64(h: Helpers): Record<string, Op> {
  const { t64, zipWith, unary, reduce, fail } = h;
  const gelu = (v: number, tanh: boolean) => (tanh
    ? 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))
    : 0.5 * v * (1 + erf(v / Math.SQRT2)));
  const reduceWith = (init: number, f: (acc: number, v: number) => number, pre: (v: number) => number, post: (v: number) => number): Op =>
    (n, x, opset) => {
      const r = x[0]!.dims.length;
      const listed = h.reduceAxes(n, x, opset, 18);
      const axes = (listed?.length ? listed : Array.from({ length: r }, (_, i) => i)).map((a) => norm(a, r));
      const red = reduce(t64(x[0]!.dims, x[0]!.data.map(pre)), axes, init, f);
      red.data.forEach((v, i) => { red.data[i] = post(v); });
      const keep = attr<number>(n, 'keepdims', 1) === 1;
      return [keep ? red : t64(red.dims.filter((_, i) => !axes.includes(i)), red.data)];
    };
  const add = (a: number, v: number) => a + v;
  return {
    Erf: unary(erf),
    Gelu: unary((v, n) => gelu(v, attr<string>(n, 'approximate', 'none') === 'tanh')),
    HardSigmoid: unary((v, n) => Math.max(0, Math.min(1, attr<number>(n, 'alpha', 0.2) * v + attr<number>(n, 'beta', 0.5)))),
    HardSwish: unary((v) => v * Math.max(0, Math.min(1, v / 6 + 0.5))),
    Elu: unary((v, n) => (v > 0 ? v : attr<number>(n, 'alpha', 1) * Math.expm1(v))),
    Selu: unary((v, n) => attr<number>(n, 'gamma', 1.05070102214813232421875) * (v > 0 ? v : attr<number>(n, 'alpha', 1.67326319217681884765625) * Math.expm1(v))),
    Softplus: unary((v) => Math.log1p(Math.exp(v))),
    Softsign: unary((v) => v / (1 + Math.abs(v))),
    Reciprocal: unary((v) => 1 / v),
    Sin: unary(Math.sin),
    Cos: unary(Math.cos),
    Sign: unary(Math.sign),
    ArgMax: (n, [x]) => {
      const d = x!.dims, axis = norm(attr<number>(n, 'axis', 0), d.length);
      const outer = sizeOf(d.slice(0, axis)), inner = sizeOf(d.slice(axis + 1)), D = d[axis];
      const y = t64(d.map((v, i) => (i === axis ? 1 : v)));
      for (let o = 0; o < outer; o++) for (let q = 0; q < inner; q++) {
        let best = 0;
        for (let k = 1; k < D; k++) if (x!.data[(o * D + k) * inner + q] > x!.data[(o * D + best) * inner + q]) best = k;
        y.data[o * inner + q] = best;
      }
      if (attr<number>(n, 'keepdims', 1) === 1) return [y];
      return [t64(d.filter((_, i) => i !== axis), y.data)];
    },
    Greater: (_n, [a, b]) => [zipWith([a!, b!], (v) => (v[0] > v[1] ? 1 : 0))],
    PRelu: (_n, [x, s]) => [zipWith([x!, s!], (v) => (v[0] > 0 ? v[0] : v[0] * v[1]))],
    Pow: (_n, [a, b]) => [zipWith([a!, b!], (v) => v[0] ** v[1])],
    Max: (_n, xs) => [zipWith(xs as T64[], (v) => Math.max(...v))],
    Min: (_n, xs) => [zipWith(xs as T64[], (v) => Math.min(...v))],
    Where: (_n, [c, a, b]) => [zipWith([c!, a!, b!], (v) => (v[0] ? v[1] : v[2]))],
    ReduceL1: reduceWith(0, add, Math.abs, (v) => v),
    ReduceL2: reduceWith(0, add, (v) => v * v, Math.sqrt),
    ReduceSumSquare: reduceWith(0, add, (v) => v * v, (v) => v),
    ReduceLogSum: reduceWith(0, add, (v) => v, Math.log),
    ReduceLogSumExp: reduceWith(0, add, Math.exp, Math.log),
    LayerNormalization: (n, [x, scale, bias]) => {
      const r = x!.dims.length;
      const axis = norm(attr<number>(n, 'axis', -1), r);
      const y = standardize(h, x!, Array.from({ length: r - axis }, (_, i) => axis + i), attr<number>(n, 'epsilon', 1e-5));
      return [zipWith(bias ? [y, scale!, bias] : [y, scale!], (v) => v[0] * v[1] + (v[2] ?? 0))];
    },
    InstanceNormalization: (n, [x, scale, bias]) => {
      const r = x!.dims.length, C = x!.dims[1];
      const y = standardize(h, x!, Array.from({ length: r - 2 }, (_, i) => 2 + i), attr<number>(n, 'epsilon', 1e-5));
      const per = (t: T64) => t64([C, ...new Array(r - 2).fill(1)], t.data);
      return [zipWith([y, per(scale!), per(bias!)], (v) => v[0] * v[1] + v[2])];
    },
    GroupNormalization: (n, [x, scale, bias]) => {
      const [N, C, ...sp] = x!.dims;
      const G = attr<number>(n, 'num_groups', 1);
      const grouped = t64([N, G, (C / G) * sizeOf(sp)], x!.data);
      const y = t64(x!.dims, standardize(h, grouped, [2], attr<number>(n, 'epsilon', 1e-5)).data);
      const perChannel = (t: T64) => {
        const v = t.data.length === C ? t.data : Float64Array.from({ length: C }, (_, c) => t.data[Math.floor(c / (C / G))]);
        return t64([C, ...sp.map(() => 1)], v);
      };
      return [zipWith([y, perChannel(scale!), perChannel(bias!)], (v) => v[0] * v[1] + v[2])];
    },
    Gather: (n, [data, indices]) => {
      const d = data!.dims, axis = norm(attr<number>(n, 'axis', 0), d.length);
      const outer = sizeOf(d.slice(0, axis)), inner = sizeOf(d.slice(axis + 1)), D = d[axis];
      const idx = Array.from(indices!.data, (i) => (i < 0 ? i + D : i));
      const y = t64([...d.slice(0, axis), ...indices!.dims, ...d.slice(axis + 1)]);
      for (let o = 0; o < outer; o++) idx.forEach((i, k) => {
        for (let q = 0; q < inner; q++) y.data[(o * idx.length + k) * inner + q] = data!.data[(o * D + i) * inner + q];
      });
      return [y];
    },
    GatherElements: (n, [data, indices]) => {
      const d = data!.dims, r = d.length, axis = norm(attr<number>(n, 'axis', 0), r);
      const ds = stridesOf(d), is = indices!.dims;
      const y = t64([...is]);
      const pos = new Array(r).fill(0);
      for (let k = 0; k < y.data.length; k++) {
        let off = 0;
        for (let a = 0; a < r; a++) {
          let p = pos[a];
          if (a === axis) { p = indices!.data[k]; if (p < 0) p += d[axis]; }
          off += p * ds[a];
        }
        y.data[k] = data!.data[off];
        for (let a = r - 1; a >= 0; a--) { if (++pos[a] < is[a]) break; pos[a] = 0; }
      }
      return [y];
    },
    Tile: (_n, [x, reps]) => {
      const d = x!.dims, rp = Array.from(reps!.data);
      const dims = d.map((v, i) => v * rp[i]);
      const st = stridesOf(d), os = stridesOf(dims);
      const y = t64(dims);
      for (let k = 0; k < y.data.length; k++) {
        let off = 0;
        for (let a = 0; a < d.length; a++) off += (Math.floor(k / os[a]) % dims[a] % d[a]) * st[a];
        y.data[k] = x!.data[off];
      }
      return [y];
    },
    Einsum: (n, xs) => [einsum64(h, attr<string>(n, 'equation', ''), xs as T64[])],
    Resize: (n, xs, opset) => {
      if (opset < 11) fail(n, 'Resize before opset 11');
      return resize(h)(n, xs, opset);
    },
  };
}

/** Einsum by its definition: every assignment of the labels, the product of the operands' entries, summed into the output's. */
function einsum64(h: Helpers, equation: string, xs: T64[]): T64 {
  const { inputs, output } = parseEinsum(equation, xs.map((x) => x.dims.length));
  const size = new Map<string, number>();
  inputs.forEach((t, i) => t.forEach((l, a) => size.set(l, Math.max(size.get(l) ?? 1, xs[i].dims[a]))));
  const labels = [...size.keys()];
  const y = h.t64(output.map((l) => size.get(l)!));
  const yStrides = stridesOf(y.dims);
  const xStrides = xs.map((x) => stridesOf(x.dims));
  const at = new Map<string, number>(labels.map((l) => [l, 0]));
  const total = labels.reduce((p, l) => p * size.get(l)!, 1);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    for (let j = labels.length - 1; j >= 0; j--) {
      const s = size.get(labels[j])!;
      at.set(labels[j], rest % s);
      rest = Math.floor(rest / s);
    }
    let p = 1;
    xs.forEach((x, i) => {
      // A size-1 axis broadcasts: it is read at 0 whatever the label's value.
      let o = 0;
      inputs[i].forEach((l, a) => { o += (x.dims[a] === 1 ? 0 : at.get(l)!) * xStrides[i][a]; });
      p *= x.data[o];
    });
    let yo = 0;
    output.forEach((l, a) => { yo += at.get(l)! * yStrides[a]; });
    y.data[yo] += p;
  }
  return y;
}
