// VJPs of indexing: Gather (class-token picks, embedding rows), GatherElements and Tile. The
// adjoint of a gather is a scatter-add; it is written as a product with OneHot(indices), which
// needs no opset-16 ScatterElements reduction, accepts negative and run-time indices alike, and
// accumulates repeated indices.
import { attr } from '../../graph.ts';
import { normAxis, reduceSum, shapeConst, unsqueeze, padOrCrop, unsupported, type Emitter } from '../emit.ts';
import type { RuleTable } from './rule.ts';
import { range } from './window.ts';

function product(v: number[]): number {
  return v.reduce((a, b) => a * b, 1);
}

/** OneHot(indices, depth) as float32 [..indices, depth]. */
function oneHot(e: Emitter, indices: string, depth: number): string {
  return e.op('OneHot', [indices, e.ints([depth], []), e.floats([0, 1], [2])], { axis: { i: -1 } });
}

function moveAxis(e: Emitter, t: string, rank: number, from: number, to: number): string {
  if (from === to) return t;
  const perm = range(rank).filter((a) => a !== from);
  perm.splice(to, 0, from);
  return e.op('Transpose', [t], { perm: { ints: perm } });
}

export const gatherRules: RuleTable = {
  Gather: {
    diff: [0],
    vjp(e, n, gy) {
      const [data, indices] = n.input;
      const fd = e.fact(data), fi = e.fact(indices);
      const rank = fd.dims.length;
      const axis = normAxis(attr<number>(n, 'axis', 0), rank);
      if (fd.batch[axis] || fi.batch.some(Boolean)) throw unsupported(e, 'it gathers along the batch axis', 'gather along a feature axis');
      const D = fd.dims[axis], K = product(fi.dims);
      // g: data.dims[:axis] ++ indices.dims ++ data.dims[axis+1:] → flatten the indices part to K.
      const flatDims = [...fd.dims.slice(0, axis), K, ...fd.dims.slice(axis + 1)];
      const g = e.op('Reshape', [gy[0]!, shapeConst(e, flatDims, [...fd.batch.slice(0, axis), false, ...fd.batch.slice(axis + 1)])]);
      const hot = oneHot(e, fi.dims.length === 1 ? indices : e.op('Reshape', [indices, e.ints([K])]), D); // [K, D]
      const last = moveAxis(e, g, rank, axis, rank - 1); // [.., K]
      const back = e.op('MatMul', [last, hot]); // [.., D]
      return [moveAxis(e, back, rank, rank - 1, axis)];
    },
  },
  GatherElements: {
    diff: [0],
    vjp(e, n, gy) {
      const [data, indices] = n.input;
      const fd = e.fact(data), fi = e.fact(indices);
      const rank = fd.dims.length;
      const axis = normAxis(attr<number>(n, 'axis', 0), rank);
      if (fd.batch[axis]) throw unsupported(e, 'it gathers along the batch axis', 'gather along a feature axis');
      const D = fd.dims[axis];
      // Σ over the gathered axis of g·[index = d], as [.., D] in the slot of that axis.
      const spread = e.op('Mul', [unsqueeze(e, gy[0]!, [rank]), oneHot(e, indices, D)]);
      const summed = reduceSum(e, spread, [axis], false);
      const placed = moveAxis(e, summed, rank, rank - 1, axis);
      // Indices may be shorter than the data along the other axes: the rest gets zeros.
      const short = range(rank).filter((a) => a !== axis && fi.dims[a] < fd.dims[a]);
      if (short.some((a) => fd.batch[a])) throw unsupported(e, 'its indices cover part of the batch', 'gather whole batches');
      if (short.length === 0) return [placed];
      const cur = fd.dims.map((dd, a) => (a === axis ? dd : fi.dims[a]));
      return [padOrCrop(e, placed, cur, short, short.map(() => 0), short.map((a) => fd.dims[a] - fi.dims[a]))];
    },
  },
  Tile: {
    diff: [0],
    vjp(e, n, gy) {
      const x = n.input[0];
      const fx = e.fact(x);
      const reps = e.constInts(n.input[1]);
      if (!reps) throw unsupported(e, 'its repeats are computed at run time', 'export the model with constant repeats');
      if (reps.some((r, a) => r !== 1 && fx.batch[a])) throw unsupported(e, 'it tiles the batch axis', 'tile feature axes only');
      // [.., r·d, ..] → [.., r, d, ..], summed over each r.
      const split = fx.dims.flatMap((d, a) => [reps[a], d]);
      const splitBatch = fx.batch.flatMap((b) => [false, b]);
      const g = e.op('Reshape', [gy[0]!, shapeConst(e, split, splitBatch)]);
      const axes = range(fx.dims.length).map((a) => 2 * a).filter((a) => split[a] !== 1);
      const s = reduceSum(e, g, axes, true);
      return [e.op('Reshape', [s, e.shapeOf(x)])];
    },
  },
};
