// Layer-wise relevance propagation (Bach et al. 2015; the rules as Montavon et al. 2019, "Layer-wise
// relevance propagation: an overview") as a modified backward pass over the IR graph. The adjoint g
// carries relevance per unit of activation (R_a = a ⊙ g): a linear layer z = ρ(W)·a + ρ(b) turns the
// relevance at its output, R = z ⊙ g, into s = R / stab(z_ρ) and passes ρ(W)ᵀ s back, so the input's
// relevance is x ⊙ g at the end. Rules are chosen per node from a table (op type, name pattern):
// the graph is the model as it runs, so no module hook can miss a layer.
import { onnx, type NodeProto } from '../../onnx.ts';
import type { Emitter } from '../emit.ts';
import { ruleFor } from '../rules/index.ts';
import type { VjpRule } from '../rules/rule.ts';
import { RESCALED_OPS, checkModelled, rescaleRule } from './rescale.ts';
import { nodeMatches, type BackwardVariant, type NodeMatch } from './variant.ts';

export type LrpRule =
  /** R_i = Σ_j a_i w_ij / (z_j + ε·sign z_j) · R_j; ε = 0 is LRP-0 (gradient × input). */
  | { rule: 'epsilon'; epsilon: number }
  /** Positive contributions boosted: w + γw⁺ (w + γw⁻ for negative inputs), b + γb⁺. */
  | { rule: 'gamma'; gamma: number }
  /** Only positive contributions a_i w_ij > 0; biases ignored, so each layer conserves relevance. */
  | { rule: 'zplus' }
  /** α·(positive-contribution share) − β·(negative-contribution share), α − β = 1; biases ignored. */
  | { rule: 'alpha_beta'; alpha: number; beta: number };

/** One row of a rule table: the first row that matches a layer gives its rule. */
export type LrpEntry = NodeMatch & { use: LrpRule };

/** The layers LRP rules apply to (variable input in slot 0, constant weight in slot 1). */
export const LRP_LAYER_OPS = ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'];

/** Keeps every denominator away from 0 (z_ρ = 0 exactly with R = 0 would give 0/0). */
const STAB_FLOOR = 1e-9;

/** z + ε·sign(z), with sign(0) = +1. */
function stabilise(e: Emitter, z: string, epsilon: number): string {
  const eps = Math.max(epsilon, STAB_FLOOR);
  return e.op('Add', [z, e.op('Where', [e.op('Less', [z, e.scalar(0)]), e.scalar(-eps), e.scalar(eps)])]);
}

/** The layer's own op on other operands, its attributes unchanged (strides, groups, transB, α…). */
function layerOn(e: Emitter, n: NodeProto, inputs: string[]): string {
  const out = e.fresh(`lrp/${n.opType}`);
  e.nodes.push(onnx.NodeProto.create({ opType: n.opType, domain: n.domain, name: out, input: inputs, output: [out], attribute: n.attribute as never }) as unknown as NodeProto);
  return out;
}

/** An emitter that answers shape questions about derived weights (ρ(W) has W's shape) with W's facts. */
function aliased(e: Emitter, alias: Map<string, string>): Emitter {
  return { ...e, fact: (t: string) => e.fact(alias.get(t) ?? t) };
}

