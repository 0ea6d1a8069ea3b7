// A float64 interpreter for the ops autodiff differentiates: the oracle for finite-difference
// gradient checks (float32 onnxruntime is too noisy for central differences). Written for
// clarity on small graphs, not speed; tensors can be pinned to values (`overrides`) so
// finite differences can perturb intermediate tensors too.
import { num, DataType, type ModelProto, type NodeProto, type TensorProto } from '../../src/engine/onnx.ts';
import { attr, topoOrder, tensorFromProto } from '../../src/engine/graph.ts';
import { sizeOf, stridesOf } from '../../src/engine/tensor.ts';
import { NeurogateError } from '../../src/errors.ts';
import { intValues } from '../../src/engine/autodiff/facts.ts';
import { modernOps64 } from './eval64-modern.ts';

export interface T64 {
  dims: number[];
  data: Float64Array;
}

type Op = (n: NodeProto, x: (T64 | undefined)[], opset: number) => T64[];

const t64 = (dims: number[], data?: Float64Array): T64 => ({ dims, data: data ?? new Float64Array(sizeOf(dims)) });

function fail(n: NodeProto, msg: string): never {
  throw new NeurogateError(`eval64: ${n.opType} "${n.name}": ${msg}`, { code: 'E_EVAL64', kind: 'internal' });
}

function fromProto(tp: TensorProto): T64 {
  const dims = tp.dims.map(num);
  if (tp.dataType === DataType.INT64 || tp.dataType === DataType.INT32) return t64(dims, Float64Array.from(intValues(tp)));
  if (tp.dataType === DataType.DOUBLE && tp.rawData?.length) {
    const v = new DataView(tp.rawData.buffer, tp.rawData.byteOffset, tp.rawData.byteLength);
    return t64(dims, Float64Array.from({ length: sizeOf(dims) }, (_, i) => v.getFloat64(i * 8, true)));
  }
  return t64(dims, Float64Array.from(tensorFromProto(tp).data));
}

// ---- broadcasting ----------------------------------------------------------------------

function broadcastDims(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => {
    const x = a[a.length - r + i] ?? 1, y = b[b.length - r + i] ?? 1;
    return x === 1 ? y : x;
  });
}

/** For each flat index of `out`, the flat index into a tensor of dims `d` broadcast to it. */
function broadcastIndex(d: number[], out: number[]): Int32Array {
  const r = out.length;
  const full = [...new Array(r - d.length).fill(1), ...d];
  const st = stridesOf(full).map((s, i) => (full[i] === 1 ? 0 : s));
  const idx = new Int32Array(sizeOf(out));
  const pos = new Array(r).fill(0);
  for (let k = 0; k < idx.length; k++) {
    let off = 0;
    for (let a = 0; a < r; a++) off += pos[a] * st[a];
    idx[k] = off;
    for (let a = r - 1; a >= 0; a--) { if (++pos[a] < out[a]) break; pos[a] = 0; }
  }
  return idx;
}

function zipWith(ts: T64[], f: (v: number[]) => number): T64 {
  const dims = ts.map((t) => t.dims).reduce(broadcastDims);
  const maps = ts.map((t) => broadcastIndex(t.dims, dims));
  const out = t64(dims);
  const v = new Array(ts.length);
  for (let k = 0; k < out.data.length; k++) {
    for (let j = 0; j < ts.length; j++) v[j] = ts[j].data[maps[j][k]];
    out.data[k] = f(v);
  }
  return out;
}

const unary = (f: (v: number, n: NodeProto) => number): Op => (n, [x]) => [t64([...x!.dims], x!.data.map((v) => f(v, n)))];
const binary = (f: (a: number, b: number) => number): Op => (_n, [a, b]) => [zipWith([a!, b!], (v) => f(v[0], v[1]))];

// ---- layout helpers --------------------------------------------------------------------

