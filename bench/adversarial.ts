// PGD cost on MobileNetV2: one PGD-10 attack (10 loss gradients through the autodiff, projection,
// clipping, one forward of the result) against 10 × (one forward + one gradient run) of the same
// batch, timed interleaved in one run — target ≤ 1.2×, i.e. the attack adds ≤ 20 % of overhead.
import { loadModel } from '../src/models/load.ts';
import { run, type ConcreteDevice } from '../src/engine/session.ts';
import { gradient, logit } from '../src/engine/autodiff/index.ts';
import { attack } from '../src/probes/adversarial/attack.ts';
import { pixelSpace, toInput } from '../src/probes/adversarial/space.ts';
import { subjectOf } from '../src/probes/attribution/index.ts';
import { makeRng } from '../src/util/rng.ts';
import { summarize, ratio, type Section } from './lib.ts';

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export async function benchAdversarial(o: { device?: ConcreteDevice; batch?: number; repeats?: number } = {}): Promise<Section> {
  const device = o.device ?? 'cpu', batch = o.batch ?? 4, repeats = o.repeats ?? 3;
  const m = await loadModel('zoo:mobilenet_v2');
  const subject = subjectOf(m, { device, batchSize: batch });
  const space = pixelSpace(m.preprocess);
  const [C, H, W] = subject.inputDims;
  const rng = makeRng(1);
  const u = Float64Array.from({ length: batch * C * H * W }, () => rng());
  const dims = [batch, C, H, W];
  const labels = Array.from({ length: batch }, (_, i) => i);
  const x = toInput(space, u, dims);
  const forward = () => run(m.net, { [m.input.name]: x }, [m.logits!], { device });
  const grad = () => gradient(m.net, { input: { [m.input.name]: x }, objective: logit(m.logits!, labels), wrt: [m.input.name] }, { device });
  const pgd = () => attack(subject, space, u, labels, { norm: 'linf', epsilon: 4 / 255, steps: 10, randomStart: true }, makeRng(2));
  await forward(); await grad(); await pgd(); // sessions and gradient graphs built once
  const f: number[] = [], g: number[] = [], p: number[] = [];
  for (let r = 0; r < repeats; r++) {
    f.push(await seconds(forward));
    g.push(await seconds(grad));
    p.push(await seconds(pgd));
  }
  const fwd = summarize(`forward, batch ${batch}`, 's', f);
  const grd = summarize(`forward + gradient (class logit), batch ${batch}`, 's', g);
  const atk = summarize(`PGD-10 L∞ (ε 4/255, random start, cross-entropy), batch ${batch}`, 's', p);
  // The reference of the issue: ten times (forward + gradient), from the medians measured beside it.
  const ref = { ...summarize('10 × (forward + gradient)', 's', [10 * (fwd.median + grd.median)]) };
  return {
    title: `Adversarial: PGD-10 on MobileNetV2 (${device}), ${repeats} interleaved repeats`,
    figures: [fwd, grd, atk, ref],
    ratios: [ratio('PGD-10 / 10 × (forward + gradient)', atk, ref, { max: 1.2, text: '≤ 1.2' })],
    notes: ['the attack pays one forward of the final images on top of its ten gradient runs, and its projection and clipping in JS'],
  };
}
