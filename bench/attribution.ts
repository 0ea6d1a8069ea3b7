// Attribution costs on zoo:mobilenet_v2 (224²), each against a reference measured in the same run:
// extremal perturbation (300 iterations) vs 300 × one forward+gradient call (target ≤ 1.2×), RISE
// (4000 masks) images/s vs plain batched forward images/s (target ≥ 0.8×), and the peak memory of
// IG (50 steps) at two internal batch sizes (memory follows the internal batch, not the steps).
import path from 'node:path';
import { loadModel } from '../src/models/load.ts';
import type { ConcreteDevice } from '../src/engine/session.ts';
import { readImage, toModelInput } from '../src/stimuli/image.ts';
import { subjectOf } from '../src/probes/attribution/subject.ts';
import { targetGradient } from '../src/probes/attribution/gradients.ts';
import { scoreMany, scoreOne } from '../src/probes/attribution/forward.ts';
import { extremal } from '../src/probes/attribution/extremal.ts';
import { rise } from '../src/probes/attribution/rise.ts';
import { integratedGradients } from '../src/probes/attribution/integrated-gradients.ts';
import { releaseMaskWorkers } from '../src/probes/attribution/mask-parallel.ts';
import { summarize, ratio, type Section } from './lib.ts';

export interface AttributionBenchOptions {
  device?: ConcreteDevice;
  /** Extremal iterations (300) and RISE masks (4000): lower them for a quick look. */
  iterations?: number;
  masks?: number;
  /** Batch of RISE and of the plain-forward reference. */
  batch?: number;
}

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Peak resident memory (MB) above the level at the start, sampled every 10 ms while fn runs. */
async function peakRss(fn: () => Promise<unknown>): Promise<number> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return (peak - base) / 2 ** 20;
}

export async function benchAttribution(opts: AttributionBenchOptions = {}): Promise<Section> {
  const device = opts.device ?? 'cpu';
  const iterations = opts.iterations ?? 300;
  const masks = opts.masks ?? 4000;
  const batch = opts.batch ?? 16;
  const section: Section = { title: `Attribution on zoo:mobilenet_v2 224² (${device})`, figures: [], ratios: [], notes: [] };
  const model = await loadModel('zoo:mobilenet_v2');
  const subject = subjectOf(model, { device, batchSize: batch });
  const image = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'test', 'fixtures', 'images', 'chelsea.png');
  const x = toModelInput(readImage(image), model.preprocess);
  const target = { kind: 'class' as const, index: model.labels!.indexOf('Neutral') };

  // Reference: one forward and one forward+gradient call at batch 1 (what one iteration of one area
  // needs), interleaved, before and after the extremal run so load changes hit both.
  const fwd: number[] = [];
  const grad: number[] = [];
  const reference = async (n: number) => {
    for (let i = 0; i < n; i++) {
      fwd.push(await seconds(() => scoreOne(subject, target, x)));
      grad.push(await seconds(() => targetGradient(subject, target, x)));
    }
  };
  await targetGradient(subject, target, x); // build the gradient graph and its session
  await reference(6);
  let timing: Record<string, number> | undefined;
  let threads: unknown;
  const ep = await seconds(async () => {
    const r = await extremal(subject, x, target, { iterations, areas: [0.1] });
    timing = r.timing;
    threads = r.params.threads;
  });
  await reference(6);
  await releaseMaskWorkers();
  const fF = summarize('forward, batch 1', 's', fwd);
  const fG = summarize('forward + input gradient (one gradient() call), batch 1', 's', grad);
  const fE = summarize(`extremal perturbation, ${iterations} iterations, area 0.1`, 's', [ep]);
  section.figures.push(fF, fG, fE);
  const times = (f: typeof fG, n: number, name: string) => ({ ...f, name, min: f.min * n, median: f.median * n, max: f.max * n });
  section.ratios.push(ratio(`extremal / ${iterations} × gradient call`, fE, times(fG, iterations, `${iterations} × gradient call`), { max: 1.2, text: '≤ 1.2' }));
  const fwdPlusGrad = { ...fG, name: `${iterations} × (forward + gradient call)`, median: iterations * (fF.median + fG.median), min: iterations * (fF.min + fG.min), max: iterations * (fF.max + fG.max) };
  section.ratios.push(ratio(`extremal / ${iterations} × (forward + gradient call)`, fE, fwdPlusGrad, { max: 1.2, text: '≤ 1.2' }));
  if (timing) {
    // The same ratio against the run's own gradient calls: immune to load changing between the
    // reference samples and the 300 iterations.
    const own = summarize(`the run's own ${iterations} gradient calls`, 's', [timing.model / 1000]);
    section.figures.push(own);
    section.ratios.push(ratio(`extremal / its own ${iterations} gradient calls`, fE, own, { max: 1.2, text: '≤ 1.2' }));
    section.notes!.push(`extremal time split: model ${(timing.model / 1000).toFixed(1)} s, JS (mask generator, pyramid, area constraint) ${(timing.js / 1000).toFixed(1)} s, mask-generator threads ${threads}; parameters strictly inside (0, 1): ${(100 * timing.fractionalParams).toFixed(0)}%`);
  }

  // RISE vs plain batched forward of the same number of images per run, in alternating rounds
  // (RISE's masks split over the rounds) so that load changes hit both alike.
  const rounds = 4;
  const per = Math.ceil(masks / rounds);
  const plainN = Math.min(per, 256);
  const plainRates: number[] = [];
  const riseRates: number[] = [];
  for (let k = 0; k < rounds; k++) {
    plainRates.push(plainN / (await seconds(() => scoreMany(subject, target, plainN, (_, dst) => dst.set(x.data), { batchSize: batch }))));
    riseRates.push((per + 1) / (await seconds(() => rise(subject, x, target, { masks: per, seed: k }))));
  }
  const fPlain = summarize(`plain forward, batch ${batch}`, 'images/s', plainRates);
  const fRise = summarize(`RISE, ${rounds} × ${per} masks, batch ${batch}`, 'images/s', riseRates);
  section.figures.push(fPlain, fRise);
  section.ratios.push(ratio('RISE images/s / plain forward images/s', fRise, fPlain, { min: 0.8, text: '≥ 0.8' }));

  // IG memory: the same 50 steps at two internal batch sizes.
  for (const ib of [8, 50]) {
    const mb = await peakRss(() => integratedGradients(subject, x, target, { steps: 50, internalBatchSize: ib }));
    section.figures.push(summarize(`IG 50 steps, internal batch ${ib}: peak RSS above start`, 'MB', [mb]));
  }
  section.notes!.push('IG memory grows with the internal batch, not with the steps: the path points run internalBatchSize at a time and the gradient sum is accumulated in one buffer');
  return section;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await benchAttribution({ iterations: Number(process.env.ITER ?? 300), masks: Number(process.env.MASKS ?? 4000) });
  console.log(JSON.stringify(s, null, 2));
}