function transpose(x: T64, perm: number[]): T64 {
  const dims = perm.map((p) => x.dims[p]);
  const st = stridesOf(x.dims);
  const out = t64(dims);
  const pos = new Array(dims.length).fill(0);
  for (let k = 0; k < out.data.length; k++) {
    let off = 0;
    for (let a = 0; a < dims.length; a++) off += pos[a] * st[perm[a]];
    out.data[k] = x.data[off];
    for (let a = dims.length - 1; a >= 0; a--) { if (++pos[a] < dims[a]) break; pos[a] = 0; }
  }
  return out;
}

/** Reduce over `axes` (keeping them as size 1) with an associative combiner. */
function reduce(x: T64, axes: number[], init: number, f: (acc: number, v: number) => number): T64 {
  const dims = x.dims.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = t64(dims, new Float64Array(sizeOf(dims)).fill(init));
  const map = broadcastIndex(dims, x.dims);
  for (let k = 0; k < x.data.length; k++) out.data[map[k]] = f(out.data[map[k]], x.data[k]);
  return out;
}

const norm = (a: number, r: number) => (a < 0 ? a + r : a);
const ints = (t: T64 | undefined) => (t ? Array.from(t.data) : undefined);

// ---- windows ---------------------------------------------------------------------------

interface Geometry { k: number[]; s: number[]; d: number[]; pb: number[]; pe: number[]; inS: number[]; outS: number[] }

function windowGeometry(n: NodeProto, inS: number[], k: number[], pool: boolean): Geometry {
  const r = k.length;
  const s = attr<number[]>(n, 'strides', new Array(r).fill(1));
  const d = attr<number[]>(n, 'dilations', new Array(r).fill(1));
  const auto = attr<string>(n, 'auto_pad', 'NOTSET');
  const ceil = pool && attr<number>(n, 'ceil_mode', 0) === 1;
  let pads = attr<number[]>(n, 'pads', new Array(2 * r).fill(0));
  if (auto !== 'NOTSET') pads = new Array(2 * r).fill(0);
  const outS = inS.map((m, i) => {
    const ext = (k[i] - 1) * d[i] + 1;
    if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') return Math.ceil(m / s[i]);
    if (auto === 'VALID') return Math.floor((m - ext) / s[i]) + 1;
    const span = m + pads[i] + pads[i + r] - ext;
    if (!ceil) return Math.floor(span / s[i]) + 1;
    let o = Math.ceil(span / s[i]) + 1;
    if ((o - 1) * s[i] >= m + pads[i]) o--; // the last window must start inside the input or its front padding
    return o;
  });
  if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    for (let i = 0; i < r; i++) {
      const total = Math.max(0, (outS[i] - 1) * s[i] + (k[i] - 1) * d[i] + 1 - inS[i]);
      const small = Math.floor(total / 2);
      pads[i] = auto === 'SAME_UPPER' ? small : total - small;
      pads[i + r] = total - pads[i];
    }
  }
  return { k, s, d, pb: pads.slice(0, r), pe: pads.slice(r), inS, outS };
}

/** table[o·K + k] = flat input position read by output position o at kernel offset k, or −1 in padding. */
function gatherTable(g: Geometry): Int32Array {
  const O = sizeOf(g.outS), K = sizeOf(g.k);
  const table = new Int32Array(O * K);
  const inSt = stridesOf(g.inS);
  const r = g.k.length;
  const op = new Array(r).fill(0);
  for (let o = 0; o < O; o++) {
    const kp = new Array(r).fill(0);
    for (let kk = 0; kk < K; kk++) {
      let off = 0;
      for (let a = 0; a < r && off >= 0; a++) {
        const p = op[a] * g.s[a] + kp[a] * g.d[a] - g.pb[a];
        off = p < 0 || p >= g.inS[a] ? -1 : off + p * inSt[a];
      }
      table[o * K + kk] = off;
      for (let a = r - 1; a >= 0; a--) { if (++kp[a] < g.k[a]) break; kp[a] = 0; }
    }
    for (let a = r - 1; a >= 0; a--) { if (++op[a] < g.outS[a]) break; op[a] = 0; }
  }
  return table;
}

