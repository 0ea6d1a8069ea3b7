// Rewrites before building a gradient graph that onnxruntime does to its own forward pass
// anyway: inference BatchNormalization folded into the Conv before it, and zero Pad folded into
// the Conv after it. The backward pass then skips a full-size Mul per BN and a Slice per Pad.
// Only where nothing needs the tensor in between.
import { onnx, type ModelProto, type NodeProto } from '../onnx.ts';
import { attr, attribute, floatTensorProto, tensorFromProto } from '../graph.ts';
import type { GraphFacts } from './facts.ts';

export interface Folded {
  model: ModelProto;
  facts: GraphFacts;
  folded: number;
}

/**
 * Fold every Conv → BatchNormalization pair whose middle tensor has no other consumer and is
 * not in `keep` (wrt, objective and requested tensors), and whose weights are initializers
 * not in `keep` (their gradients would otherwise be asked for).
 */
export function foldBatchNorms(model: ModelProto, keep: Set<string>, facts: GraphFacts): Folded {
  const g = model.graph;
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const uses = new Map<string, number>();
  for (const n of g.node) for (const i of n.input) if (i) uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const o of g.output) uses.set(o.name, (uses.get(o.name) ?? 0) + 1);
  const producer = new Map<string, NodeProto>();
  for (const n of g.node) for (const o of n.output) if (o) producer.set(o, n);
  const taken = new Set([...inits.keys(), ...g.node.flatMap((n) => n.output), ...g.input.map((i) => i.name)]);
  const fresh = (base: string) => {
    let name = `${base}/bnfold`;
    for (let i = 1; taken.has(name); i++) name = `${base}/bnfold${i}`;
    taken.add(name);
    return name;
  };

  const drop = new Set<NodeProto>();
  const replace = new Map<NodeProto, NodeProto>();
  const added = [];
  const tensors = new Map(facts.tensors);
  for (const bn of g.node) {
    if (bn.opType !== 'BatchNormalization' || (bn.domain && bn.domain !== 'ai.onnx')) continue;
    if (attr<number>(bn, 'training_mode', 0) === 1 || bn.output.slice(1).some(Boolean)) continue;
    const [x, scale, bias, mean, variance] = bn.input;
    const conv = producer.get(x);
    if (!conv || conv.opType !== 'Conv' || replace.has(conv) || uses.get(x) !== 1 || keep.has(x)) continue;
    const [cx, W, cb] = conv.input;
    const params = [W, cb, scale, bias, mean, variance].filter(Boolean);
    if (params.some((p) => keep.has(p) || !inits.has(p))) continue;
    const w = tensorFromProto(inits.get(W)!);
    const M = w.dims[0], per = w.data.length / M;
    const get = (name: string) => tensorFromProto(inits.get(name)!).data;
    const [s, b, mu, v] = [scale, bias, mean, variance].map(get);
    if (s.length !== M) continue;
    const eps = attr<number>(bn, 'epsilon', 1e-5);
    const cbias = cb ? get(cb) : new Float32Array(M);
    const w2 = new Float32Array(w.data.length), b2 = new Float32Array(M);
    for (let m = 0; m < M; m++) {
      const k = s[m] / Math.sqrt(v[m] + eps);
      for (let i = 0; i < per; i++) w2[m * per + i] = w.data[m * per + i] * k;
      b2[m] = (cbias[m] - mu[m]) * k + b[m];
    }
    const wName = fresh(W), bName = fresh(cb || `${W}/bias`);
    added.push(floatTensorProto(wName, { dims: w.dims, data: w2 }), floatTensorProto(bName, { dims: [M], data: b2 }));
    tensors.set(wName, { dims: w.dims, batch: w.dims.map(() => false), dtype: 'float32' });
    tensors.set(bName, { dims: [M], batch: [false], dtype: 'float32' });
    replace.set(conv, onnx.NodeProto.create({
      opType: 'Conv', domain: conv.domain, name: conv.name, input: [cx, wName, bName], output: [bn.output[0]], attribute: conv.attribute as never,
    }) as unknown as NodeProto);
    drop.add(bn);
  }
  if (drop.size === 0) return { model, facts, folded: 0 };
  const out = onnx.ModelProto.create({
    ...(model as object),
    graph: onnx.GraphProto.create({
      ...(g as object),
      node: g.node.filter((n) => !drop.has(n)).map((n) => replace.get(n) ?? n) as never,
      initializer: [...g.initializer, ...added] as never,
    }),
  }) as unknown as ModelProto;
  return { model: out, facts: { ...facts, tensors }, folded: drop.size };
}

