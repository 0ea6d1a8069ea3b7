// Attribution costs on zoo:mobilenet_v2 (224²), each against a reference measured in the same run,
// interleaved: extremal perturbation (300 iterations) vs 300 × one forward + one forward+gradient
// call (target ≤ 1.2×), RISE (4000 masks) images/s vs plain batched forward images/s (target ≥ 0.8×),
// both as the median of per-round ratios; and the peak memory of IG (50 steps) at two internal batch
// sizes (memory follows the internal batch, not the steps).
import path from 'node:path';
import { loadModel } from '../src/models/load.ts';
import type { ConcreteDevice } from '../src/engine/session.ts';
import { readImage, toModelInput } from '../src/stimuli/image.ts';
import { subjectOf } from '../src/probes/attribution/subject.ts';
import { targetGradient } from '../src/probes/attribution/gradients.ts';
import { scoreMany, scoreOne } from '../src/probes/attribution/forward.ts';
import { extremal } from '../src/probes/attribution/extremal/extremal.ts';
import { rise } from '../src/probes/attribution/methods/rise.ts';
import { integratedGradients } from '../src/probes/attribution/methods/integrated-gradients.ts';
import { releaseMaskWorkers } from '../src/probes/attribution/extremal/mask-parallel.ts';
import { summarize, type Figure, type Ratio, type Section } from './lib.ts';

export interface AttributionBenchOptions {
  device?: ConcreteDevice;
  /** Extremal iterations (300) and RISE masks (4000): lower them for a quick look. */
  iterations?: number;
  masks?: number;
  /** Batch of RISE and of the plain-forward reference. */
  batch?: number;
  /** Extremal runs, each between two blocks of reference calls (3). */
  rounds?: number;
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

/** Median of samples. */
function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A ratio whose value is the median of per-round ratios (the figure holds their min and max). */
function roundRatio(name: string, perRound: Figure, subject: string, reference: string, target: { min?: number; max?: number; text: string }): Ratio {
  const value = perRound.median;
  const met = (target.min === undefined || value >= target.min) && (target.max === undefined || value <= target.max);
  return { name, value, subject, reference, target: target.text, met };
}

export async function benchAttribution(opts: AttributionBenchOptions = {}): Promise<Section> {
  const device = opts.device ?? 'cpu';
  const iterations = opts.iterations ?? 300;
  const rounds = opts.rounds ?? 3;
  const referenceCalls = 8;
  const masks = opts.masks ?? 4000;
  const batch = opts.batch ?? 16;
  const section: Section = { title: `Attribution on zoo:mobilenet_v2 224² (${device})`, figures: [], ratios: [], notes: [] };
  const model = await loadModel('zoo:mobilenet_v2');
  const subject = subjectOf(model, { device, batchSize: batch });
  const image = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'test', 'fixtures', 'images', 'chelsea.png');
  const x = toModelInput(readImage(image), model.preprocess);
  const target = { kind: 'class' as const, index: model.labels!.indexOf('Neutral') };