function conv(n: NodeProto, [x, w, b]: (T64 | undefined)[]): T64[] {
  const [N, C, ...inS] = x!.dims;
  const [M, Cg, ...k] = w!.dims;
  const group = attr<number>(n, 'group', 1);
  if (Cg * group !== C) fail(n, `W [${w!.dims}] does not fit ${C} channels in ${group} groups`);
  const g = windowGeometry(n, inS, attr<number[]>(n, 'kernel_shape', k), false);
  if (k.length === 2) return [conv2d(x!, w!, b, g, group)];
  const table = gatherTable(g);
  const O = sizeOf(g.outS), K = sizeOf(k), I = sizeOf(inS), Mg = M / group;
  const y = t64([N, M, ...g.outS]);
  for (let nn = 0; nn < N; nn++) for (let m = 0; m < M; m++) {
    const gi = Math.floor(m / Mg);
    for (let o = 0; o < O; o++) {
      let acc = b ? b.data[m] : 0;
      for (let c = 0; c < Cg; c++) {
        const xb = (nn * C + gi * Cg + c) * I, wb = (m * Cg + c) * K;
        for (let kk = 0; kk < K; kk++) {
          const p = table[o * K + kk];
          if (p >= 0) acc += x!.data[xb + p] * w!.data[wb + kk];
        }
      }
      y.data[(nn * M + m) * O + o] = acc;
    }
  }
  return [y];
}

/** 2-D Conv as shifted multiply-adds over whole output rows (the real-model checks need the speed). */
function conv2d(x: T64, w: T64, b: T64 | undefined, g: Geometry, group: number): T64 {
  const [N, C, H, W] = x.dims;
  const [M, Cg, KH, KW] = w.dims;
  const [OH, OW] = g.outS;
  const Mg = M / group;
  const y = t64([N, M, OH, OW]);
  for (let nn = 0; nn < N; nn++) for (let m = 0; m < M; m++) {
    const yo = (nn * M + m) * OH * OW;
    if (b) y.data.fill(b.data[m], yo, yo + OH * OW);
    const gi = Math.floor(m / Mg);
    for (let c = 0; c < Cg; c++) {
      const xo = (nn * C + gi * Cg + c) * H * W;
      for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
        const wv = w.data[((m * Cg + c) * KH + ky) * KW + kx];
        if (wv === 0) continue;
        const dy = ky * g.d[0] - g.pb[0], dx = kx * g.d[1] - g.pb[1];
        // Output columns whose input column ox·s + dx lies inside [0, W).
        const ox0 = Math.max(0, Math.ceil(-dx / g.s[1])), ox1 = Math.min(OW, Math.floor((W - 1 - dx) / g.s[1]) + 1);
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * g.s[0] + dy;
          if (iy < 0 || iy >= H) continue;
          const row = xo + iy * W + dx, yr = yo + oy * OW;
          for (let ox = ox0; ox < ox1; ox++) y.data[yr + ox] += wv * x.data[row + ox * g.s[1]];
        }
      }
    }
  }
  return y;
}