function layerRule(op: string, use: LrpRule): VjpRule {
  const base = ruleFor(op)!;
  return {
    diff: base.diff,
    vjp(e, n, gy, need) {
      const [x, W, B] = n.input;
      const alias = new Map<string, string>();
      const derived = (t: string) => (alias.set(t, W), t);
      const ea = aliased(e, alias);
      // ρ(W)ᵀ s through the layer's ordinary VJP, with ρ(W) in W's place.
      const back = (w: string, s: string) => base.vjp(ea, { ...n, input: [x, w, ...(B ? [B] : [])] } as NodeProto, [s], [true, false, false])[0]!;
      const R = e.op('Mul', [n.output[0], gy[0]!]);
      const rest = n.input.slice(1).map(() => undefined);
      if (use.rule === 'epsilon') return [back(W, e.op('Div', [R, stabilise(e, n.output[0], use.epsilon)])), ...rest];

      const pos = (t: string) => e.op('Relu', [t]);
      const neg = (t: string) => e.op('Min', [t, e.scalar(0)]);
      const [xp, xn] = [pos(x), neg(x)];
      const [Wp, Wn] = [derived(pos(W)), derived(neg(W))];
      /** Pre-activation with weight wp on positive inputs and wn on negative ones. */
      const zOf = (wp: string, wn: string, bias?: string) => e.op('Add', [layerOn(e, n, [xp, wp, ...(bias ? [bias] : [])]), layerOn(e, n, [xn, wn])]);
      /** The input's g when relevance r is shared in proportion to those contributions. */
      const share = (wp: string, wn: string, z: string, r: string) => {
        const s = e.op('Div', [r, stabilise(e, z, 0)]);
        return e.op('Where', [e.op('Greater', [x, e.scalar(0)]), back(wp, s), back(wn, s)]);
      };
      if (use.rule === 'zplus') return [share(Wp, Wn, zOf(Wp, Wn), R), ...rest];
      if (use.rule === 'alpha_beta') {
        const [zp, zn] = [zOf(Wp, Wn), zOf(Wn, Wp)];
        // An output with contributions of one sign only gives all its relevance to that side
        // (weights 1, 0 or 0, −1): α·R − β·R with one share empty would create or lose relevance.
        const hasPos = e.op('Greater', [zp, e.scalar(STAB_FLOOR)]), hasNeg = e.op('Less', [zn, e.scalar(-STAB_FLOOR)]);
        const weight = (both: number, posOnly: number, negOnly: number) =>
          e.op('Where', [hasPos, e.op('Where', [hasNeg, e.scalar(both), e.scalar(posOnly)]), e.op('Where', [hasNeg, e.scalar(negOnly), e.scalar(0)])]);
        const ra = e.op('Mul', [R, weight(use.alpha, 1, 0)]), rb = e.op('Mul', [R, weight(use.beta, 0, -1)]);
        return [e.op('Sub', [share(Wp, Wn, zp, ra), share(Wn, Wp, zn, rb)]), ...rest];
      }
      const boost = (part: string) => derived(e.op('Add', [W, e.op('Mul', [part, e.scalar(use.gamma)])]));
      const bias = B ? e.op('Add', [B, e.op('Mul', [pos(B), e.scalar(use.gamma)])]) : undefined;
      const [Gp, Gn] = [boost(Wp), boost(Wn)];
      return [share(Gp, Gn, zOf(Gp, Gn, bias), R), ...rest];
    },
  };
}

/** A stable text for the cache key. */
function entryKey(r: LrpEntry): string {
  return JSON.stringify([r.op ?? null, r.name ?? null, r.use]);
}

/**
 * LRP with a rule table: each Conv/ConvTranspose/Gemm/MatMul takes the first row that matches
 * it (unmatched: LRP-0, the plain gradient); nonlinearities pass relevance through (R_x = R_y);
 * max pools give it to the winner; other linear ops keep their ordinary VJP, i.e. LRP-0.
 */
export function lrpVariant(table: LrpEntry[]): BackwardVariant {
  return {
    key: `lrp|${table.map(entryKey).join('|')}`,
    ruleFor(n, ctx) {
      checkModelled('LRP', n, ctx);
      if (RESCALED_OPS.includes(n.opType)) return rescaleRule(n.opType, () => undefined);
      // A layer with its weight as the variable operand (x·W written as MatMul(W, x)ᵀ…) keeps LRP-0.
      if (!LRP_LAYER_OPS.includes(n.opType) || !ctx.variable(n.input[0]) || (n.input[1] && ctx.variable(n.input[1]))) return undefined;
      const row = table.find((r) => nodeMatches(r, n, ctx.consumers));
      return row ? layerRule(n.opType, row.use) : undefined;
    },
  };
}

/** The rows of a table that match no layer of a graph: almost always a misspelt name. */
export function unusedRows(table: LrpEntry[], nodes: NodeProto[]): number[] {
  const layers = nodes.filter((n) => LRP_LAYER_OPS.includes(n.opType));
  return table.flatMap((r, i) => (layers.some((n) => nodeMatches(r, n)) ? [] : [i]));
}
