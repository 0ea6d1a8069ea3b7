// Finding the weights behind a unit: a channel of a named tensor is traced back through concats
// (branch offsets) and per-channel ops (Relu, BatchNorm, pooling) to the Conv that produces it.
import type { GraphProto, ModelProto, NodeProto } from '../../engine/onnx.ts';
import { attr, findInitializer, producerOf } from '../../engine/graph.ts';
import { num } from '../../engine/onnx.ts';
import { badInput } from '../../errors.ts';

/** Ops that keep channel c in channel c (so a unit's identity passes through them). */
const PER_CHANNEL = new Set(['Relu', 'BatchNormalization', 'MaxPool', 'AveragePool', 'Identity', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip']);

/** The chain from a Conv to the tensor a user named: the Conv, an optional BatchNorm, then activations. */
export interface UnitSource {
  conv: NodeProto;
  /** Output channel of the Conv (after removing concat offsets). */
  channel: number;
  /** BatchNormalization directly after the Conv (Keras keeps it unfolded), if any. */
  bn?: NodeProto;
  /** Ops between the Conv (or its BN) and the named tensor, e.g. ['Relu']. */
  after: string[];
}

/** Number of channels of a tensor, from the weights that make it (no forward pass needed). */
export function channelsOf(g: GraphProto, model: ModelProto, tensor: string): number {
  const n = producerOf(g, tensor);
  if (!n) {
    const vi = g.input.find((i) => i.name === tensor);
    const d = vi?.type?.tensorType?.shape?.dim?.[1];
    if (d && d.dimValue !== undefined && d.dimValue !== null) return num(d.dimValue);
    throw badInput('E_CIRCUIT_CHANNELS', `cannot tell how many channels "${tensor}" has`, undefined, 'name a layer produced by a Conv, a concat of them, or a per-channel op on one');
  }
  if (n.opType === 'Conv') return num(findInitializer(model, n.input[1])!.dims[0]);
  if (n.opType === 'Concat') return n.input.reduce((s, t) => s + channelsOf(g, model, t), 0);
  if (PER_CHANNEL.has(n.opType)) return channelsOf(g, model, n.input[0]);
  throw badInput('E_CIRCUIT_CHANNELS', `cannot tell how many channels "${tensor}" has (made by ${n.opType})`, undefined, 'name a Conv output or a concat of Conv branches');
}

/** Trace channel `channel` of `tensor` back to the Conv producing it. */
export function sourceOf(model: ModelProto, tensor: string, channel: number): UnitSource {
  const g = model.graph!;
  const after: string[] = [];
  let t = tensor;
  let c = channel;
  for (let guard = 0; guard < 10_000; guard++) {
    const n = producerOf(g, t);
    if (!n) break;
    if (n.opType === 'Conv') {
      const out = num(findInitializer(model, n.input[1])?.dims[0] ?? -1);
      if (c < 0 || c >= out) throw badInput('E_NO_UNIT', `unit ${channel} does not exist in "${tensor}"`, undefined, `it has ${out} channels`);
      // A BN right after this Conv on the path we came along.
      const bnIdx = after.length ? after.length - 1 : -1;
      const last = bnIdx >= 0 ? after[bnIdx] : undefined;
      let bn: NodeProto | undefined;
      if (last === 'BatchNormalization') {
        bn = g.node.find((x) => x.opType === 'BatchNormalization' && x.input[0] === n.output[0]);
        after.pop();
      }
      return { conv: n, channel: c, bn, after: after.reverse() };
    }
    if (n.opType === 'Concat') {
      const axis = attr<number>(n, 'axis', 1);
      if (axis !== 1 && axis !== -3) break;
      let off = 0;
      let found = false;
      for (const inp of n.input) {
        const k = channelsOf(g, model, inp);
        if (c < off + k) {
          t = inp;
          c -= off;
          found = true;
          break;
        }
        off += k;
      }
      if (!found) throw badInput('E_NO_UNIT', `unit ${channel} does not exist in "${tensor}"`, undefined, `it has ${off} channels`);
      // Ops above the concat belong to the concat's output, not to this branch's chain.
      after.length = 0;
      continue;
    }
    if (PER_CHANNEL.has(n.opType)) {
      after.push(n.opType);
      t = n.input[0];
      continue;
    }
    break;
  }
  throw badInput('E_CIRCUIT_SOURCE', `no Conv found behind unit ${channel} of "${tensor}"`, undefined, 'circuit edits work on units made by Conv layers (optionally through BatchNorm, Relu, pooling and concats)');
}

/** The Conv whose output (possibly through BN/Relu) is `tensor` — a whole-layer reference. */
export function convOf(model: ModelProto, tensor: string): UnitSource {
  return sourceOf(model, tensor, 0);
}

/** Conv attributes the edits and views rely on; grouped convs are refused (their weight has another meaning). */
export function convGroup(n: NodeProto): number {
  return attr<number>(n, 'group', 1);
}
