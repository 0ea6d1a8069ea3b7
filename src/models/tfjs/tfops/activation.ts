// Activations, standalone and fused into convolutions and matmuls (`fused_ops`), as ONNX nodes.
// Layout-free: they act elementwise, so the value keeps whatever layout it has.
import { emit, fresh, floatInit, inputAt, finish, irLayout, shapeOf, type Builder, type Converter } from './context.ts';
import { attrFloat } from './attrs.ts';

/** TF activation op names neurogate maps (also the names `fused_ops` uses). */
export const ACTIVATIONS = ['Relu', 'Relu6', 'Elu', 'LeakyRelu', 'Sigmoid', 'Tanh'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export function isActivation(op: string): op is Activation {
  return (ACTIVATIONS as readonly string[]).includes(op);
}

function scalar(b: Builder, key: string, v: number): string {
  let name = b.memo.get(key);
  if (name === undefined) {
    name = floatInit(b, key, { dims: [], data: new Float32Array([v]) });
    b.memo.set(key, name);
  }
  return name;
}

/** Emit `out = act(x)`. LeakyRelu's slope comes from the node (TF default 0.2). */
export function emitActivation(b: Builder, act: Activation, x: string, out: string, alpha = 0.2): void {
  switch (act) {
    case 'Relu': emit(b, 'Relu', [x], [out]); break;
    case 'Relu6': emit(b, 'Clip', [x, scalar(b, 'tfjs/relu6_min', 0), scalar(b, 'tfjs/relu6_max', 6)], [out]); break;
    case 'Elu': emit(b, 'Elu', [x], [out], { alpha: { f: 1 } }); break;
    case 'LeakyRelu': emit(b, 'LeakyRelu', [x], [out], { alpha: { f: alpha } }); break;
    case 'Sigmoid': emit(b, 'Sigmoid', [x], [out]); break;
    case 'Tanh': emit(b, 'Tanh', [x], [out]); break;
  }
}

/** Emit `pre` then the activation, returning the pre-activation tensor's IR name. */
export function withActivation(b: Builder, act: Activation | undefined, out: string, alpha: number, emitPre: (target: string) => void): string | undefined {
  if (!act) {
    emitPre(out);
    return undefined;
  }
  const pre = fresh(b, `${out}#preactivation`);
  emitPre(pre);
  emitActivation(b, act, pre, out, alpha);
  return pre;
}

export const activationOps: Record<string, Converter> = Object.fromEntries(ACTIVATIONS.map((act) => [act, (c) => {
  const x = inputAt(c, 0, 'x');
  const value = finish(c.b, c.out, shapeOf(x), 'ir', (t) => emitActivation(c.b, act, irLayout(c.b, x), t, attrFloat(c.node, 'alpha', 0.2)));
  return { value };
}]));
