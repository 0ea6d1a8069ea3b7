// Importing TF.js graph models (model.json format "graph-model": a frozen TF GraphDef plus weight
// shards) into the ONNX IR: node by node, static shapes tracked, NHWC turned into NCHW.
import { createModel } from '../../engine/graph.ts';
import { makeNet } from '../../engine/net.ts';
import { checkInputSize } from '../input-size.ts';
import { badInput } from '../../errors.ts';
import type { ImportedModel, Preprocess } from '../types.ts';
import type { TfjsModelFiles } from '../zoo/nsfwjs.ts';
import { decodeWeights } from './weights.ts';
import { attrShape, type TfNode } from './tfops/attrs.ts';
import { createBuilder, TO_NCHW, type Converter, type DynValue, type Value } from './tfops/context.ts';
import { convOps } from './tfops/conv.ts';
import { elementwiseOps } from './tfops/elementwise.ts';
import { activationOps } from './tfops/activation.ts';
import { shapeOps } from './tfops/shape.ts';
import { matmulOps } from './tfops/matmul.ts';
import { resizeOps } from './tfops/resize.ts';
import { layerAliases, type ConvertedNode } from './tfops/aliases.ts';

const CONVERTERS: Record<string, Converter> = { ...convOps, ...elementwiseOps, ...activationOps, ...shapeOps, ...matmulOps, ...resizeOps };

/** Every TF op the importer understands (Const and Placeholder are handled by the driver). */
export const SUPPORTED_GRAPH_OPS: string[] = ['Const', 'Placeholder', ...Object.keys(CONVERTERS)].sort();

const HINT_SUPPORTED = `supported ops: ${SUPPORTED_GRAPH_OPS.join(', ')}`;

/** `name`, `name:1` or `^name` (a control dependency, which carries no data). */
function parseRef(ref: string): { node: string; output: number; control: boolean } {
  if (ref.startsWith('^')) return { node: ref.slice(1), output: 0, control: true };
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? { node: m[1], output: Number(m[2]), control: false } : { node: ref, output: 0, control: false };
}

const dataInputs = (n: TfNode) => (n.input ?? []).map(parseRef).filter((r) => !r.control);

/** The graph's outputs: the signature's when it names real nodes, else the nodes nothing reads. */
function outputNodes(json: TfjsModelFiles['modelJson'], nodes: TfNode[], byName: Map<string, TfNode>): string[] {
  const j = json as { signature?: { outputs?: Record<string, { name?: string }> }; userDefinedMetadata?: { signature?: { outputs?: Record<string, { name?: string }> } } };
  const sig = j.signature?.outputs ?? j.userDefinedMetadata?.signature?.outputs;
  if (sig) {
    const names = Object.entries(sig).map(([k, v]) => parseRef(v.name ?? k).node);
    if (names.length && names.every((n) => byName.has(n))) return names;
  }
  const read = new Set(nodes.flatMap((n) => dataInputs(n).map((r) => r.node)));
  return nodes.filter((n) => !read.has(n.name) && n.op !== 'Const' && n.op !== 'Placeholder' && n.op !== 'NoOp').map((n) => n.name);
}

/** The nodes the outputs depend on, inputs first. */
function topoOrder(outputs: string[], byName: Map<string, TfNode>, where: string): TfNode[] {
  const state = new Map<string, 1 | 2>();
  const order: TfNode[] = [];
  for (const start of outputs) {
    if (state.has(start)) continue;
    const stack: [TfNode, number][] = [[byName.get(start)!, 0]];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const refs = dataInputs(top[0]);
      if (top[1] < refs.length) {
        const ref = refs[top[1]++];
        const dep = byName.get(ref.node);
        if (!dep) {
          throw badInput('E_TFJS_DANGLING', `node "${top[0].name}" (${top[0].op}) reads "${ref.node}", which no node of the graph produces`, where, 'model.json is inconsistent; re-convert the model');
        }
        const s = state.get(dep.name);
        if (s === 1) throw badInput('E_TFJS_CYCLE', `the graph has a cycle through node "${dep.name}" (${dep.op})`, where, 'frozen graph models must be acyclic (no control flow); re-convert the model');
        if (s === undefined) {
          state.set(dep.name, 1);
          stack.push([dep, 0]);
        }
      } else {
        state.set(top[0].name, 2);
        order.push(top[0]);
        stack.pop();
      }
    }
  }
  return order;
}

function checkOps(order: TfNode[], where: string): void {
  const unknown = new Map<string, string>();
  for (const n of order) if (n.op !== 'Const' && n.op !== 'Placeholder' && !CONVERTERS[n.op] && !unknown.has(n.op)) unknown.set(n.op, n.name);
  if (unknown.size) {
    const list = [...unknown].map(([op, name]) => `${op} (node "${name}")`).join(', ');
    throw badInput('E_TFJS_OP', `the graph uses ${unknown.size === 1 ? 'an op' : 'ops'} neurogate cannot import: ${list}`, where, HINT_SUPPORTED);
  }
}

/** The image input: one Placeholder, NHWC float with known height, width and channels. */
function imageInput(order: TfNode[], where: string): { node: TfNode; shape: number[] } {
  const ph = order.filter((n) => n.op === 'Placeholder');
  if (ph.length !== 1) {
    throw badInput('E_TFJS_INPUT', `the graph has ${ph.length} inputs (Placeholder nodes${ph.length ? `: ${ph.map((n) => n.name).join(', ')}` : ''}); neurogate needs exactly one image input`, where,
      'export the model with a single NHWC image input');
  }
  const shape = attrShape(ph[0], 'shape');
  const dtype = ph[0].attr?.dtype?.type ?? 'DT_FLOAT';
  if (!shape || shape.length !== 4 || shape.slice(1).some((d) => d <= 0) || dtype !== 'DT_FLOAT') {
    throw badInput('E_TFJS_INPUT', `input "${ph[0].name}" has shape [${shape ?? '?'}] and type ${dtype}; neurogate needs a float NHWC image [batch, height, width, channels] with known height, width and channels`, where,
      'export the model with a fixed input size, e.g. [-1, 224, 224, 3]');
  }
  return { node: ph[0], shape };
}

