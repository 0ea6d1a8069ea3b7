// VJPs of the elementwise ops modern architectures add: Erf/Gelu (ViTs), HardSigmoid/HardSwish
// (MobileNetV3), Elu/Selu/Softplus/Softsign/PRelu, Pow/Reciprocal (decomposed norms), Max/Min, Where.
import { attr } from '../../graph.ts';
import type { NodeProto } from '../../onnx.ts';
import { unbroadcast, type Emitter } from '../emit.ts';
import type { RuleTable, VjpRule } from './rule.ts';

const FLOAT = 1;

type Unary = (e: Emitter, g: string, x: string, y: string, n: NodeProto) => string;

function unary(f: Unary): VjpRule {
  return { diff: [0], vjp: (e, n, gy) => [f(e, gy[0]!, n.input[0], n.output[0], n)] };
}

const mul = (e: Emitter, ...ts: string[]) => ts.reduce((a, b) => e.op('Mul', [a, b]));
const asFloat = (e: Emitter, b: string) => e.op('Cast', [b], { to: { i: FLOAT } });
/** 1 where a < t < b strictly (bounds take the zero subgradient, as Relu at 0), else 0. */
const between = (e: Emitter, t: string, lo: number, hi: number) =>
  asFloat(e, e.op('And', [e.op('Greater', [t, e.scalar(lo)]), e.op('Less', [t, e.scalar(hi)])]));

/** d erf(x)/dx = 2/√π · exp(−x²). */
function erfPrime(e: Emitter, x: string): string {
  return e.op('Mul', [e.scalar(2 / Math.sqrt(Math.PI)), e.op('Exp', [e.op('Neg', [e.op('Mul', [x, x])])])]);
}

/** Gelu's derivative: exact Φ(x) + x·φ(x), or that of its tanh approximation. */
function geluPrime(e: Emitter, x: string, approximate: string): string {
  if (approximate === 'tanh') {
    const c = Math.sqrt(2 / Math.PI), k = 0.044715;
    const x2 = e.op('Mul', [x, x]);
    const u = mul(e, e.scalar(c), e.op('Add', [x, mul(e, e.scalar(k), x2, x)]));
    const t = e.op('Tanh', [u]);
    const du = mul(e, e.scalar(c), e.op('Add', [e.scalar(1), mul(e, e.scalar(3 * k), x2)]));
    const sech2 = e.op('Sub', [e.scalar(1), e.op('Mul', [t, t])]);
    return e.op('Add', [mul(e, e.scalar(0.5), e.op('Add', [e.scalar(1), t])), mul(e, e.scalar(0.5), x, sech2, du)]);
  }
  const cdf = mul(e, e.scalar(0.5), e.op('Add', [e.scalar(1), e.op('Erf', [mul(e, x, e.scalar(Math.SQRT1_2))])]));
  const pdf = mul(e, e.scalar(1 / Math.sqrt(2 * Math.PI)), e.op('Exp', [mul(e, e.scalar(-0.5), x, x)]));
  return e.op('Add', [cdf, mul(e, x, pdf)]);
}

/** Variadic Max/Min: each input gets the gradient where it equals the result (ties share it). */
const extreme: VjpRule = {
  diff: 'all',
  vjp(e, n, gy, need) {
    const y = n.output[0];
    const d = e.fact(y).dims;
    const hits = n.input.map((x) => asFloat(e, e.op('Equal', [x, y])));
    const count = hits.length === 1 ? undefined : e.op('Sum', hits);
    const share = count ? e.op('Div', [gy[0]!, count]) : gy[0]!;
    return n.input.map((x, i) => (need[i] ? unbroadcast(e, e.op('Mul', [share, hits[i]]), d, x) : undefined));
  },
};

