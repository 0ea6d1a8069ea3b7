// Judges: what says how much of a concept a generated image shows — a class logit (or
// probability) of the judge model, a unit of one of its layers (max or mean over positions), or a
// concept mask the generator draws itself (the area of one channel of a generator layer above a
// threshold, GAN Dissection's segmentation of the output).
import type { Tensor } from '../engine/tensor.ts';
import { badInput } from '../errors.ts';
import { resolveUnit } from '../models/catalog.ts';
import type { Chain } from './chain.ts';

export type JudgeSpec =
  | { logit: number | string; softmax?: boolean }
  | { neuron: { layer: string; unit: number; reduce?: 'max' | 'mean' } }
  | { concept: { layer: string; unit: number; threshold?: number } };

export interface Judge {
  /** A short label for reports (`neuron /Relu_2_output_0:48`). */
  label: string;
  /** The chain tensor it reads. */
  tensor: string;
  /** The score of item i of that tensor's batch. */
  score(t: Tensor, i: number): number;
}

/** Resolve a judge against the chain (layer names, units and classes checked; bad ones name `where`). */
export async function resolveJudge(chain: Chain, spec: JudgeSpec, where: string): Promise<Judge> {
  if ('logit' in spec) {
    const logits = chain.logits;
    if (!logits) throw badInput('E_JUDGE_LOGITS', `the judge model ${chain.judge.net.where} has no logits output`, where, 'judge with a neuron instead');
    const labels = chain.judge.labels;
    const k = typeof spec.logit === 'number' ? spec.logit : labels?.indexOf(spec.logit) ?? -1;
    if (!(Number.isInteger(k) && k >= 0)) throw badInput('E_JUDGE_CLASS', `no class "${spec.logit}" in the judge${labels ? ` (classes: ${labels.join(', ')})` : ''}`, where, 'give a class index or one of the labels');
    return {
      label: `${spec.softmax ? 'probability' : 'logit'} ${spec.logit}`,
      tensor: logits,
      score: (t, i) => {
        const c = t.data.length / t.dims[0];
        if (k >= c) throw badInput('E_JUDGE_CLASS', `class ${k} does not exist: the judge has ${c} outputs`, where, `pick a class in 0..${c - 1}`);
        const row = t.data.subarray(i * c, (i + 1) * c);
        if (!spec.softmax) return row[k];
        let m = -Infinity;
        for (const v of row) m = Math.max(m, v);
        let s = 0;
        for (const v of row) s += Math.exp(v - m);
        return Math.exp(row[k] - m) / s;
      },
    };
  }
  if ('neuron' in spec) {
    const { layer, unit, reduce = 'max' } = spec.neuron;
    const info = await resolveUnit(chain.judge, layer, unit, where);
    return { label: `neuron ${layer}:${unit} (${reduce})`, tensor: chain.judgeTensor(info.tensor), score: (t, i) => reduceChannel(t, i, unit, reduce) };
  }
  const { layer, unit, threshold = 0.5 } = spec.concept;
  const gen = chain.generator.net.model.graph;
  if (!gen.node.some((n) => n.output.includes(layer))) {
    throw badInput('E_NO_LAYER', `the generator has no layer "${layer}"`, where, `generator layers are its node outputs, e.g. ${gen.node.slice(-4).map((n) => `"${n.output[0]}"`).join(', ')}`);
  }
  return {
    label: `concept ${layer}:${unit} > ${threshold}`,
    tensor: layer,
    score: (t, i) => {
      if (t.dims.length !== 4 || unit >= t.dims[1]) throw badInput('E_NO_UNIT', `unit ${unit} does not exist in generator layer "${layer}" [${t.dims.slice(1).join(', ')}]`, where, 'pick a channel of a 4-D layer');
      const hw = t.dims[2] * t.dims[3];
      const base = (i * t.dims[1] + unit) * hw;
      let n = 0;
      for (let p = 0; p < hw; p++) if (t.data[base + p] > threshold) n++;
      return n / hw;
    },
  };
}

/** Max or mean of channel c of item i of a [N, C, …] tensor. */
export function reduceChannel(t: Tensor, i: number, c: number, reduce: 'max' | 'mean'): number {
  const C = t.dims[1];
  const hw = t.data.length / (t.dims[0] * C);
  const base = (i * C + c) * hw;
  let m = reduce === 'max' ? -Infinity : 0;
  for (let p = 0; p < hw; p++) m = reduce === 'max' ? Math.max(m, t.data[base + p]) : m + t.data[base + p];
  return reduce === 'max' ? m : m / hw;
}

/** Scores of every item for every judge, from one run's outputs. */
export function scores(judges: readonly Judge[], outputs: Record<string, Tensor>, n: number): number[][] {
  return judges.map((j) => Array.from({ length: n }, (_, i) => j.score(outputs[j.tensor], i)));
}
