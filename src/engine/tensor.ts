// The one tensor shape that crosses module borders: plain dims + Float32Array, row-major.
// Kept free of onnxruntime so probes, checks and reports can use it without the engine.

export interface Tensor {
  dims: number[];
  data: Float32Array;
}

export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function tensor(dims: number[], data?: Float32Array | number[]): Tensor {
  const n = sizeOf(dims);
  const arr = data === undefined ? new Float32Array(n) : data instanceof Float32Array ? data : Float32Array.from(data);
  if (arr.length !== n) {
    throw new Error(`tensor: data has ${arr.length} values but dims [${dims.join(', ')}] need ${n}`);
  }
  return { dims: [...dims], data: arr };
}

/** Stack equally shaped tensors along a new leading axis… or along dim 0 when they already have a batch of 1. */
export function concatBatch(items: readonly Tensor[]): Tensor {
  if (items.length === 0) throw new Error('concatBatch: no tensors');
  const inner = items[0].dims.slice(1);
  let batch = 0;
  for (const t of items) {
    if (t.dims.length !== items[0].dims.length || t.dims.slice(1).some((d, i) => d !== inner[i])) {
      throw new Error(`concatBatch: shape [${t.dims}] does not match [${items[0].dims}] after the batch axis`);
    }
    batch += t.dims[0];
  }
  const out = new Float32Array(batch * sizeOf(inner));
  let off = 0;
  for (const t of items) {
    out.set(t.data, off);
    off += t.data.length;
  }
  return { dims: [batch, ...inner], data: out };
}

/** Split a batched tensor into pieces of the given batch sizes (views, no copies). */
export function splitBatch(t: Tensor, sizes: readonly number[]): Tensor[] {
  const inner = t.dims.slice(1);
  const per = sizeOf(inner);
  const out: Tensor[] = [];
  let off = 0;
  for (const b of sizes) {
    out.push({ dims: [b, ...inner], data: t.data.subarray(off * per, (off + b) * per) });
    off += b;
  }
  if (off !== t.dims[0]) throw new Error(`splitBatch: sizes sum to ${off}, batch is ${t.dims[0]}`);
  return out;
}

/** One item of a batch, keeping a leading batch axis of 1. */
export function batchItem(t: Tensor, i: number): Tensor {
  const per = sizeOf(t.dims.slice(1));
  return { dims: [1, ...t.dims.slice(1)], data: t.data.subarray(i * per, (i + 1) * per) };
}

/** Permute axes (general, used for layout changes like NHWC ↔ NCHW). */
export function transpose(t: Tensor, perm: readonly number[]): Tensor {
  const rank = t.dims.length;
  if (perm.length !== rank) throw new Error(`transpose: perm [${perm}] does not fit rank ${rank}`);
  const outDims = perm.map((p) => t.dims[p]);
  const inStrides = stridesOf(t.dims);
  const permStrides = perm.map((p) => inStrides[p]);
  const out = new Float32Array(t.data.length);
  const idx = new Array(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let a = 0; a < rank; a++) src += idx[a] * permStrides[a];
    out[o] = t.data[src];
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a] < outDims[a]) break;
      idx[a] = 0;
    }
  }
  return { dims: outDims, data: out };
}

export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/** Max |a−b| over two equally sized tensors. */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.data.length !== b.data.length) throw new Error(`maxAbsDiff: sizes ${a.data.length} vs ${b.data.length}`);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** max − min of the values (the "activation range" used for relative tolerances). */
export function valueRange(t: Tensor): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of t.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi - lo;
}
