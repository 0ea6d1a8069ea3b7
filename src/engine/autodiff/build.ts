// Reverse-mode autodiff over the IR: from a forward graph, an objective structure and the
// tensors to differentiate w.r.t., build ONE graph computing the forward pass, the per-item
// objective and the vector-Jacobian products, for onnxruntime to run like any model.
import { onnx, num, DataType, type ModelProto, type NodeProto } from '../onnx.ts';
import { topoOrder, valueInfo } from '../graph.ts';
import { badInput } from '../../errors.ts';
import { createEmitter, reduceSum, reduceMax, sumAll, zerosLike, internal, type Emitter } from './emit.ts';
import { relaxBatch, isFloat, intValues, type GraphFacts } from './facts.ts';
import { ruleFor, differentiableOps } from './rules/index.ts';
import { foldBatchNorms, foldPads } from './fold.ts';
import type { ObjectiveStructure } from './objective.ts';
import { constantFloats } from './floats.ts';
import type { BackwardVariant, VariantContext } from './variants/variant.ts';
import { maxPoolRule, type MaxPoolTies } from './rules/pool.ts';

export interface GradientGraph {
  model: ModelProto;
  /** Graph inputs carrying the objective: linear weights per tensor, contrastive mask + scale per term. */
  feeds: { linear: Record<string, string>; contrastive: { mask: string; scale: string }[] };
  /** Output: the objective per batch item, [N]. */
  objective: string;
  /** Output name of the gradient of Σ_items objective w.r.t. each `wrt` tensor. */
  grads: Record<string, string>;
  /** Graph input of the reference pass per `wrt` input, for variants that run one. */
  reference?: Record<string, string>;
}

const MIN_OPSET = 11;

function opsetOf(model: ModelProto): number {
  const o = model.opsetImport.find((x) => !x.domain || x.domain === 'ai.onnx');
  return o ? num(o.version) : 1;
}

function diffSlot(slots: number[] | 'all', i: number): boolean {
  return slots === 'all' || slots.includes(i);
}

interface Paths {
  order: NodeProto[];
  /** Tensors that depend on some `wrt` tensor through differentiable slots. */
  forward: Set<string>;
  /** Tensors some objective tensor depends on. */
  backward: Set<string>;
  active: NodeProto[];
}

function known(model: ModelProto): Set<string> {
  const g = model.graph;
  return new Set([...g.input.map((i) => i.name), ...g.initializer.map((t) => t.name), ...g.node.flatMap((n) => n.output)]);
}

function paths(model: ModelProto, objectiveTensors: string[], wrt: string[], where: string, facts?: GraphFacts): Paths {
  const names = known(model);
  for (const t of [...wrt, ...objectiveTensors]) {
    if (!names.has(t)) {
      const role = wrt.includes(t) ? 'differentiate with respect to' : 'use in the objective';
      throw badInput('E_NO_TENSOR', `no tensor named "${t}" to ${role}`, where, 'list the names with `neurogate layers <model>`');
    }
  }
  const order = topoOrder(model.graph, where);
  const float = (t: string) => !facts || isFloat(facts.tensors.get(t)?.dtype ?? 'float32');
  const forward = new Set(wrt);
  for (const n of order) {
    const slots = ruleFor(n.opType, n.domain)?.diff ?? 'all';
    if (n.input.some((t, i) => t && forward.has(t) && diffSlot(slots, i))) for (const o of n.output) if (o && float(o)) forward.add(o);
  }
  const backward = new Set(objectiveTensors);
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k];
    if (!n.output.some((o) => backward.has(o))) continue;
    const slots = ruleFor(n.opType, n.domain)?.diff ?? 'all';
    n.input.forEach((t, i) => t && diffSlot(slots, i) && backward.add(t));
  }
  const active = order.filter((n) => n.output.some((o) => forward.has(o) && backward.has(o)));
  return { order, forward, backward, active };
}

/**
 * Refuse, before anything runs, a gradient path through an op without a VJP rule; and a
 * model whose opset predates the op forms the rules emit.
 */
export function checkDifferentiable(model: ModelProto, objectiveTensors: string[], wrt: string[], where = 'model'): void {
  const opset = opsetOf(model);
  if (opset < MIN_OPSET) {
    throw badInput('E_AUTODIFF_OPSET', `the model uses ONNX opset ${opset}; gradients need opset ${MIN_OPSET} or newer`, where,
      're-export the model with a newer opset (torch.onnx.export(..., opset_version=17))');
  }
  if (wrt.length === 0) throw badInput('E_AUTODIFF_WRT', 'no tensors to differentiate with respect to', where, 'name the input, a layer, or a weight');
  const { active } = paths(model, objectiveTensors, wrt, where);
  for (const n of active) {
    if (!ruleFor(n.opType, n.domain)) {
      throw badInput('E_AUTODIFF_UNSUPPORTED',
        `no gradient rule for op ${n.domain ? `${n.domain}.` : ''}${n.opType} (node "${n.name || n.output[0]}"), which lies between the objective and ${wrt.map((w) => `"${w}"`).join(', ')}`,
        where, `differentiable ops: ${differentiableOps().join(', ')}`);
    }
  }
}