  // Reference: one forward and one forward+gradient call at batch 1 (what one iteration of one area
  // needs). Extremal runs alternate with blocks of reference calls, and each run is compared with the
  // blocks just before and after it, so that load changes on a shared machine hit both alike.
  const fwd: number[] = [];
  const grad: number[] = [];
  const block = async (n: number) => {
    const pairs: number[] = [];
    for (let i = 0; i < n; i++) {
      const f = await seconds(() => scoreOne(subject, target, x));
      const g = await seconds(() => targetGradient(subject, target, x));
      fwd.push(f);
      grad.push(g);
      pairs.push(f + g);
    }
    return pairs;
  };
  await targetGradient(subject, target, x); // build the gradient graph and its session
  await extremal(subject, x, target, { iterations: 2, areas: [0.1] }); // start the mask workers
  const eps: number[] = [];
  const perRound: number[] = [];
  const own: number[] = [];
  let timing: Record<string, number> | undefined;
  const split = { model: [] as number[], generator: [] as number[], perturb: [] as number[], optimiser: [] as number[] };
  let threads: unknown;
  let before = await block(referenceCalls);
  for (let r = 0; r < rounds; r++) {
    const ep = await seconds(async () => {
      const res = await extremal(subject, x, target, { iterations, areas: [0.1] });
      timing = res.timing;
      threads = res.params.threads;
    });
    const after = await block(referenceCalls);
    eps.push(ep);
    perRound.push(ep / (iterations * median([...before, ...after])));
    own.push(ep / (timing!.model / 1000));
    split.model.push(timing!.model / iterations);
    split.generator.push((timing!.mask + timing!.generatorAdjoint) / iterations);
    split.perturb.push(timing!.perturb / iterations);
    split.optimiser.push(timing!.optimiser / iterations);
    before = after;
  }
  await releaseMaskWorkers();
  const fF = summarize('forward, batch 1', 's', fwd);
  const fG = summarize('forward + input gradient (one gradient() call), batch 1', 's', grad);
  const fE = summarize(`extremal perturbation, ${iterations} iterations, area 0.1`, 's', eps);
  const fR = summarize(`extremal / ${iterations} × (forward + gradient call), per run`, '×', perRound);
  section.figures.push(fF, fG, fE, fR, summarize(`extremal / its own ${iterations} gradient calls, per run`, '×', own));
  // Per-iteration split of each run: the model's forward + gradient, the JS mask generator (forward
  // and adjoint), the perturbed input, and the optimiser (pyramid adjoint, area constraint, SGD).
  section.figures.push(
    summarize('extremal per iteration: model (forward + gradient)', 'ms', split.model),
    summarize('extremal per iteration: mask generator (forward + adjoint)', 'ms', split.generator),
    summarize('extremal per iteration: perturbed input', 'ms', split.perturb),
    summarize('extremal per iteration: optimiser (pyramid adjoint, area, SGD)', 'ms', split.optimiser),
  );
  section.ratios.push(roundRatio(`extremal / ${iterations} × (forward + gradient call)`, fR, fE.name, `${iterations} × (forward + gradient call), around each run`, { max: 1.2, text: '≤ 1.2' }));
  if (timing) {
    const perIt = (k: string) => `${(timing![k] / iterations).toFixed(1)} ms`;
    section.notes!.push(`extremal time per iteration (last run): model ${perIt('model')}; JS ${perIt('js')} = mask generator ${perIt('mask')} + its adjoint ${perIt('generatorAdjoint')} + perturbed input ${perIt('perturb')} + optimiser ${perIt('optimiser')}; mask-generator threads ${threads}; parameters strictly inside (0, 1): ${(100 * timing.fractionalParams).toFixed(0)}%`);
    // What the split cannot show: the JS and the model never overlap (step t + 1's mask needs step
    // t's gradient, and with one area there is nothing else to run), and several areas would share
    // one batched forward + gradient run per iteration.
    section.notes!.push('extremal runs the JS and the model one after the other (each step needs the last gradient); the mask-generator threads split the JS between the model runs, and several areas share one batched model run per iteration');
  }

  // RISE vs plain batched forward of the same number of images per run, in alternating rounds
  // (RISE's masks split over the rounds) so that load changes hit both alike.
  const riseRounds = 4;
  const per = Math.ceil(masks / riseRounds);
  const plainN = Math.min(per, 256);
  const plainRates: number[] = [];
  const riseRates: number[] = [];
  const riseRatios: number[] = [];
  await rise(subject, x, target, { masks: batch, seed: 99 }); // build the masked graph and its session
  for (let k = 0; k < riseRounds; k++) {
    plainRates.push(plainN / (await seconds(() => scoreMany(subject, target, plainN, (_, dst) => dst.set(x.data), { batchSize: batch }))));
    riseRates.push((per + 1) / (await seconds(() => rise(subject, x, target, { masks: per, seed: k }))));
    riseRatios.push(riseRates[k] / plainRates[k]);
  }
  const fPlain = summarize(`plain forward, batch ${batch}`, 'images/s', plainRates);
  const fRise = summarize(`RISE, ${riseRounds} × ${per} masks, batch ${batch}`, 'images/s', riseRates);
  const fRiseR = summarize('RISE images/s / plain forward images/s, per round', '×', riseRatios);
  section.figures.push(fPlain, fRise, fRiseR);
  section.ratios.push(roundRatio('RISE images/s / plain forward images/s', fRiseR, fRise.name, fPlain.name, { min: 0.8, text: '≥ 0.8' }));

  // IG memory: the same 50 steps at two internal batch sizes.
  for (const ib of [8, 50]) {
    const mb = await peakRss(() => integratedGradients(subject, x, target, { steps: 50, internalBatchSize: ib }));
    section.figures.push(summarize(`IG 50 steps, internal batch ${ib}: peak RSS above start`, 'MB', [mb]));
  }
  section.notes!.push('IG memory grows with the internal batch, not with the steps: the path points run internalBatchSize at a time and the gradient sum is accumulated in one buffer');
  return section;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await benchAttribution({ iterations: Number(process.env.ITER ?? 300), masks: Number(process.env.MASKS ?? 4000), rounds: Number(process.env.ROUNDS ?? 3) });
  console.log(JSON.stringify(s, null, 2));
}
