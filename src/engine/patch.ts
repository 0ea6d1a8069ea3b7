// Activation patching in the graph: chosen channels of one tensor are replaced by values fed
// through an extra graph input, so onnxruntime recomputes everything downstream in one batched run.
import { onnx, type GraphProto, type ModelProto, type NodeProto } from './onnx.ts';
import { floatTensorProto, node, producerOf, valueInfo } from './graph.ts';
import { tensor } from './tensor.ts';
import { badInput } from '../errors.ts';

/** Where to patch: a tensor of item shape `itemDims` ([C, …]) and the channels to replace. */
export interface PatchSite {
  tensor: string;
  itemDims: readonly number[];
  units: readonly number[];
}

/** A patched copy of a model and the name of the input that carries the replacement values ([N, C, …]). */
export interface PatchedModel {
  model: ModelProto;
  valueInput: string;
  /** The patched tensor as its readers now see it: tap this, not `site.tensor`, to read the patch itself. */
  patched: string;
}

/**
 * Every reader of `site.tensor` reads `T·keep + V·take` instead, where keep is 1 and take 0 on the
 * channels left alone and the other way round on the patched ones. With finite values that is
 * exact in float32 (x·1 = x, x·0 = 0, x + 0 = x): unpatched channels are bit-identical to the
 * original run and patched ones are bit-identical to V. Plain Mul/Add rather than Where, so the
 * patched graph stays inside what the autodiff engine differentiates.
 * The model is not copied: weights are shared with `model`, only the node list and inputs are new.
 */
export function patchedModel(model: ModelProto, site: PatchSite): PatchedModel {
  const g = model.graph!;
  const C = site.itemDims[0];
  if (g.initializer.some((t) => t.name === site.tensor)) {
    throw badInput('E_PATCH_TENSOR', `"${site.tensor}" is a weight, not an activation`, undefined, 'patch a layer’s output');
  }
  if (!producerOf(g, site.tensor) && !g.input.some((i) => i.name === site.tensor)) {
    throw badInput('E_PATCH_TENSOR', `no tensor named "${site.tensor}" to patch`, undefined, 'list the names with `neurogate layers <model>`');
  }
  for (const u of site.units) {
    if (!Number.isInteger(u) || u < 0 || u >= C) throw badInput('E_NO_UNIT', `unit ${u} does not exist in "${site.tensor}"`, undefined, `it has ${C} channels (0…${C - 1})`);
  }
  const base = `${site.tensor}/neurogate_patch`;
  const valueInput = `${base}/value`;
  const maskDims = [1, C, ...site.itemDims.slice(1).map(() => 1)];
  const take = tensor(maskDims);
  for (const u of site.units) take.data[u] = 1;
  const keep = tensor(maskDims, take.data.map((v) => 1 - v));
  const mixed = `${base}/out`;
  const added = [
    node('Mul', [site.tensor, `${base}/keep`], [`${base}/kept`]),
    node('Mul', [valueInput, `${base}/take`], [`${base}/taken`]),
    node('Add', [`${base}/kept`, `${base}/taken`], [mixed]),
  ];
  const rewired = g.node.map((n) => (n.input.includes(site.tensor) ? withInputs(n, n.input.map((i) => (i === site.tensor ? mixed : i))) : n));
  // The patch nodes go right after the producer, so the node list stays in topological order.
  const at = rewired.findIndex((n) => n.output.includes(site.tensor)) + 1;
  const nodes = [...rewired.slice(0, at), ...added, ...rewired.slice(at)];
  const out = onnx.ModelProto.create({ ...(model as object), graph: undefined }) as unknown as ModelProto;
  out.graph = onnx.GraphProto.create({
    name: g.name,
    node: nodes,
    initializer: [...g.initializer, floatTensorProto(`${base}/keep`, keep), floatTensorProto(`${base}/take`, take)],
    input: [...g.input, valueInfo(valueInput, ['N', ...site.itemDims])],
    output: g.output,
    valueInfo: [],
  } as never) as unknown as GraphProto;
  return { model: out, valueInput, patched: mixed };
}

function withInputs(n: NodeProto, input: string[]): NodeProto {
  return onnx.NodeProto.create({ opType: n.opType, domain: n.domain, name: n.name, input, output: n.output, attribute: n.attribute, docString: n.docString } as never) as unknown as NodeProto;
}

/** Whether `to` depends on `from` (some path of nodes leads from one to the other). */
export function dependsOn(g: GraphProto, to: string, from: string): boolean {
  const producer = new Map<string, NodeProto>();
  for (const n of g.node) for (const o of n.output) if (o) producer.set(o, n);
  const seen = new Set<string>();
  const stack = [to];
  while (stack.length) {
    const t = stack.pop()!;
    if (t === from) return true;
    if (seen.has(t)) continue;
    seen.add(t);
    const n = producer.get(t);
    if (n) for (const i of n.input) if (i) stack.push(i);
  }
  return false;
}