function convTranspose(n: NodeProto, [x, w, b]: (T64 | undefined)[]): T64[] {
  const [N, C, ...inS] = x!.dims;
  const [, Mg, ...k] = w!.dims;
  const group = attr<number>(n, 'group', 1);
  const r = k.length, M = Mg * group, Cg = C / group;
  const s = attr<number[]>(n, 'strides', new Array(r).fill(1));
  const d = attr<number[]>(n, 'dilations', new Array(r).fill(1));
  const op = attr<number[]>(n, 'output_padding', new Array(r).fill(0));
  const auto = attr<string>(n, 'auto_pad', 'NOTSET');
  const shape = attr<number[] | undefined>(n, 'output_shape', undefined);
  let pb: number[], pe: number[], outS: number[];
  const full = inS.map((m, i) => s[i] * (m - 1) + op[i] + (k[i] - 1) * d[i] + 1);
  if (auto === 'NOTSET' && !shape) {
    const pads = attr<number[]>(n, 'pads', new Array(2 * r).fill(0));
    pb = pads.slice(0, r); pe = pads.slice(r);
    outS = full.map((f, i) => f - pb[i] - pe[i]);
  } else {
    outS = shape ? shape.slice(-r) : inS.map((m, i) => m * s[i]);
    const total = full.map((f, i) => f - outS[i]);
    pb = total.map((t) => (auto === 'SAME_UPPER' ? Math.floor(t / 2) : t - Math.floor(t / 2)));
    pe = total.map((t, i) => t - pb[i]);
  }
  // Scatter form: input position i, kernel offset k land at output i·s + k·d − pad.
  const g: Geometry = { k, s, d, pb, pe, inS: outS, outS: inS };
  const table = gatherTable(g); // same index arithmetic, roles of in/out swapped
  const O = sizeOf(outS), I = sizeOf(inS), K = sizeOf(k);
  const y = t64([N, M, ...outS]);
  for (let nn = 0; nn < N; nn++) for (let c = 0; c < C; c++) {
    const gi = Math.floor(c / Cg);
    for (let m = 0; m < Mg; m++) {
      const yb = (nn * M + gi * Mg + m) * O, wb = (c * Mg + m) * K;
      for (let i = 0; i < I; i++) {
        const v = x!.data[(nn * C + c) * I + i];
        for (let kk = 0; kk < K; kk++) {
          const p = table[i * K + kk];
          if (p >= 0) y.data[yb + p] += v * w!.data[wb + kk];
        }
      }
    }
  }
  if (b) for (let nn = 0; nn < N; nn++) for (let m = 0; m < M; m++) for (let o = 0; o < O; o++) y.data[(nn * M + m) * O + o] += b.data[m];
  return [y];
}

function pool(kind: 'max' | 'avg'): Op {
  return (n, [x]) => {
    const [N, C, ...inS] = x!.dims;
    const k = attr<number[]>(n, 'kernel_shape', []);
    const g = windowGeometry(n, inS, k, true);
    const table = gatherTable(g);
    const O = sizeOf(g.outS), K = sizeOf(k), I = sizeOf(inS);
    const includePad = attr<number>(n, 'count_include_pad', 0) === 1;
    // onnxruntime's divisor with count_include_pad: the window clipped to the padded extent.
    const padded = g.outS.map((_, a) => Array.from({ length: g.outS[a] }, (_, o) => {
      const start = o * g.s[a] - g.pb[a];
      return Math.min(start + k[a], inS[a] + g.pe[a]) - start;
    }));
    const outSt = stridesOf(g.outS);
    const y = t64([N, C, ...g.outS]);
    for (let p = 0; p < N * C; p++) for (let o = 0; o < O; o++) {
      let acc = kind === 'max' ? -Infinity : 0, cnt = 0;
      for (let kk = 0; kk < K; kk++) {
        const q = table[o * K + kk];
        if (q < 0) continue;
        const v = x!.data[p * I + q];
        if (kind === 'max') acc = Math.max(acc, v); else acc += v;
        cnt++;
      }
      if (kind === 'avg') {
        if (includePad) cnt = g.outS.reduce((c, _, a) => c * padded[a][Math.floor(o / outSt[a]) % g.outS[a]], 1);
        acc /= cnt;
      }
      y.data[p * O + o] = acc;
    }
    return [y];
  };
}

function globalPool(kind: 'max' | 'avg'): Op {
  return (_n, [x]) => {
    const axes = x!.dims.slice(2).map((_, i) => i + 2);
    const r = reduce(x!, axes, kind === 'max' ? -Infinity : 0, kind === 'max' ? Math.max : (a, v) => a + v);
    if (kind === 'avg') r.data = r.data.map((v) => v / sizeOf(x!.dims.slice(2)));
    return [r];
  };
}

