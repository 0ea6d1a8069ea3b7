// The state one Keras import builds up: ONNX nodes and initializers, each tensor's static shape
// (kept in Keras's NHWC order, because Keras configs speak in it), names in use, and the weights.
import { floatTensorProto, node, type AttrValue } from '../../../engine/graph.ts';
import type { NodeProto, TensorProto } from '../../../engine/onnx.ts';
import { badInput } from '../../../errors.ts';
import type { TfWeight } from '../weights.ts';
import type { KerasLayer } from './topology.ts';

/** A Keras tensor shape: batch first (null), then H, W, C for images or units for vectors. */
export type KShape = (number | null)[];

export interface Ctx {
  where: string;
  nodes: NodeProto[];
  initializers: TensorProto[];
  /** Keras-layout shape of every tensor a layer produced, by tensor name. */
  shapes: Map<string, KShape>;
  weights: WeightBook;
  aliases: Record<string, { tensor: string; preActivation?: string; kind?: string }>;
  /** Every tensor and initializer name handed out so far: the IR has one namespace for both. */
  taken: Set<string>;
  constants: Map<number, string>;
}

export function newContext(where: string, weights: Map<string, TfWeight>): Ctx {
  return { where, nodes: [], initializers: [], shapes: new Map(), weights: weightBook(weights, where), aliases: {}, taken: new Set(), constants: new Map() };
}

/** A bad-input error about one layer: the message leads with its name and class. */
export function layerError(ctx: Ctx, l: KerasLayer, code: string, message: string, hint?: string): Error {
  return badInput(code, `layer "${l.name}" (${l.className}): ${message}`, ctx.where, hint);
}

/** Reserve a tensor name; Keras names may contain '/', so a layer could collide with our internal names. */
export function claim(ctx: Ctx, name: string): string {
  if (ctx.taken.has(name)) {
    throw badInput('E_KERAS_NAME', `the tensor name "${name}" is needed twice (a layer name equals another layer's name plus a "/…" suffix neurogate uses)`, ctx.where,
      'rename the layer and convert the model again');
  }
  ctx.taken.add(name);
  return name;
}

/** One node with one output; the output name is claimed so no two nodes write the same tensor. */
export function emit(ctx: Ctx, op: string, inputs: string[], output: string, attrs: Record<string, AttrValue> = {}): string {
  ctx.nodes.push(node(op, inputs, [claim(ctx, output)], attrs));
  return output;
}

export function addInitializer(ctx: Ctx, name: string, dims: number[], data: Float32Array): string {
  claim(ctx, name);
  ctx.initializers.push(floatTensorProto(name, { dims, data }));
  return name;
}

/** A shared float scalar (Clip bounds, activation constants), one initializer per value. */
export function scalar(ctx: Ctx, value: number): string {
  let name = ctx.constants.get(value);
  if (!name) {
    name = claim(ctx, `const/${value}`);
    ctx.initializers.push(floatTensorProto(name, { dims: [], data: Float32Array.of(value) }));
    ctx.constants.set(value, name);
  }
  return name;
}

export interface WeightBook {
  /** The weight `<layer>/<name>` with exactly this shape, or a bad-input error naming both. */
  take(l: KerasLayer, name: string, shape: number[]): Float32Array;
  /** Manifest weights no layer took (TF.js refuses those in strict loading; so do we). */
  unused(): string[];
}

function weightBook(weights: Map<string, TfWeight>, where: string): WeightBook {
  // TF 2.2 writes some weights as layer/cell/weight; TF.js drops the middle part when the
  // full name matches nothing, and so do we.
  const short = new Map<string, string>();
  for (const name of weights.keys()) {
    const t = name.split('/');
    if (t.length >= 3) short.set([...t.slice(0, -2), t[t.length - 1]].join('/'), name);
  }
  const used = new Set<string>();
  return {
    take(l, wname, shape) {
      const want = `${l.name}/${wname}`;
      const key = weights.has(want) ? want : short.get(want);
      const w = key === undefined ? undefined : weights.get(key);
      if (!w || key === undefined) {
        const own = [...weights.keys()].filter((k) => k.startsWith(`${l.name}/`));
        throw badInput('E_KERAS_WEIGHT_MISSING', `layer "${l.name}" (${l.className}) needs weight "${want}" [${shape}], which the weights manifest does not have`, where,
          own.length ? `the manifest has ${own.map((k) => `"${k}"`).join(', ')} for this layer; model.json and the weights do not match` : 'model.json and the weights do not match; convert the model again');
      }
      if (w.dims.length !== shape.length || w.dims.some((d, i) => d !== shape[i])) {
        throw badInput('E_KERAS_WEIGHT_SHAPE', `weight "${key}" of layer "${l.name}" (${l.className}) has shape [${w.dims}], the layer needs [${shape}]`, where,
          'model.json and the weights do not match; convert the model again');
      }
      if (used.has(key)) throw badInput('E_KERAS_WEIGHT_SHARED', `weight "${key}" is claimed twice (layer "${l.name}")`, where, 'the model.json is damaged; convert the model again');
      used.add(key);
      return w.data;
    },
    unused() {
      return [...weights.keys()].filter((k) => !used.has(k));
    },
  };
}
