// MatMul and _FusedMatMul (bias and activation fused): rank-2 products with transpose_a/b.
// Constant operands are transposed once at import; computed ones through a Transpose node.
import { transpose } from '../../../engine/tensor.ts';
import { attrBool, attrInt, attrFloat, attrStrings } from './attrs.ts';
import { emit, fresh, floatInit, inputAt, constAt, nodeError, finish, requireRank, type OpContext, type Converter, type Value } from './context.ts';
import { ACTIVATIONS, isActivation, withActivation, type Activation } from './activation.ts';

function operand(c: OpContext, v: Value, transposed: boolean): string {
  if (v.kind === 'const') return floatInit(c.b, v.name, transposed ? transpose(v.tensor, [1, 0]) : v.tensor);
  if (!transposed) return v.name;
  const name = fresh(c.b, `${v.name}#transposed`);
  emit(c.b, 'Transpose', [v.name], [name], { perm: { ints: [1, 0] } });
  return name;
}

function matmul(fused: boolean): Converter {
  return (c) => {
    const a = inputAt(c, 0, 'a');
    const b = inputAt(c, 1, 'b');
    const as = requireRank(c, a, [2], 'first operand');
    const bs = requireRank(c, b, [2], 'second operand');
    const ta = attrBool(c.node, 'transpose_a', false);
    const tb = attrBool(c.node, 'transpose_b', false);
    const [m, k1] = ta ? [as[1], as[0]] : as;
    const [k2, n] = tb ? [bs[1], bs[0]] : bs;
    if (k1 >= 0 && k2 >= 0 && k1 !== k2) {
      throw nodeError(c, 'E_TFJS_SHAPE', `cannot multiply [${as}]${ta ? 'ᵀ' : ''} by [${bs}]${tb ? 'ᵀ' : ''}`);
    }
    let bias: string | undefined;
    let act: Activation | undefined;
    let alpha = 0.2;
    if (fused) {
      const ops = attrStrings(c.node, 'fused_ops');
      const numArgs = attrInt(c.node, 'num_args', c.inputs.length - 2);
      const [first, second, ...rest] = ops;
      if (first !== 'BiasAdd' || numArgs !== 1 || c.inputs.length !== 3 || (second !== undefined && !isActivation(second)) || rest.length) {
        throw nodeError(c, 'E_TFJS_FUSED', `fused_ops [${ops}] with ${numArgs} extra inputs is not supported`,
          `supported: BiasAdd with one bias input, then optionally one of ${ACTIVATIONS.join(', ')}`);
      }
      const t = constAt(c, 2, 'bias').tensor;
      if (n >= 0 && t.data.length !== n) throw nodeError(c, 'E_TFJS_SHAPE', `bias has ${t.data.length} values, the product has ${n} columns`);
      bias = floatInit(c.b, c.inputs[2].name, { dims: [t.data.length], data: t.data });
      act = second as Activation | undefined;
      alpha = attrFloat(c.node, 'leakyrelu_alpha', 0.2);
    }
    const inputs = [operand(c, a, ta), operand(c, b, tb)];
    let preActivation: string | undefined;
    const value = finish(c.b, c.out, [m, n], 'ir', (target) => {
      preActivation = withActivation(c.b, act, target, alpha, (t) => {
        if (!bias) return emit(c.b, 'MatMul', inputs, [t]);
        const product = fresh(c.b, `${c.out}#matmul`);
        emit(c.b, 'MatMul', inputs, [product]);
        emit(c.b, 'Add', [product, bias!], [t]);
      });
    });
    return { value, preActivation, weight: b.kind === 'const' ? b.name : undefined };
  };
}

export const matmulOps: Record<string, Converter> = {
  MatMul: matmul(false),
  _FusedMatMul: matmul(true),
};
