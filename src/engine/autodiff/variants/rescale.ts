// The "gradient × input" form of DeepLIFT and LRP (Ancona et al. 2018, "Towards better
// understanding of gradient-based attribution methods"): both are a backward pass in which each
// nonlinearity's local gradient becomes a finite-difference ratio, multiplied by (x − x₀) at the end.
// Linear ops keep their ordinary VJP (their multiplier is the weight); ops whose multiplier this
// form cannot express are refused by name, since a silent gradient there would break completeness.
import type { NodeProto } from '../../onnx.ts';
import { badInput } from '../../../errors.ts';
import { reduceSum, unsqueeze, type Emitter } from '../emit.ts';
import { maxPoolBackward } from '../rules/pool.ts';
import { ruleFor } from '../rules/index.ts';
import type { VjpRule } from '../rules/rule.ts';
import type { VariantContext } from './variant.ts';

/** Elementwise nonlinearities: multiplier (f(x) − f(x₀)) / (x − x₀). */
export const RESCALED_OPS = ['Relu', 'LeakyRelu', 'Clip', 'Sigmoid', 'Tanh', 'Elu', 'Selu', 'Softplus', 'Softsign', 'HardSigmoid', 'HardSwish', 'Gelu', 'Erf'];
/** Max pools: Δy goes to the input's winners (see shareAmongWinners). */
export const WINNER_OPS = ['MaxPool', 'GlobalMaxPool'];
/** Ops linear in their variable input (at most one variable operand): the ordinary VJP is already the multiplier. */
export const LINEAR_OPS = [
  'Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Add', 'Sub', 'Sum', 'Neg', 'Mul', 'Div', 'BatchNormalization',
  'AveragePool', 'GlobalAveragePool', 'ReduceSum', 'ReduceMean', 'Resize', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze',
  'Identity', 'Dropout', 'Cast', 'Transpose', 'Expand', 'Concat', 'Split', 'Slice', 'Pad', 'Gather', 'GatherElements', 'Tile',
];
/** Products whose every variable operand would need a joint multiplier: only one may vary. */
const ONE_VARIABLE = new Set(['Gemm', 'MatMul', 'Mul']);

/**
 * Below this |x − x₀| the ratio is replaced by the ordinary gradient (its limit): float32 ratios of
 * tiny differences are noise, and their contribution (x − x₀)·ratio is negligible either way.
 */
export const RESCALE_TOLERANCE = 1e-6;

/** Refuse a node the gradient × input form cannot model; name the op, say what is supported. */
export function checkModelled(method: string, n: NodeProto, ctx: VariantContext): void {
  const name = `${n.opType} (node "${n.name || n.output[0]}")`;
  const supported = `${method} supports ${[...RESCALED_OPS, ...WINNER_OPS, ...LINEAR_OPS].join(', ')}`;
  const known = RESCALED_OPS.includes(n.opType) || WINNER_OPS.includes(n.opType) || LINEAR_OPS.includes(n.opType);
  if (!known || (n.domain && n.domain !== 'ai.onnx')) {
    throw badInput('E_AUTODIFF_VARIANT', `${method} has no rule for op ${name}, which lies between the target and the input`, ctx.where, supported);
  }
  const variable = n.input.filter((t) => t && ctx.variable(t)).length;
  if ((ONE_VARIABLE.has(n.opType) && variable > 1) || (n.opType === 'Div' && n.input[1] && ctx.variable(n.input[1]))) {
    throw badInput('E_AUTODIFF_VARIANT', `${method} cannot split ${name}: it multiplies or divides two input-dependent tensors`, ctx.where,
      `${method} needs models that are linear between their nonlinearities (a product of two activations, as in attention or gating, has no such rule); use integrated_gradients`);
  }
}

/** Δ = a − a₀, or a itself against a zero reference. */
function diff(e: Emitter, a: string, a0: string | undefined): string {
  return a0 ? e.op('Sub', [a, a0]) : a;
}

/** where |Δx| > tolerance: num / Δx, else the fallback. */
function ratioOr(e: Emitter, num: string, dx: string, fallback: string): string {
  const big = e.op('Greater', [e.op('Abs', [dx]), e.scalar(RESCALE_TOLERANCE)]);
  // Where evaluates both branches: the divisor gets a harmless 1 where the ratio is not used.
  const safe = e.op('Where', [big, dx, e.scalar(1)]);
  return e.op('Where', [big, e.op('Div', [num, safe]), fallback]);
}

/**
 * g · (y − y₀)/(x − x₀) for an elementwise op; x₀, y₀ undefined = 0 (LRP passes relevance through a
 * nonlinearity unchanged: R_x = x·g_x = y·g_y).
 */
export function rescaleRule(op: string, ref: (t: string) => string | undefined): VjpRule {
  const base = ruleFor(op)!;
  return {
    diff: base.diff,
    vjp(e, n, gy, need) {
      const g = gy[0]!;
      const [x, y] = [n.input[0], n.output[0]];
      const dx = diff(e, x, ref(x)), dy = diff(e, y, ref(y));
      const local = base.vjp(e, n, gy, need)[0]!;
      return [ratioOr(e, e.op('Mul', [g, dy]), dx, local), ...n.input.slice(1).map(() => undefined)];
    },
  };
}

/**
 * Per window: g·Δy shared among x's winners in proportion to their Δx, so Σ Δx·g_in = g·Δy exactly
 * (the winners' Δx summed is the divisor). Where the winners' Δx sum to ~0 (they equal the reference),
 * the ordinary split of g. Dividing each winner by its own Δx, as Captum does, loses the share of a
 * tied winner equal to the reference — common after a ReLU zeroes a whole window.
 */
function shareAmongWinners(e: Emitter, hit: string, dxTaps: string, g: string, dy: string, axes: number[]): string {
  const den = reduceSum(e, e.op('Mul', [hit, dxTaps]), axes, true);
  const ordinary = e.op('Div', [g, reduceSum(e, hit, axes, true)]);
  return e.op('Mul', [hit, ratioOr(e, e.op('Mul', [g, dy]), den, ordinary)]);
}

export function winnerRule(op: string, ref: (t: string) => string | undefined): VjpRule {
  const base = ruleFor(op)!;
  return {
    diff: base.diff,
    vjp(e, n, gy) {
      const [x, y] = [n.input[0], n.output[0]];
      const [dx, dy] = [diff(e, x, ref(x)), diff(e, y, ref(y))];
      const rest = n.input.slice(1).map(() => undefined);
      if (op === 'MaxPool') {
        const per = (t: string) => unsqueeze(e, t, [2]);
        return [maxPoolBackward(e, n, (hit, taps) => shareAmongWinners(e, hit, taps(dx), per(gy[0]!), per(dy), [2])), ...rest];
      }
      const hit = e.op('Cast', [e.op('Equal', [x, y])], { to: { i: 1 } });
      return [shareAmongWinners(e, hit, dx, gy[0]!, dy, Array.from({ length: e.fact(x).dims.length - 2 }, (_, i) => i + 2)), ...rest];
    },
  };
}