function constantInts(model: ModelProto): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const isInt = (dt: number) => dt === DataType.INT64 || dt === DataType.INT32;
  for (const t of model.graph.initializer) if (isInt(t.dataType)) out.set(t.name, intValues(t));
  for (const n of model.graph.node) {
    if (n.opType !== 'Constant') continue;
    const v = n.attribute.find((a) => a.name === 'value')?.t;
    if (v && isInt(v.dataType)) out.set(n.output[0], intValues(v));
    const ints = n.attribute.find((a) => a.name === 'value_ints' || a.name === 'value_int');
    if (ints) out.set(n.output[0], ints.name === 'value_int' ? [num(ints.i)] : ints.ints.map(num));
  }
  return out;
}

/** The objective's graph part: per-item values [N] and the seed adjoints of the objective tensors. */
function emitObjective(e: Emitter, s: ObjectiveStructure, seed: (t: string, g: string) => void) {
  const feeds: GradientGraph['feeds'] = { linear: {}, contrastive: [] };
  const values: string[] = [];
  const inputs: { name: string }[] = [];
  for (const t of s.linear) {
    const w = e.fresh('weights');
    feeds.linear[t] = w;
    inputs.push({ name: w });
    const r = e.fact(t).dims.length;
    const prod = e.op('Mul', [t, w]);
    values.push(r === 1 ? prod : reduceSum(e, prod, Array.from({ length: r - 1 }, (_, i) => i + 1), false));
    seed(t, w);
  }
  for (const t of s.contrastive) {
    const K = e.fact(t).dims[1];
    const mask = e.fresh('mask'), scale = e.fresh('scale');
    feeds.contrastive.push({ mask, scale });
    inputs.push({ name: mask }, { name: scale });
    // The best *other* class: targets masked to −∞; ArgMax takes the first on ties.
    const others = e.op('Where', [e.op('Greater', [mask, e.scalar(0)]), e.scalar(-Infinity), t]);
    const best = reduceMax(e, others, [1], true);
    const arg = e.op('ArgMax', [others], { axis: { i: 1 }, keepdims: { i: 1 } });
    const hot = e.op('Cast', [e.op('Equal', [e.ints(Array.from({ length: K }, (_, i) => i), [1, K]), arg])], { to: { i: 1 } });
    seed(t, e.op('Mul', [e.op('Sub', [mask, hot]), scale]));
    const target = reduceSum(e, e.op('Mul', [mask, t]), [1], true);
    values.push(reduceSum(e, e.op('Mul', [e.op('Sub', [target, best]), scale]), [1], false));
  }
  return { feeds, value: sumAll(e, values), inputs };
}

const firstTies = maxPoolRule('first');

export interface BuildOptions {
  /** Forward tensors the caller will also read from the gradient graph (kept by every rewrite). */
  outputs?: string[];
  /** Fold Pad → Conv and Conv → BatchNormalization pairs first (default true): same values, cheaper backward. */
  fold?: boolean;
  /** A modified backward pass (Guided Backprop, DeepLIFT, LRP): its rules replace the ordinary ones where it says. */
  variant?: BackwardVariant;
  /** Who gets a max-pool window's gradient on a tie (default `split`; `first` as PyTorch and onnxruntime). */
  maxPoolTies?: MaxPoolTies;
}

/**
 * The forward pass once more on a reference input (DeepLIFT's baseline), for variants that compare
 * against it: every node reading a `wrt`-dependent tensor is copied with renamed tensors.
 */
function emitReference(e: Emitter, g: ModelProto['graph'], order: NodeProto[], wrt: string[], free: boolean) {
  const tensors = new Map<string, string>();
  const feeds: Record<string, string> = {};
  const inputs = [];
  for (const t of wrt) {
    const gi = g.input.find((i) => i.name === t);
    if (!gi) throw badInput('E_AUTODIFF_REFERENCE', `a reference pass needs "${t}" to be a graph input`, e.where, 'attribute to the model input');
    feeds[t] = e.fresh(`reference/${t}`);
    tensors.set(t, feeds[t]);
    inputs.push(relaxBatch(onnx.ValueInfoProto.create({ name: feeds[t], type: gi.type }) as unknown as typeof gi, free));
  }
  for (const n of order) {
    if (!n.input.some((t) => tensors.has(t))) continue;
    const output = n.output.map((o) => (o ? e.fresh('reference') : o));
    n.output.forEach((o, i) => o && tensors.set(o, output[i]));
    e.nodes.push(onnx.NodeProto.create({ ...n, name: output[0], input: n.input.map((t) => tensors.get(t) ?? t), output }) as unknown as NodeProto);
  }
  return { feeds, inputs, tensors };
}

/**
 * Build the gradient graph. `probed` must come from probing this model (probeFacts) with the
 * input sizes it will run on; the batch size stays free when its batchMode is 'free'.
 */
