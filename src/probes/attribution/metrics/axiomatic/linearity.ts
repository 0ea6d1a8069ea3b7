// Linearity (Sundararajan et al. 2017, §2.1 "preserves linearity"; Ancona et al. 2018): the map of
// a·f₁ + b·f₂ is a·map(f₁) + b·map(f₂). Built on the user's own model by appending that sum of two logits.
import { z } from 'zod';
import { floatTensorProto, node, valueInfo } from '../../../../engine/graph.ts';
import { makeNet } from '../../../../engine/net.ts';
import { cloneModel } from '../../../../engine/onnx.ts';
import type { Tensor } from '../../../../engine/tensor.ts';
import { badInput } from '../../../../errors.ts';
import { scoreOne } from '../../forward.ts';
import { describeMetric } from '../../metric.ts';
import { int } from '../../method.ts';
import type { Subject, Target } from '../../types.ts';
import type { Explain } from '../robustness/robustness.ts';

const HINT = 'linearity combines two class logits: give the entry a class target (`target: top`, `label` or `{ class: … }`)';

/**
 * The subject with one more logit, number K (after the model's K), worth a·logit_i + b·logit_j:
 * a MatMul with a K×1 column that is zero but at i and j, concatenated to the logits. Every method
 * then explains "class K" of this network as it explains any class, which is the sum model
 * f = a·f₁ + b·f₂ the axiom speaks of, written so that a user's model needs no second copy.
 */
export function combinedSubject(subject: Subject, classes: number, i: number, j: number, a: number, b: number): Subject {
  const where = `${subject.net.where} (${a}·logit ${i} + ${b}·logit ${j})`;
  if (!subject.logits) throw badInput('E_ATTR_LINEARITY', 'the model names no logits tensor', where, HINT);
  const model = cloneModel(subject.net.model);
  const logits = subject.logits;
  const column = new Float32Array(classes);
  column[i] += a;
  column[j] += b;
  const weights = `${logits}/neurogate_linearity_column`;
  const sum = `${logits}/neurogate_linearity_sum`;
  const out = `${logits}/neurogate_linearity`;
  model.graph.initializer.push(floatTensorProto(weights, { dims: [classes, 1], data: column }));
  model.graph.node.push(node('MatMul', [logits, weights], [sum]), node('Concat', [logits, sum], [out], { axis: { i: 1 } }));
  model.graph.output.push(valueInfo(out));
  return { ...subject, net: makeNet(model, where), logits: out, ...(subject.labels && { labels: [...subject.labels, `${a}·${i} + ${b}·${j}`] }) };
}

export interface LinearityResult {
  /** ‖map(a·f_i + b·f_j) − (a·map(f_i) + b·map(f_j))‖₂ ÷ ‖a·map(f_i) + b·map(f_j)‖₂ (the raw norm when that is 0). */
  error: number;
  /** |F_sum(x) − (a·F_i(x) + b·F_j(x))|: shows the appended logit is the sum it claims to be. */
  scoreChange: number;
  /** The class j the entry's class was combined with. */
  other: number;
}

/** The best class other than `i` (the first on ties): the one a map of i is most likely to be confused with. */
export function runnerUp(logits: ArrayLike<number>, i: number): number {
  let best = -1;
  for (let k = 0; k < logits.length; k++) if (k !== i && (best < 0 || logits[k] > logits[best])) best = k;
  return best;
}

/**
 * The linearity error of the entry's method at one image: the map of the target class i (already
 * made, `map`), of class j, and of the appended logit a·f_i + b·f_j. Methods whose map is linear in
 * the explained function (gradient, gradient × input, integrated gradients, SmoothGrad with its
 * seed, DeepLIFT, LRP, occlusion, KernelSHAP and LIME with their seed) give float round-off; a ReLU
 * on the map (the CAMs), a max (contrastive) or a softmax (probability scores) breaks it.
 */