function matmul(a: T64, b: T64): T64 {
  const a2 = a.dims.length === 1 ? t64([1, a.dims[0]], a.data) : a;
  const b2 = b.dims.length === 1 ? t64([b.dims[0], 1], b.data) : b;
  const [M, K] = a2.dims.slice(-2), [K2, P] = b2.dims.slice(-2);
  if (K !== K2) throw new Error(`matmul: inner dims ${K} vs ${K2}`);
  const batch = broadcastDims(a2.dims.slice(0, -2), b2.dims.slice(0, -2));
  const B = sizeOf(batch);
  const am = broadcastIndex(a2.dims.slice(0, -2), batch), bm = broadcastIndex(b2.dims.slice(0, -2), batch);
  const y = t64([...batch, M, P]);
  for (let q = 0; q < B; q++) {
    const ao = am[q] * M * K, bo = bm[q] * K * P, yo = q * M * P;
    for (let i = 0; i < M; i++) for (let j = 0; j < P; j++) {
      let acc = 0;
      for (let l = 0; l < K; l++) acc += a2.data[ao + i * K + l] * b2.data[bo + l * P + j];
      y.data[yo + i * P + j] = acc;
    }
  }
  const dims = [...batch, ...(a.dims.length === 1 ? [] : [M]), ...(b.dims.length === 1 ? [] : [P])];
  return t64(dims, y.data);
}

function sliceOp(x: T64, starts: number[], ends: number[], axesIn?: number[], stepsIn?: number[]): T64 {
  const r = x.dims.length;
  const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => norm(a, r));
  const steps = stepsIn ?? starts.map(() => 1);
  const first = new Array(r).fill(0), step = new Array(r).fill(1), count = [...x.dims];
  axes.forEach((a, i) => {
    const D = x.dims[a], st = steps[i];
    let s = starts[i], e = ends[i];
    if (s < 0) s += D;
    if (e < 0) e += D;
    if (st > 0) { s = Math.min(Math.max(s, 0), D); e = Math.min(Math.max(e, 0), D); }
    else { s = Math.min(Math.max(s, 0), D - 1); e = Math.min(Math.max(e, -1), D - 1); }
    first[a] = s; step[a] = st;
    count[a] = Math.max(0, Math.ceil((e - s) / st));
  });
  const out = t64(count);
  const st = stridesOf(x.dims);
  const pos = new Array(r).fill(0);
  for (let k = 0; k < out.data.length; k++) {
    let off = 0;
    for (let a = 0; a < r; a++) off += (first[a] + pos[a] * step[a]) * st[a];
    out.data[k] = x.data[off];
    for (let a = r - 1; a >= 0; a--) { if (++pos[a] < count[a]) break; pos[a] = 0; }
  }
  return out;
}

function pad(x: T64, pads: number[], value: number): T64 {
  const r = x.dims.length;
  const dims = x.dims.map((d, i) => d + pads[i] + pads[i + r]);
  const out = t64(dims, new Float64Array(sizeOf(dims)).fill(value));
  const st = stridesOf(dims);
  const pos = new Array(r).fill(0);
  for (let k = 0; k < x.data.length; k++) {
    let off = 0, inside = true;
    for (let a = 0; a < r; a++) {
      const p = pos[a] + pads[a];
      if (p < 0 || p >= dims[a]) inside = false;
      off += p * st[a];
    }
    if (inside) out.data[off] = x.data[k];
    for (let a = r - 1; a >= 0; a--) { if (++pos[a] < x.dims[a]) break; pos[a] = 0; }
  }
  return out;
}

function reshape(x: T64, shape: number[], allowZero: boolean): T64 {
  const dims = shape.map((d, i) => (d === 0 && !allowZero ? x.dims[i] : d));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return t64(dims.map((d) => (d === -1 ? x.data.length / known : d)), x.data);
}

function axesOf(n: NodeProto, x: (T64 | undefined)[], opset: number, inputFrom: number): number[] | undefined {
  return opset >= inputFrom ? ints(x[1]) : attr<number[] | undefined>(n, 'axes', undefined);
}