export function buildGradientModel(source: ModelProto, structure: ObjectiveStructure, wrt: string[], probed: GraphFacts, where = 'model', opts: BuildOptions = {}): GradientGraph {
  const objectiveTensors = [...structure.linear, ...structure.contrastive];
  checkDifferentiable(source, objectiveTensors, wrt, where);
  const keep = new Set([...wrt, ...objectiveTensors, ...(opts.outputs ?? [])]);
  const constants = constantInts(source);
  let model = source, facts = probed;
  if (opts.fold !== false) {
    model = foldPads(model, keep, constants, opsetOf(source)).model;
    ({ model, facts } = foldBatchNorms(model, keep, facts));
  }
  const g = model.graph;
  const { order, forward, active } = paths(model, objectiveTensors, wrt, where, facts);
  const e = createEmitter(opsetOf(model), where, facts, known(model), constants, constantFloats(source));

  const contributions = new Map<string, string[]>();
  const finals = new Map<string, string | undefined>();
  const push = (t: string, grad: string) => {
    if (finals.has(t)) throw internal(`adjoint of "${t}" changed after it was used`, e);
    const list = contributions.get(t);
    if (list) list.push(grad);
    else contributions.set(t, [grad]);
  };
  const adjoint = (t: string): string | undefined => {
    if (!finals.has(t)) {
      const parts = contributions.get(t);
      finals.set(t, parts ? sumAll(e, parts) : undefined);
    }
    return finals.get(t);
  };

  const obj = emitObjective(e, structure, (t, s) => forward.has(t) && push(t, s));
  const variant = opts.variant;
  const ref = variant?.reference ? emitReference(e, g, order, wrt, facts.batchMode === 'free') : undefined;
  const readers = new Map<string, NodeProto[]>();
  for (const n of order) for (const t of n.input) if (t) readers.set(t, [...(readers.get(t) ?? []), n]);
  const ctx: VariantContext = {
    where,
    consumers: (t) => readers.get(t) ?? [],
    variable: (t) => forward.has(t),
    reference: (t) => ref?.tensors.get(t) ?? (() => { throw internal(`no reference value for "${t}"`, e); })(),
  };

  for (let k = active.length - 1; k >= 0; k--) {
    const n = active[k];
    const gy = n.output.map((o) => (o ? adjoint(o) : undefined));
    if (gy.every((x) => x === undefined)) continue;
    // The one place a rule is chosen per node: the variant's, where it has one, else the ordinary VJP.
    const rule = variant?.ruleFor(n, ctx) ?? (n.opType === 'MaxPool' && !n.domain && opts.maxPoolTies === 'first' ? firstTies : ruleFor(n.opType, n.domain)!);
    const need = n.input.map((t, i) => !!t && forward.has(t) && diffSlot(rule.diff, i) && isFloat(e.fact(t).dtype));
    if (!need.some(Boolean)) continue;
    e.current = n;
    const grads = rule.vjp(e, n, gy, need);
    e.current = undefined;
    n.input.forEach((t, i) => need[i] && grads[i] && push(t, grads[i]!));
  }

  // Outputs get their own names through Identity, so an output is never also an input.
  const outputs: string[] = [];
  const named = (value: string, hint: string) => {
    const out = e.fresh(hint);
    e.nodes.push(onnx.NodeProto.create({ opType: 'Identity', input: [value], output: [out], name: out }) as unknown as NodeProto);
    outputs.push(out);
    return out;
  };
  const objective = named(obj.value, 'objective');
  const grads: Record<string, string> = {};
  for (const t of wrt) grads[t] = named(adjoint(t) ?? zerosLike(e, t), `grad/${t}`);

  const inits = new Set(g.initializer.map((t) => t.name));
  const free = facts.batchMode === 'free';
  const nodes = [...order, ...e.nodes];
  // Weights a fold replaced are dropped, so the built model is not twice the size.
  const read = new Set(nodes.flatMap((n) => n.input));
  const forwardInputs = g.input.filter((i) => !inits.has(i.name)).map((i) => relaxBatch(i, free));
  const built = onnx.ModelProto.create({
    irVersion: model.irVersion as never,
    producerName: 'neurogate-autodiff',
    opsetImport: model.opsetImport as never,
    graph: onnx.GraphProto.create({
      name: `${g.name || 'model'}-gradient`,
      node: nodes as never,
      initializer: [...g.initializer.filter((t) => read.has(t.name)), ...e.inits] as never,
      // Objective feeds are declared without a shape: ONNX shape inference can disagree with
      // onnxruntime's kernels (pools with ceil_mode) and would then refuse a correct graph.
      input: [...forwardInputs, ...(ref?.inputs ?? []), ...obj.inputs.map((i) => valueInfo(i.name))] as never,
      output: outputs.map((o) => valueInfo(o)) as never,
    }),
  }) as unknown as ModelProto;
  return { model: built, feeds: obj.feeds, objective, grads, ...(ref ? { reference: ref.feeds } : {}) };
}