/** IR dims of a value: NCHW for rank 4, a free batch as 'N'. */
function irDims(v: DynValue): (number | string)[] {
  const dims = v.shape.length === 4 ? TO_NCHW.map((a) => v.shape[a]) : v.shape;
  return dims.map((d, i) => (d >= 0 ? d : i === 0 ? 'N' : `d${i}`));
}

/**
 * Import a TF.js graph model. The IR's input is the Placeholder's name, NCHW, fed with RGB/255
 * (the TF.js convention); tensors keep their TF node names; `layerAliases` gives readable ones.
 */
export function importGraphModel(files: TfjsModelFiles, where: string, opts: { labels?: string[]; preprocess?: Partial<Pick<Preprocess, 'scale' | 'mean' | 'std'>> } = {}): ImportedModel {
  const json = files.modelJson;
  const nodes: TfNode[] | undefined = json.modelTopology?.node;
  if ((json.format !== undefined && json.format !== 'graph-model') || !Array.isArray(nodes)) {
    throw badInput('E_TFJS_FORMAT', `model.json has format "${json.format ?? '?'}"${Array.isArray(nodes) ? '' : ' and no modelTopology.node list'}; this importer reads graph models`, where,
      'layers models (format "layers-model") go through the Keras layers importer');
  }
  const byName = new Map<string, TfNode>();
  for (const n of nodes) {
    if (byName.has(n.name)) throw badInput('E_TFJS_DUPLICATE', `two nodes are named "${n.name}"`, where, 'model.json is inconsistent; re-convert the model');
    byName.set(n.name, n);
  }
  const outputs = outputNodes(json, nodes, byName);
  if (outputs.length === 0) throw badInput('E_TFJS_OUTPUT', 'the graph has no output node', where, 're-convert the model');
  const order = topoOrder(outputs, byName, where);
  checkOps(order, where);
  const input = imageInput(order, where);
  const weights = decodeWeights(json.weightsManifest ?? [], files.shards, where);

  const b = createBuilder(where, nodes.map((n) => n.name));
  const values = new Map<string, Value>();
  const converted: ConvertedNode[] = [];
  for (const n of order) {
    if (n.op === 'Const') {
      const w = weights.get(n.name);
      if (!w) throw badInput('E_TFJS_CONST', `Const node "${n.name}" has no value in the weights manifest`, where, 'model.json and its weight shards do not belong together; re-convert the model');
      values.set(n.name, { kind: 'const', name: n.name, tensor: w });
      continue;
    }
    if (n.op === 'Placeholder') {
      values.set(n.name, { kind: 'dyn', name: n.name, shape: input.shape });
      continue;
    }
    const inputs = dataInputs(n).map((r) => {
      if (r.output !== 0) {
        const src = byName.get(r.node)!;
        throw badInput('E_TFJS_OUTPUT', `node "${n.name}" (${n.op}) reads output ${r.output} of node "${r.node}" (${src.op}); neurogate imports only first outputs`, where, HINT_SUPPORTED);
      }
      return values.get(r.node)!;
    });
    const r = CONVERTERS[n.op]({ b, node: n, inputs, out: n.name });
    values.set(n.name, r.value);
    converted.push({ name: n.name, op: n.op, preActivation: r.preActivation, weight: r.weight });
  }

  const outValues = outputs.map((o) => {
    const v = values.get(o)!;
    if (v.kind !== 'dyn') throw badInput('E_TFJS_OUTPUT', `output "${o}" is a constant`, where, 're-convert the model');
    return v;
  });
  const [, height, width, channels] = input.shape;
  checkInputSize({ channels, height, width }, where);
  const model = createModel({
    name: 'tfjs-graph-model',
    docString: `imported by neurogate from the TF.js graph model ${where}`,
    inputs: [{ name: input.node.name, dims: [input.shape[0] >= 0 ? input.shape[0] : 'N', channels, height, width] }],
    outputs: outValues.map((v) => ({ name: v.name, dims: irDims(v) })),
    nodes: b.nodes,
    initializers: b.initializers,
  });

  const softmax = [...converted].reverse().find((n) => n.op === 'Softmax');
  const softmaxInput = softmax ? values.get(dataInputs(byName.get(softmax.name)!)[0].node) : undefined;
  const logits = softmaxInput?.kind === 'dyn' ? softmaxInput : undefined;
  const classes = logits?.shape.at(-1);
  if (opts.labels && classes !== undefined && classes >= 0 && opts.labels.length !== classes) {
    throw badInput('E_LABELS', `${opts.labels.length} labels given, but the model scores ${classes} classes`, where, 'give one label per class, in class-index order');
  }
  return {
    net: makeNet(model, where),
    input: { name: input.node.name, channels, height, width },
    ...(logits ? { logits: logits.name } : {}),
    ...(softmax ? { probabilities: softmax.name } : {}),
    ...(opts.labels ? { labels: [...opts.labels] } : {}),
    preprocess: { height, width, scale: 1 / 255, mean: new Array<number>(channels).fill(0), std: new Array<number>(channels).fill(1), ...opts.preprocess, channelOrder: 'RGB', sourceLayout: 'NHWC' },
    layerAliases: layerAliases(converted),
  };
}