function reduceOp(kind: 'sum' | 'mean' | 'max' | 'min', inputFrom: number): Op {
  return (n, x, opset) => {
    const r = x[0]!.dims.length;
    let axes = axesOf(n, x, opset, inputFrom)?.map((a) => norm(a, r));
    if (!axes || axes.length === 0) {
      if (opset >= inputFrom && attr<number>(n, 'noop_with_empty_axes', 0) === 1) return [x[0]!];
      axes = x[0]!.dims.map((_, i) => i);
    }
    const init = kind === 'max' ? -Infinity : kind === 'min' ? Infinity : 0;
    const f = kind === 'max' ? Math.max : kind === 'min' ? Math.min : (a: number, v: number) => a + v;
    const out = reduce(x[0]!, axes, init, f);
    if (kind === 'mean') {
      const c = axes.reduce((p, a) => p * x[0]!.dims[a], 1);
      out.data = out.data.map((v) => v / c);
    }
    if (attr<number>(n, 'keepdims', 1) === 0) out.dims = out.dims.filter((_, i) => !axes!.includes(i));
    return [out];
  };
}

function softmaxAxes(n: NodeProto, rank: number, opset: number): number[] {
  if (opset >= 13) return [norm(attr<number>(n, 'axis', -1), rank)];
  const a = norm(attr<number>(n, 'axis', 1), rank);
  return Array.from({ length: rank - a }, (_, i) => a + i);
}

function softmax(log: boolean): Op {
  return (n, [x], opset) => {
    const axes = softmaxAxes(n, x!.dims.length, opset);
    const mx = reduce(x!, axes, -Infinity, Math.max);
    const shifted = zipWith([x!, mx], (v) => v[0] - v[1]);
    const z = reduce(t64(shifted.dims, shifted.data.map(Math.exp)), axes, 0, (a, v) => a + v);
    return [zipWith([shifted, z], (v) => (log ? v[0] - Math.log(v[1]) : Math.exp(v[0]) / v[1]))];
  };
}