export async function linearity(subject: Subject, input: Tensor, target: Target, map: Tensor, explain: Explain, o: LinearityOptions): Promise<LinearityResult> {
  if (target.kind !== 'class') throw badInput('E_ATTR_LINEARITY', `the entry explains a ${target.kind} target`, subject.net.where, HINT);
  const { raw } = await scoreOne(subject, target, input);
  if (raw.dims.length !== 2) throw badInput('E_ATTR_LINEARITY', `the logits tensor has shape [${raw.dims}], not [N, classes]`, subject.net.where, HINT);
  const classes = raw.dims[1];
  const i = target.index;
  const j = o.other ?? runnerUp(raw.data, i);
  if (j < 0 || j >= classes || j === i) throw badInput('E_ATTR_LINEARITY', `class ${j} cannot be combined with the target class ${i} (the model has ${classes})`, subject.net.where, `pick another class in 0…${classes - 1} than ${i}`);
  const [a, b] = o.weights;
  const sum = combinedSubject(subject, classes, i, j, a, b);
  const t: Target = { kind: 'class', index: classes };
  const mapJ = await explain(subject, input, { kind: 'class', index: j });
  const mapSum = await explain(sum, input, t);
  const fSum = (await scoreOne(sum, t, input)).score;
  if (mapSum.map.data.length !== map.data.length) throw badInput('E_ATTR_LINEARITY', `the method's maps of one image differ in size (${map.data.length} and ${mapSum.map.data.length})`, subject.net.where, HINT);
  let diff = 0;
  let norm = 0;
  for (let k = 0; k < map.data.length; k++) {
    const expected = a * map.data[k] + b * mapJ.map.data[k];
    diff += (mapSum.map.data[k] - expected) ** 2;
    norm += expected ** 2;
  }
  return {
    error: norm > 0 ? Math.sqrt(diff / norm) : Math.sqrt(diff),
    scoreChange: Math.abs(fSum - (a * raw.data[i] + b * raw.data[j])),
    other: j,
  };
}

export interface LinearityOptions {
  /** The class combined with the entry's (default: the runner-up at each image). */
  other?: number;
  /** [a, b]: the map of a·f_target + b·f_other is compared with a·map(target) + b·map(other). */
  weights: [number, number];
}

export const LINEARITY_DEFAULTS: LinearityOptions = { weights: [1, 1] };

export const linearityMetric = describeMetric<LinearityOptions>({
  key: 'linearity',
  family: 'axiomatic',
  description: 'Linearity: the map of a·logit_target + b·logit_other (a logit appended to the model) against a·map(target) + b·map(other); linearity = ‖Δ‖₂ ÷ ‖a·map(target) + b·map(other)‖₂ (0 is linear), linearity_score_change = |ΔF| (how exactly the appended logit is the sum)',
  form: 'options',
  options: {
    other: { schema: int(0, 1_000_000), description: 'Class index combined with the entry’s class', defaultText: 'the runner-up class of each image' },
    weights: { schema: z.tuple([z.number(), z.number()]), description: '[a, b], the weights of the target’s and the other class’s logit' },
  },
  defaults: LINEARITY_DEFAULTS,
  metrics: ['linearity', 'linearity_score_change'],
  needs: ['method', 'model'],
  property: true,
  refuses: (o, { target, classes, logits }) => {
    if (!logits) return { message: 'linearity appends a logit, and the model names no logits tensor', hint: 'the model needs a class-score output before any softmax' };
    if (typeof target === 'object' && target.kind !== 'class') return { message: `linearity combines two class logits; the entry explains a ${target.kind} target`, hint: HINT };
    if (o.other !== undefined && classes !== undefined && o.other >= classes) return { message: `class ${o.other} does not exist: the model has ${classes} classes`, hint: `use 0..${classes - 1}` };
    if (o.other !== undefined && typeof target === 'object' && target.kind === 'class' && o.other === target.index) return { message: `\`other: ${o.other}\` is the entry's own class`, hint: 'combine the target with another class' };
    return undefined;
  },
  passes: (_o, method) => 2 * method + 2,
  run: async ({ subject, input, target, attribution, explain }, o) => {
    const r = await linearity(subject, input, target, attribution.map, explain, o);
    return { values: { linearity: r.error, linearity_score_change: r.scoreChange } };
  },
});
