// Dummy input (Sundararajan et al. 2017's "dummy" variables; Quantus's Dummy axiom, after Friedman
// 2004): an input the model provably ignores gets no attribution. Built on the user's model as a border it crops away.
import { int64TensorProto, inputDims, node, valueInfo } from '../../../../engine/graph.ts';
import { makeNet } from '../../../../engine/net.ts';
import { cloneModel } from '../../../../engine/onnx.ts';
import type { Tensor } from '../../../../engine/tensor.ts';
import { badInput } from '../../../../errors.ts';
import { makeRng, type Rng } from '../../../../util/rng.ts';
import { scoreOne } from '../../forward.ts';
import { spatial } from '../../maps.ts';
import { describeMetric, drawSeed } from '../../metric.ts';
import { int } from '../../method.ts';
import type { Subject, Target } from '../../types.ts';
import type { Explain } from '../robustness/robustness.ts';

/**
 * The subject with an input `border` pixels larger on every side, whose first node is a Slice that
 * crops the border away and hands the rest to the model under the old input's name: the border's
 * values reach nothing, so the network is the user's on the inner image, and the border is dummy.
 */
export function borderedSubject(subject: Subject, border: number): Subject {
  const model = cloneModel(subject.net.model);
  const g = model.graph;
  const where = `${subject.net.where} (${border}-pixel dummy border)`;
  const k = g.input.findIndex((v) => v.name === subject.input);
  if (k < 0) throw badInput('E_ATTR_DUMMY', `the model has no graph input "${subject.input}"`, where, 'dummy_input pads the model\'s image input');
  const [C, H, W] = subject.inputDims;
  const padded = `${subject.input}/neurogate_dummy_border`;
  const batch = inputDims(g, subject.input)[0] ?? 'N';
  g.input[k] = valueInfo(padded, [batch, C, H + 2 * border, W + 2 * border]);
  const name = (s: string) => `${padded}/${s}`;
  g.initializer.push(
    int64TensorProto(name('starts'), [2], [border, border]),
    int64TensorProto(name('ends'), [2], [border + H, border + W]),
    int64TensorProto(name('axes'), [2], [2, 3]),
  );
  g.node.unshift(node('Slice', [padded, name('starts'), name('ends'), name('axes')], [subject.input]));
  return { ...subject, net: makeNet(model, where), input: padded, inputDims: [C, H + 2 * border, W + 2 * border] };
}

/** The image [1, C, H, W] inside a `border` of uniform noise over the image's own value range (so × input methods see non-zero dummies). */
export function borderedInput(input: Tensor, border: number, rng: Rng): Tensor {
  const [, C, H, W] = input.dims;
  const Hp = H + 2 * border;
  const Wp = W + 2 * border;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of input.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const out = new Float32Array(C * Hp * Wp);
  for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * rng();
  for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) out.set(input.data.subarray((c * H + y) * W, (c * H + y + 1) * W), (c * Hp + y + border) * Wp + border);
  return { dims: [1, C, Hp, Wp], data: out };
}

/** Σ|a| over the pixels outside the inner H×W window of a [Hp, Wp] map, ÷ Σ|a| (0 for an all-zero map: it credits nothing, the dummy included). */
export function borderShare(map: Tensor, border: number): number {
  const [Hp, Wp] = map.dims;
  let inside = 0;
  let total = 0;
  for (let y = 0; y < Hp; y++) {
    for (let x = 0; x < Wp; x++) {
      const v = Math.abs(map.data[y * Wp + x]);
      total += v;
      if (y >= border && y < Hp - border && x >= border && x < Wp - border) inside += v;
    }
  }
  return total > 0 ? Math.max(0, total - inside) / total : 0;
}

export interface DummyInputResult {
  /** Share of the map's mass Σ|a| on the dummy border (0: the axiom holds). */
  share: number;
  /** |F_bordered(x̃) − F(x)|: 0 shows the bordered network computes the user's function. */
  scoreChange: number;
  /** Share of the bordered input's pixels that are border: what a map blind to the model would put there. */
  area: number;
}

export async function dummyInput(subject: Subject, input: Tensor, target: Target, explain: Explain, border: number, rng: Rng): Promise<DummyInputResult> {
  const bordered = borderedSubject(subject, border);
  const x = borderedInput(input, border, rng);
  const [s0, s1] = [await scoreOne(subject, target, input), await scoreOne(bordered, target, x)];
  const a = await explain(bordered, x);
  const [, Hp, Wp] = bordered.inputDims;
  const map = spatial(a.map, 'abs_sum');
  if (map.dims[0] !== Hp || map.dims[1] !== Wp) throw badInput('E_ATTR_DUMMY', `the method's map of the bordered input is ${map.dims.join('×')}, not ${Hp}×${Wp}`, bordered.net.where, 'dummy_input needs a map at input resolution');
  const [, H, W] = subject.inputDims;
  return { share: borderShare(map, border), scoreChange: Math.abs(s1.score - s0.score), area: 1 - (H * W) / (Hp * Wp) };
}

export interface DummyInputOptions {
  /** Width in pixels of the ignored border added on every side. */
  border: number;
}

export const DUMMY_INPUT_DEFAULTS: DummyInputOptions = { border: 8 };

export const dummyInputMetric = describeMetric<DummyInputOptions>({
  key: 'dummy_input',
  family: 'axiomatic',
  description: 'Dummy input: the image inside a border of seeded noise that the model crops away (a Slice before its first layer); dummy_input = Σ|a| on the border ÷ Σ|a| (0 holds the axiom; a map blind to the model puts dummy_input_area there), dummy_input_score_change = |ΔF| (0: the bordered model is the same function)',
  form: 'options',
  options: { border: { schema: int(1, 1024), description: 'Width in pixels of the ignored border on every side' } },
  defaults: DUMMY_INPUT_DEFAULTS,
  metrics: ['dummy_input', 'dummy_input_score_change', 'dummy_input_area'],
  needs: ['method', 'random'],
  property: true,
  passes: (_o, method) => method + 2,
  run: async ({ subject, input, target, explain, rng }, o) => {
    const r = await dummyInput(subject, input, target, explain, o.border, makeRng(drawSeed(rng)));
    return { values: { dummy_input: r.share, dummy_input_score_change: r.scoreChange, dummy_input_area: r.area } };
  },
});