const OPS: Record<string, Op> = {
  ...modernOps64({ t64, zipWith, unary, reduce, reduceAxes: axesOf, fail }),
  Identity: (_n, [x]) => [x!],
  Dropout: (_n, [x]) => [x!],
  Cast: (_n, [x]) => [x!],
  Relu: unary((v) => Math.max(0, v)),
  LeakyRelu: unary((v, n) => (v > 0 ? v : attr<number>(n, 'alpha', 0.01) * v)),
  Sigmoid: unary((v) => 1 / (1 + Math.exp(-v))),
  Tanh: unary(Math.tanh),
  Neg: unary((v) => -v),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Sqrt: unary(Math.sqrt),
  Abs: unary(Math.abs),
  Clip: (n, x, opset) => {
    const lo = opset >= 11 ? (x[1] ? x[1].data[0] : -Infinity) : attr<number>(n, 'min', -Infinity);
    const hi = opset >= 11 ? (x[2] ? x[2].data[0] : Infinity) : attr<number>(n, 'max', Infinity);
    return [t64([...x[0]!.dims], x[0]!.data.map((v) => Math.min(Math.max(v, lo), hi)))];
  },
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary((a, b) => a / b),
  Sum: (_n, x) => [zipWith(x as T64[], (v) => v.reduce((a, b) => a + b, 0))],
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: globalPool('avg'),
  GlobalMaxPool: globalPool('max'),
  ReduceSum: reduceOp('sum', 13),
  ReduceMean: reduceOp('mean', 18),
  ReduceMax: reduceOp('max', 18),
  ReduceMin: reduceOp('min', 18),
  MatMul: (_n, [a, b]) => [matmul(a!, b!)],
  Gemm: (n, [a, b, c]) => {
    const A = attr<number>(n, 'transA', 0) ? transpose(a!, [1, 0]) : a!;
    const B = attr<number>(n, 'transB', 0) ? transpose(b!, [1, 0]) : b!;
    const alpha = attr<number>(n, 'alpha', 1), beta = attr<number>(n, 'beta', 1);
    const y = matmul(A, B);
    y.data = y.data.map((v) => alpha * v);
    return [c ? zipWith([y, c], (v) => v[0] + beta * v[1]) : y];
  },
  BatchNormalization: (n, [x, sc, b, mean, v]) => {
    const eps = attr<number>(n, 'epsilon', 1e-5);
    const C = x!.dims[1], I = sizeOf(x!.dims.slice(2));
    const y = t64([...x!.dims]);
    for (let k = 0; k < y.data.length; k++) {
      const c = Math.floor(k / I) % C;
      y.data[k] = ((x!.data[k] - mean!.data[c]) / Math.sqrt(v!.data[c] + eps)) * sc!.data[c] + b!.data[c];
    }
    return [y];
  },
  LRN: (n, [x]) => {
    const size = attr<number>(n, 'size', 1), alpha = attr<number>(n, 'alpha', 1e-4), beta = attr<number>(n, 'beta', 0.75), bias = attr<number>(n, 'bias', 1);
    const C = x!.dims[1], I = sizeOf(x!.dims.slice(2));
    const lo = Math.floor((size - 1) / 2), hi = Math.ceil((size - 1) / 2);
    const y = t64([...x!.dims]);
    for (let k = 0; k < y.data.length; k++) {
      const c = Math.floor(k / I) % C, base = k - c * I;
      let s = 0;
      for (let j = Math.max(0, c - lo); j <= Math.min(C - 1, c + hi); j++) s += x!.data[base + j * I] ** 2;
      y.data[k] = x!.data[k] / (bias + (alpha / size) * s) ** beta;
    }
    return [y];
  },
  Transpose: (n, [x]) => [transpose(x!, attr<number[]>(n, 'perm', x!.dims.map((_, i) => x!.dims.length - 1 - i)))],
  Reshape: (n, [x, s]) => [reshape(x!, ints(s)!, attr<number>(n, 'allowzero', 0) === 1)],
  Flatten: (n, [x]) => {
    const a = norm(attr<number>(n, 'axis', 1), x!.dims.length);
    return [t64([sizeOf(x!.dims.slice(0, a)), sizeOf(x!.dims.slice(a))], x!.data)];
  },
  Squeeze: (n, x, opset) => {
    const r = x[0]!.dims.length;
    const axes = (axesOf(n, x, opset, 13) ?? x[0]!.dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => norm(a, r));
    return [t64(x[0]!.dims.filter((_, i) => !axes.includes(i)), x[0]!.data)];
  },
  Unsqueeze: (n, x, opset) => {
    const axes = axesOf(n, x, opset, 13)!;
    const r = x[0]!.dims.length + axes.length;
    const na = axes.map((a) => norm(a, r));
    const dims: number[] = [];
    let j = 0;
    for (let i = 0; i < r; i++) dims.push(na.includes(i) ? 1 : x[0]!.dims[j++]);
    return [t64(dims, x[0]!.data)];
  },
  Expand: (_n, [x, s]) => [zipWith([x!, t64(ints(s)!, new Float64Array(sizeOf(ints(s)!)).fill(0))], (v) => v[0])],
  Concat: (n, xs) => {
    const r = xs[0]!.dims.length;
    const axis = norm(attr<number>(n, 'axis', 0), r);
    const dims = [...xs[0]!.dims];
    dims[axis] = xs.reduce((s, t) => s + t!.dims[axis], 0);
    const out = t64(dims);
    const outer = sizeOf(dims.slice(0, axis)), inner = sizeOf(dims.slice(axis + 1));
    let off = 0;
    for (const t of xs) {
      const len = t!.dims[axis] * inner;
      for (let o = 0; o < outer; o++) out.data.set(t!.data.subarray(o * len, (o + 1) * len), o * dims[axis] * inner + off);
      off += len;
    }
    return [out];
  },
  Split: (n, x, opset) => {
    const r = x[0]!.dims.length;
    const axis = norm(attr<number>(n, 'axis', 0), r);
    const D = x[0]!.dims[axis];
    let sizes = opset >= 13 ? ints(x[1]) : attr<number[] | undefined>(n, 'split', undefined);
    if (!sizes) {
      const k = n.output.length, per = Math.ceil(D / k);
      sizes = Array.from({ length: k }, (_, i) => Math.min(per, D - i * per));
    }
    let start = 0;
    return sizes.map((s) => {
      const piece = sliceOp(x[0]!, [start], [start + s], [axis]);
      start += s;
      return piece;
    });
  },
  Slice: (n, x, opset) => (opset >= 10
    ? [sliceOp(x[0]!, ints(x[1])!, ints(x[2])!, ints(x[3]), ints(x[4]))]
    : [sliceOp(x[0]!, attr<number[]>(n, 'starts', []), attr<number[]>(n, 'ends', []), attr<number[] | undefined>(n, 'axes', undefined))]),
  Pad: (n, x, opset) => {
    if (attr<string>(n, 'mode', 'constant') !== 'constant') fail(n, 'only constant padding');
    const r = x[0]!.dims.length;
    let pads = opset >= 11 ? ints(x[1])! : attr<number[]>(n, 'pads', []);
    const value = opset >= 11 ? (x[2] ? x[2].data[0] : 0) : attr<number>(n, 'value', 0);
    if (opset >= 18 && x[3]) {
      const axes = ints(x[3])!.map((a) => norm(a, r));
      const full = new Array(2 * r).fill(0);
      axes.forEach((a, i) => { full[a] = pads[i]; full[a + r] = pads[i + axes.length]; });
      pads = full;
    }
    // Negative pads crop: pad the positive part, then slice the negative part away.
    const grown = pad(x[0]!, pads.map((p) => Math.max(0, p)), value);
    const crop = grown.dims.map((_, a) => [Math.max(0, -pads[a]), grown.dims[a] - Math.max(0, -pads[a + r])]);
    return [sliceOp(grown, crop.map((c) => c[0]), crop.map((c) => c[1]))];
  },
  Constant: (n) => {
    const v = n.attribute.find((a) => a.name === 'value')?.t;
    if (!v) fail(n, 'only tensor constants');
    return [fromProto(v)];
  },
};

