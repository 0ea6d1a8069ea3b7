// VJPs of broadcasting arithmetic (Add, Sub, Mul, Div, Sum) and of the products Gemm and
// MatMul. Broadcast operands get their gradient summed back with ReduceSum + Reshape.
import { attr } from '../../graph.ts';
import type { NodeProto } from '../../onnx.ts';
import { unbroadcast, unbroadcastTo, shapeConst, type Emitter } from '../emit.ts';
import type { RuleTable, VjpRule } from './rule.ts';

function outDims(e: Emitter, n: NodeProto): number[] {
  return e.fact(n.output[0]).dims;
}

function binary(fa: (e: Emitter, g: string, n: NodeProto) => string, fb: (e: Emitter, g: string, n: NodeProto) => string): VjpRule {
  return {
    diff: [0, 1],
    vjp(e, n, gy, need) {
      const g = gy[0]!;
      const d = outDims(e, n);
      return [
        need[0] ? unbroadcast(e, fa(e, g, n), d, n.input[0]) : undefined,
        need[1] ? unbroadcast(e, fb(e, g, n), d, n.input[1]) : undefined,
      ];
    },
  };
}

function lastTwoSwapped(rank: number): number[] {
  const p = Array.from({ length: rank }, (_, i) => i);
  [p[rank - 2], p[rank - 1]] = [p[rank - 1], p[rank - 2]];
  return p;
}

export const arithmeticRules: RuleTable = {
  Add: binary((_e, g) => g, (_e, g) => g),
  Sub: binary((_e, g) => g, (e, g) => e.op('Neg', [g])),
  Mul: binary((e, g, n) => e.op('Mul', [g, n.input[1]]), (e, g, n) => e.op('Mul', [g, n.input[0]])),
  // d(a/b)/db = −(a/b)/b = −y/b: reuses the output instead of squaring b.
  Div: binary((e, g, n) => e.op('Div', [g, n.input[1]]),
    (e, g, n) => e.op('Neg', [e.op('Div', [e.op('Mul', [g, n.output[0]]), n.input[1]])])),
  Sum: {
    diff: 'all',
    vjp: (e, n, gy, need) => n.input.map((x, i) => (need[i] ? unbroadcast(e, gy[0]!, outDims(e, n), x) : undefined)),
  },
  Gemm: {
    diff: [0, 1, 2],
    vjp(e, n, gy, need) {
      const g = gy[0]!;
      const [A, B, C] = n.input;
      const alpha = attr<number>(n, 'alpha', 1);
      const beta = attr<number>(n, 'beta', 1);
      const tA = attr(n, 'transA', 0);
      const tB = attr(n, 'transB', 0);
      const gemm = (x: string, y: string, ta: number, tb: number) =>
        e.op('Gemm', [x, y], { alpha: { f: alpha }, transA: { i: ta }, transB: { i: tb } });
      // Y = α·A'·B' + β·C with A' = transA ? Aᵀ : A, B' likewise.
      const gA = need[0] ? (tA ? gemm(B, g, tB, 1) : gemm(g, B, 0, tB ? 0 : 1)) : undefined;
      const gB = need[1] ? (tB ? gemm(g, A, 1, tA) : gemm(A, g, tA ? 0 : 1, 0)) : undefined;
      let gC: string | undefined;
      if (need[2] && C) gC = unbroadcast(e, beta === 1 ? g : e.op('Mul', [g, e.scalar(beta)]), outDims(e, n), C);
      return [gA, gB, gC];
    },
  },
  MatMul: {
    diff: [0, 1],
    vjp(e, n, gy, need) {
      const [A, B] = n.input;
      const fa = e.fact(A), fb = e.fact(B), fy = e.fact(n.output[0]);
      // numpy semantics: a 1-D A acts as [1,K] (its axis dropped from Y), a 1-D B as [K,1].
      const a1 = fa.dims.length === 1, b1 = fb.dims.length === 1;
      const a2 = a1 ? [1, fa.dims[0]] : fa.dims;
      const b2 = b1 ? [fb.dims[0], 1] : fb.dims;
      const y2 = [...fy.dims], y2b = [...fy.batch];
      if (a1 && b1) { y2.push(1, 1); y2b.push(false, false); }
      else if (a1) { y2.splice(y2.length - 1, 0, 1); y2b.splice(y2b.length - 1, 0, false); }
      else if (b1) { y2.push(1); y2b.push(false); }
      const g = a1 || b1 ? e.op('Reshape', [gy[0]!, shapeConst(e, y2, y2b)]) : gy[0]!;
      const A2 = a1 ? e.op('Reshape', [A, e.ints(a2)]) : A;
      const B2 = b1 ? e.op('Reshape', [B, e.ints(b2)]) : B;
      const r = y2.length;
      const gA = need[0]
        ? unbroadcastTo(e, e.op('MatMul', [g, e.op('Transpose', [B2], { perm: { ints: lastTwoSwapped(b2.length) } })]),
          [...y2.slice(0, r - 1), a2[a2.length - 1]], a2, A)
        : undefined;
      const gB = need[1]
        ? unbroadcastTo(e, e.op('MatMul', [e.op('Transpose', [A2], { perm: { ints: lastTwoSwapped(a2.length) } }), g]),
          [...y2.slice(0, r - 2), b2[b2.length - 2], y2[r - 1]], b2, B)
        : undefined;
      return [gA, gB];
    },
  },
};
