// The adversarial probe: clean predictions and maps, then per budget an attack on every image, the
// accuracy, success, size and margin it cost, how much the attribution maps moved, and how well the
// maps alone tell attacked from clean images and recover the clean label.
import type { Tensor } from '../../engine/tensor.ts';
import type { ForwardEngine } from '../../probe/forward.ts';
import type { Artifact, Measurement } from '../../probe/measurement.ts';
import type { Probe, ProbeOutput } from '../../probe/probe.ts';
import { makeRng, type Rng } from '../../util/rng.ts';
import { spearman, topIou, type Map2d } from '../../compare/map-drift.ts';
import { methodFunction, methodNamed, subjectOf, type Subject } from '../attribution/index.ts';
import { attack, argmax, forwardLogits, margin, type Norm } from './attack.ts';
import { detect, magnitude, mapStatistics, pooledMap, recover } from './detect.ts';
import { ADVERSARIAL_METRICS } from './schema.ts';
import { pixelSpace, type PixelSpace } from './space.ts';

export interface AdversarialParams {
  /** Images as u [N, 3, H, W] at the model's input size, with their names. */
  pixels: Float64Array;
  names: string[];
  /** Class of each image from its source, or null to take the model's clean prediction. */
  labels: (number | null)[];
  attack: 'fgsm' | 'pgd';
  norm: Norm;
  /** Grey levels out of 255. */
  epsilons: number[];
  steps: number;
  /** Grey levels, or undefined for the default. */
  stepSize?: number;
  randomStart: boolean;
  loss: 'ce' | 'margin';
  targeted?: number;
  method: string;
  topFraction: number;
  seed: number;
}

/** The map of each image for the class given, through the named method. */
async function maps(subject: Subject, space: PixelSpace, u: Float64Array, classes: number[], method: string, rng: Rng): Promise<Tensor[]> {
  const [C, H, W] = subject.inputDims;
  const per = C * H * W;
  const run = methodFunction(method);
  const random = methodNamed(method)?.random;
  const out: Tensor[] = [];
  for (let i = 0; i < classes.length; i++) {
    const x = { dims: [1, C, H, W], data: Float32Array.from(u.subarray(i * per, (i + 1) * per), (v, k) => space.gain[Math.floor(k / (H * W))] * v + space.offset[Math.floor(k / (H * W))]) };
    const a = await run(subject, x, { kind: 'class', index: classes[i] }, random ? { seed: Math.floor(rng() * 2 ** 32) } : {});
    out.push(a.map);
  }
  return out;
}

const as2d = (m: Tensor): Map2d => { const g = magnitude(m); return { height: g.h, width: g.w, data: g.data }; };
const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);