export const smoothRules: RuleTable = {
  Erf: unary((e, g, x) => e.op('Mul', [g, erfPrime(e, x)])),
  Gelu: unary((e, g, x, _y, n) => e.op('Mul', [g, geluPrime(e, x, attr<string>(n, 'approximate', 'none'))])),
  // y = max(0, min(1, αx + β)): slope α strictly inside, read from the output.
  HardSigmoid: unary((e, g, _x, y, n) => mul(e, g, between(e, y, 0, 1), e.scalar(attr<number>(n, 'alpha', 0.2)))),
  // y = x·hardsigmoid(x) with α = 1/6, β = ½: 0 below −3, 1 above 3, x/3 + ½ between.
  HardSwish: unary((e, g, x) => {
    const inner = mul(e, between(e, x, -3, 3), e.op('Add', [mul(e, x, e.scalar(1 / 3)), e.scalar(0.5)]));
    return e.op('Mul', [g, e.op('Add', [inner, asFloat(e, e.op('GreaterOrEqual', [x, e.scalar(3)]))])]);
  }),
  Elu: unary((e, g, x, y, n) => {
    const alpha = attr<number>(n, 'alpha', 1);
    return e.op('Where', [e.op('Greater', [x, e.scalar(0)]), g, mul(e, g, e.op('Add', [y, e.scalar(alpha)]))]);
  }),
  Selu: unary((e, g, x, y, n) => {
    const alpha = attr<number>(n, 'alpha', 1.67326319217681884765625), gamma = attr<number>(n, 'gamma', 1.05070102214813232421875);
    return e.op('Where', [e.op('Greater', [x, e.scalar(0)]), mul(e, g, e.scalar(gamma)), mul(e, g, e.op('Add', [y, e.scalar(gamma * alpha)]))]);
  }),
  Softplus: unary((e, g, x) => e.op('Mul', [g, e.op('Sigmoid', [x])])),
  Softsign: unary((e, g, x) => {
    const d = e.op('Add', [e.scalar(1), e.op('Abs', [x])]);
    return e.op('Div', [g, e.op('Mul', [d, d])]);
  }),
  Reciprocal: unary((e, g, _x, y) => e.op('Neg', [mul(e, g, y, y)])),
  Sin: unary((e, g, x) => e.op('Mul', [g, e.op('Cos', [x])])),
  Cos: unary((e, g, x) => e.op('Neg', [e.op('Mul', [g, e.op('Sin', [x])])])),
  PRelu: {
    diff: [0, 1],
    vjp(e, n, gy, need) {
      const [x, slope] = n.input;
      const g = gy[0]!;
      const pos = e.op('Greater', [x, e.scalar(0)]);
      const zero = e.scalar(0);
      return [
        need[0] ? unbroadcast(e, e.op('Where', [pos, g, e.op('Mul', [g, slope])]), e.fact(n.output[0]).dims, x) : undefined,
        need[1] ? unbroadcast(e, e.op('Where', [pos, zero, e.op('Mul', [g, x])]), e.fact(n.output[0]).dims, slope) : undefined,
      ];
    },
  },
  Pow: {
    diff: [0, 1],
    vjp(e, n, gy, need) {
      const [a, b] = n.input;
      const g = gy[0]!, y = n.output[0];
      const d = e.fact(y).dims;
      // Integer exponents (allowed from opset 12) are cast so the arithmetic stays in float.
      const bf = e.fact(b).dtype === 'float32' ? b : asFloat(e, b);
      const ga = need[0] ? unbroadcast(e, mul(e, g, bf, e.op('Pow', [a, e.op('Sub', [bf, e.scalar(1)])])), d, a) : undefined;
      // d(aᵇ)/db = aᵇ·ln a: defined for a > 0 only, as the function itself.
      const gb = need[1] ? unbroadcast(e, mul(e, g, y, e.op('Log', [a])), d, b) : undefined;
      return [ga, gb];
    },
  },
  Max: extreme,
  Min: extreme,
  Where: {
    diff: [1, 2],
    vjp(e, n, gy, need) {
      const [c, x, y] = n.input;
      const g = gy[0]!, d = e.fact(n.output[0]).dims;
      const zero = e.scalar(0);
      return [
        undefined,
        need[1] ? unbroadcast(e, e.op('Where', [c, g, zero]), d, x) : undefined,
        need[2] ? unbroadcast(e, e.op('Where', [c, zero, g]), d, y) : undefined,
      ];
    },
  },
};