/**
 * Fold Pad (constant 0, spatial axes only, non-negative) into the Conv that alone reads it.
 * `constants` gives int tensors known before running (pads, axes).
 */
export function foldPads(model: ModelProto, keep: Set<string>, constants: Map<string, number[]>, opset: number): { model: ModelProto; folded: number } {
  const g = model.graph;
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const consumers = new Map<string, NodeProto[]>();
  for (const n of g.node) for (const i of n.input) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const outputs = new Set(g.output.map((o) => o.name));
  const drop = new Set<NodeProto>();
  const replace = new Map<NodeProto, NodeProto>();
  for (const pad of g.node) {
    if (pad.opType !== 'Pad' || (pad.domain && pad.domain !== 'ai.onnx')) continue;
    const y = pad.output[0];
    const users = consumers.get(y) ?? [];
    const conv = users[0];
    if (users.length !== 1 || conv.opType !== 'Conv' || conv.input[0] !== y || keep.has(y) || outputs.has(y) || replace.has(conv)) continue;
    if (attr<string>(pad, 'mode', 'constant') !== 'constant' || attr<string>(conv, 'auto_pad', 'NOTSET') !== 'NOTSET') continue;
    let pads: number[] | undefined;
    let value = 0;
    if (opset >= 11) {
      pads = constants.get(pad.input[1]);
      if (pad.input[2]) {
        const v = inits.get(pad.input[2]);
        if (!v) continue;
        value = tensorFromProto(v).data[0] ?? 0;
      }
    } else {
      pads = attr<number[] | undefined>(pad, 'pads', undefined);
      value = attr<number>(pad, 'value', 0);
    }
    if (!pads || value !== 0) continue;
    const w = inits.get(conv.input[1]);
    const rank = w ? w.dims.length : 0;
    if (!rank) continue;
    let full = pads;
    if (opset >= 18 && pad.input[3]) {
      const axes = constants.get(pad.input[3]);
      if (!axes) continue;
      full = new Array(2 * rank).fill(0);
      axes.forEach((a, i) => {
        const ax = a < 0 ? a + rank : a;
        full[ax] = pads![i];
        full[ax + rank] = pads![i + axes.length];
      });
    }
    if (full.length !== 2 * rank || full.some((p) => p < 0)) continue;
    if (full[0] || full[1] || full[rank] || full[rank + 1]) continue; // batch or channel padding
    const sp = rank - 2;
    const old = attr<number[]>(conv, 'pads', new Array(2 * sp).fill(0));
    const merged = [...full.slice(2, rank), ...full.slice(rank + 2)].map((p, i) => p + old[i]);
    const attrs = conv.attribute.filter((a) => a.name !== 'pads');
    attrs.push(attribute('pads', { ints: merged }));
    replace.set(conv, onnx.NodeProto.create({
      opType: 'Conv', domain: conv.domain, name: conv.name, input: [pad.input[0], ...conv.input.slice(1)], output: conv.output, attribute: attrs as never,
    }) as unknown as NodeProto);
    drop.add(pad);
  }
  if (drop.size === 0) return { model, folded: 0 };
  const out = onnx.ModelProto.create({
    ...(model as object),
    graph: onnx.GraphProto.create({ ...(g as object), node: g.node.filter((n) => !drop.has(n)).map((n) => replace.get(n) ?? n) as never }),
  }) as unknown as ModelProto;
  return { model: out, folded: drop.size };
}
