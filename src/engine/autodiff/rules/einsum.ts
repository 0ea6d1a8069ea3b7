// VJP of Einsum. For y = einsum(t₁, …, tₙ → o), operand k's adjoint is again an einsum: the
// output's adjoint (subscripts o) contracted with every other operand, onto tₖ's subscripts.
// A subscript only tₖ has (summed away inside it) meets no factor, so the adjoint is constant
// along it and is expanded back; a size-1 axis that broadcast against a larger one is summed back.
import { attr } from '../../graph.ts';
import { reduceSum, unsqueeze, unsupported, type Emitter } from '../emit.ts';
import type { RuleTable } from './rule.ts';

/** An equation with every '...' spelled out as letters it does not use, one list of labels per term. */
export interface EinsumTerms { inputs: string[][]; output: string[] }

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Parse an ONNX Einsum equation for operands of the given ranks (implicit output as numpy: ellipsis, then labels used once, sorted). */
export function parseEinsum(equation: string, ranks: number[]): EinsumTerms {
  const eq = equation.replace(/\s/g, '');
  const [lhs, rhs] = eq.split('->');
  const terms = lhs.split(',');
  if (terms.length !== ranks.length) throw new Error(`equation "${equation}" has ${terms.length} operands, the node ${ranks.length}`);
  const free = [...LETTERS].filter((l) => !eq.includes(l));
  const widths = terms.map((t, i) => (t.includes('...') ? ranks[i] - (t.length - 3) : 0));
  const width = Math.max(0, ...widths);
  const ellipsis = free.slice(0, width);
  // Ellipsis dims align from the right, as broadcasting does.
  const spell = (t: string, w: number) => {
    if (!t.includes('...')) return [...t];
    const [before, after] = t.split('...');
    return [...before, ...ellipsis.slice(width - w), ...after];
  };
  const inputs = terms.map((t, i) => spell(t, widths[i]));
  if (rhs !== undefined) return { inputs, output: spell(rhs, width) };
  const count = new Map<string, number>();
  for (const l of inputs.flat()) if (!ellipsis.includes(l)) count.set(l, (count.get(l) ?? 0) + 1);
  return { inputs, output: [...ellipsis, ...[...count].filter(([, c]) => c === 1).map(([l]) => l).sort()] };
}

export const einsumRules: RuleTable = {
  Einsum: {
    diff: 'all',
    vjp(e: Emitter, n, gy, need) {
      const g = gy[0]!;
      const dims = n.input.map((x) => e.fact(x).dims);
      const { inputs, output } = parseEinsum(attr<string>(n, 'equation', ''), dims.map((d) => d.length));
      if ([...inputs, output].some((t) => new Set(t).size !== t.length)) {
        throw unsupported(e, 'a term repeats a subscript (a diagonal or trace)', 'write the diagonal as a Mul with an identity matrix, then a plain Einsum');
      }
      // The size of each label among the factors the adjoint is built from.
      const sizeIn = (terms: string[][], termDims: number[][]) => {
        const size = new Map<string, number>();
        terms.forEach((t, i) => t.forEach((l, a) => size.set(l, Math.max(size.get(l) ?? 1, termDims[i][a]))));
        return size;
      };
      const yDims = e.fact(n.output[0]).dims;
      return n.input.map((x, k) => {
        if (!need[k]) return undefined;
        const others = inputs.map((_, i) => i).filter((i) => i !== k);
        const size = sizeIn([output, ...others.map((i) => inputs[i])], [yDims, ...others.map((i) => dims[i])]);
        const target = inputs[k].filter((l) => size.has(l));
        const equation = `${[output, ...others.map((i) => inputs[i])].map((t) => t.join('')).join(',')}->${target.join('')}`;
        let gk = e.op('Einsum', [g, ...others.map((i) => n.input[i])], { equation: { s: equation } });
        const xd = dims[k];
        const broadcast = target.flatMap((l, a) => (xd[inputs[k].indexOf(l)] === 1 && size.get(l)! > 1 ? [a] : []));
        gk = reduceSum(e, gk, broadcast, true);
        const missing = inputs[k].flatMap((l, a) => (size.has(l) ? [] : [a]));
        if (missing.length) gk = e.op('Expand', [unsqueeze(e, gk, missing), e.shapeOf(x)]);
        return gk;
      });
    },
  },
};