export const adversarialProbe: Probe<AdversarialParams> = {
  kind: 'adversarial.attack',
  metrics: ADVERSARIAL_METRICS,
  async run(p: AdversarialParams, engine: ForwardEngine): Promise<ProbeOutput> {
    const subject = subjectOf(engine.model, { device: engine.device, batchSize: engine.batchSize });
    const space = pixelSpace(engine.model.preprocess);
    const [C, H, W] = subject.inputDims;
    const per = C * H * W;
    const n = p.names.length;
    const clean = await forwardLogits(subject, space, p.pixels, [n, C, H, W]);
    const K = clean.classes;
    const predicted = p.names.map((_, i) => argmax(clean.data, i * K, K));
    const y = p.labels.map((l, i) => l ?? predicted[i]);
    const correct = y.map((c, i) => predicted[i] === c);
    const rng = makeRng(p.seed);
    const cleanMaps = await maps(subject, space, p.pixels, predicted, p.method, rng);
    const cleanStats = cleanMaps.map(mapStatistics);
    const m: Record<string, (number | null)[]> = Object.fromEntries(ADVERSARIAL_METRICS.filter((k) => k !== 'clean_accuracy').map((k) => [k, []]));
    const rows: (string | number | null)[][] = [];
    const uninformative: Record<string, string> = {};
    for (const level of p.epsilons) {
      const eps = level / 255;
      const targets = p.targeted === undefined ? undefined : y.map(() => p.targeted!);
      const r = await attack(subject, space, p.pixels, y, {
        norm: p.norm, epsilon: eps, steps: p.attack === 'fgsm' ? 1 : p.steps, randomStart: p.attack === 'pgd' && p.randomStart,
        stepSize: p.attack === 'fgsm' ? undefined : p.stepSize === undefined ? undefined : p.stepSize / 255, loss: p.loss, targets,
      }, makeRng((p.seed + Math.round(level * 1000)) >>> 0));
      const adv = y.map((_, i) => argmax(r.logits, i * K, K));
      // Success: a correctly classified image now misclassified (or, targeted, classified as the target).
      const fooled = adv.map((a, i) => (targets ? a === targets[i] && y[i] !== targets[i] : correct[i] && a !== y[i]));
      const eligible = y.map((c, i) => (targets ? c !== targets[i] : correct[i]));
      const linf: number[] = [], l2: number[] = [];
      fooled.forEach((f, i) => {
        if (!f) return;
        let a = 0, s = 0;
        for (let k = i * per; k < (i + 1) * per; k++) { const d = Math.abs(r.adversarial[k] - p.pixels[k]); a = Math.max(a, d); s += d * d; }
        linf.push(255 * a);
        l2.push(255 * Math.sqrt(s));
      });
      const advMaps = await maps(subject, space, r.adversarial, adv, p.method, rng);
      const sp = advMaps.map((a, i) => spearman(as2d(cleanMaps[i]), as2d(a)));
      const iou = advMaps.map((a, i) => topIou(as2d(cleanMaps[i]), as2d(a), p.topFraction));
      m.robust_accuracy.push(adv.filter((a, i) => a === y[i]).length / n);
      const nEligible = eligible.filter(Boolean).length;
      m.attack_success_rate.push(nEligible ? fooled.filter(Boolean).length / nEligible : null);
      m.mean_linf.push(mean(linf));
      m.mean_l2.push(mean(l2));
      m.logit_margin_drop.push(mean(y.map((c, i) => margin(clean.data, i * K, K, c) - margin(r.logits, i * K, K, c)))!);
      m['stability.spearman'].push(mean(sp));
      m['stability.top_iou'].push(mean(iou));
      if (n >= 4) {
        const d = detect(cleanStats, advMaps.map(mapStatistics), makeRng(p.seed));
        m['detection.auc'].push(d.auc);
        m['detection.tpr_at_5fpr'].push(d.tprAt5Fpr);
        const rec = recover(advMaps.map((a) => pooledMap(a)), y, fooled, K, makeRng(p.seed));
        m['recovery.accuracy'].push(rec.accuracy);
      } else {
        for (const k of ['detection.auc', 'detection.tpr_at_5fpr', 'recovery.accuracy']) { m[k].push(null); uninformative[k] = `detection needs at least 4 images (a training and a held-out half), the entry has ${n}`; }
      }
      rows.push([level, m.robust_accuracy.at(-1)!, m.attack_success_rate.at(-1)!, m.mean_linf.at(-1)!, m['stability.spearman'].at(-1)!, m['detection.auc'].at(-1)!, m['recovery.accuracy'].at(-1)!].map((v) => (typeof v === 'number' ? Number(v.toFixed(4)) : v)));
    }
    const measurements: Record<string, Measurement> = { ...m, clean_accuracy: correct.filter(Boolean).length / n };
    const artifacts: Artifact[] = [
      { type: 'table', name: 'under attack', caption: `${p.attack.toUpperCase()}-${p.norm === 'linf' ? 'L∞' : 'L2'} on ${n} images, maps by ${p.method}`, columns: ['ε (/255)', 'robust accuracy', 'success rate', 'mean L∞ (/255)', 'map Spearman', 'detection AUC', 'recovery accuracy'], rows },
      { type: 'plot', name: 'robust accuracy', caption: 'accuracy on attacked images by budget', plot: { kind: 'line', xLabel: 'ε (grey levels)', yLabel: 'accuracy', series: [{ name: 'robust accuracy', x: p.epsilons, y: m.robust_accuracy.map((v) => v ?? 0) }] } },
    ];
    return {
      measurements, cases: p.epsilons.map((e) => `ε = ${e}/255`), artifacts, uninformative,
      params: { attack: p.attack, norm: p.norm, epsilon: p.epsilons, steps: p.attack === 'fgsm' ? 1 : p.steps, step_size: p.stepSize ?? null, random_start: p.attack === 'pgd' && p.randomStart, loss: p.loss, targeted: p.targeted ?? null, method: p.method, top_fraction: p.topFraction, images: n, seed: p.seed, labels: p.labels.every((l) => l !== null) ? 'source' : 'predicted where the source has none' },
    };
  },
};