export function supportedOps64(): string[] {
  return Object.keys(OPS);
}

/**
 * Evaluate `outputs` of a model in float64. `feeds` gives graph inputs; `overrides` pins any
 * tensor (an initializer or a node output) to a value, skipping the node that makes it.
 */
export function evaluate64(model: ModelProto, feeds: Record<string, T64>, outputs: string[], overrides: Record<string, T64> = {}): Record<string, T64> {
  const g = model.graph;
  const o = model.opsetImport.find((x) => !x.domain || x.domain === 'ai.onnx');
  const opset = o ? num(o.version) : 1;
  const values = new Map<string, T64>();
  for (const t of g.initializer) values.set(t.name, fromProto(t));
  for (const [k, v] of Object.entries(feeds)) values.set(k, v);
  for (const [k, v] of Object.entries(overrides)) values.set(k, v);
  for (const n of topoOrder(g)) {
    if (n.output.every((x) => !x || x in overrides)) continue;
    const f = OPS[n.opType];
    if (!f) fail(n, 'no float64 implementation');
    const res = f(n, n.input.map((i) => (i ? values.get(i) : undefined)), opset);
    n.output.forEach((x, i) => x && !(x in overrides) && res[i] && values.set(x, res[i]));
  }
  return Object.fromEntries(outputs.map((x) => {
    const v = values.get(x);
    if (!v) throw new NeurogateError(`eval64: no value for "${x}"`, { code: 'E_EVAL64', kind: 'internal' });
    return [x, v];
  }));
}
