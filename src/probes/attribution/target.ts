// A Target as numbers: which tensor to read, the score of each batch item from a forward pass,
// and the equivalent autodiff objective — so forward-only and gradient methods agree on "what".
import { sizeOf, type Tensor } from '../../engine/tensor.ts';
import { badInput } from '../../errors.ts';
import type { Subject, Target } from './types.ts';

/** The tensor a target reads. */
export function targetTensor(subject: Subject, target: Target): string {
  if (target.kind === 'class' || target.kind === 'contrastive') {
    if (!subject.logits) {
      throw badInput('E_ATTR_TARGET', `a ${target.kind} target needs the model's logits, and this model names none`, subject.net.where,
        'target a unit or channel of a named tensor instead');
    }
    return subject.logits;
  }
  return target.tensor;
}

/** Check a target against the shape of the tensor it reads (item dims, no batch axis). */
export function checkTarget(target: Target, itemDims: readonly number[], where?: string): void {
  const C = itemDims[0];
  const fail = (msg: string, hint: string) => badInput('E_ATTR_TARGET', msg, where, hint);
  const idx = target.kind === 'class' || target.kind === 'contrastive' ? target.index : target.channel;
  if (C === undefined) throw fail(`the target tensor has no channel axis (item shape [${itemDims}])`, 'pick a tensor of shape [N, C, …]');
  if (!Number.isInteger(idx) || idx < 0 || idx >= C) {
    throw fail(`${target.kind === 'class' || target.kind === 'contrastive' ? 'class' : 'channel'} ${idx} is out of range (0…${C - 1})`, 'list classes and channels with `neurogate layers <model>`');
  }
  if (target.kind === 'contrastive') {
    if (C < 2) throw fail('a contrastive target needs at least two classes', 'use a class target');
  }
  if (target.kind === 'unit') {
    const sp = itemDims.slice(1);
    if (sp.length !== 2 && (target.y !== undefined || target.x !== undefined)) {
      throw fail(`y/x given for a tensor of item shape [${itemDims}], which has no 2-D spatial axes`, 'omit y and x');
    }
    if (sp.length === 2) {
      const [y, x] = unitPosition(target, sp);
      if (y < 0 || y >= sp[0] || x < 0 || x >= sp[1]) throw fail(`position (${y}, ${x}) is outside the ${sp[0]}×${sp[1]} map`, `use y < ${sp[0]} and x < ${sp[1]}`);
    }
  }
}

function unitPosition(t: { y?: number; x?: number }, sp: readonly number[]): [number, number] {
  return [t.y ?? Math.floor(sp[0] / 2), t.x ?? Math.floor(sp[1] / 2)];
}

/** The target's value for each item of a batched tensor [N, …]. */
export function scoresOf(target: Target, t: Tensor): Float64Array {
  const n = t.dims[0];
  const item = t.dims.slice(1);
  checkTarget(target, item);
  const per = sizeOf(item);
  const out = new Float64Array(n);
  const C = item[0];
  const inner = per / C;
  for (let i = 0; i < n; i++) {
    const base = i * per;
    switch (target.kind) {
      case 'class':
        out[i] = sumRange(t.data, base + target.index * inner, inner);
        break;
      case 'contrastive': {
        let best = -Infinity;
        for (let c = 0; c < C; c++) if (c !== target.index) best = Math.max(best, sumRange(t.data, base + c * inner, inner));
        out[i] = sumRange(t.data, base + target.index * inner, inner) - best;
        break;
      }
      case 'unit': {
        const sp = item.slice(1);
        if (sp.length === 2) {
          const [y, x] = unitPosition(target, sp);
          out[i] = t.data[base + target.channel * inner + y * sp[1] + x];
        } else out[i] = t.data[base + target.channel * inner];
        break;
      }
      case 'channel':
        out[i] = sumRange(t.data, base + target.channel * inner, inner) / inner;
        break;
    }
  }
  return out;
}

function sumRange(a: Float32Array, start: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[start + i];
  return s;
}

/** Softmax probability of the target class for each item (RISE and meaningful perturbation score classes this way). */
export function probabilitiesOf(target: Target, logits: Tensor): Float64Array {
  if (target.kind !== 'class') throw badInput('E_ATTR_TARGET', `probabilities are defined for class targets, not ${target.kind}`, undefined, 'use score: raw');
  const [n, K] = logits.dims;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, logits.data[i * K + k]);
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(logits.data[i * K + k] - m);
    out[i] = Math.exp(logits.data[i * K + target.index] - m) / s;
  }
  return out;
}

/** A short stable description for reports and params (`class 2 (Neutral)`). */
export function describeTarget(target: Target, labels?: string[]): string {
  const name = (i: number) => (labels?.[i] ? `${i} (${labels[i]})` : `${i}`);
  switch (target.kind) {
    case 'class': return `class ${name(target.index)}`;
    case 'contrastive': return `class ${name(target.index)} − best other class`;
    case 'unit': return `unit ${target.tensor}[${target.channel}${target.y !== undefined || target.x !== undefined ? ` @ ${target.y ?? 'centre'},${target.x ?? 'centre'}` : ''}]`;
    case 'channel': return `channel mean ${target.tensor}[${target.channel}]`;
  }
}
