// The generators probe: runs the entry's one analysis on its generator → judge chain and turns the
// result into measurements (one case per judge, target or noise input where there are several).
import type { Measurement } from '../probe/measurement.ts';
import type { Probe, ProbeOutput } from '../probe/probe.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { Chain } from './chain.ts';
import { findDirection } from './direction.ts';
import { intervene, type Region } from './intervention.ts';
import { invert } from './inversion.ts';
import type { Judge } from './judge.ts';
import { noiseScales } from './noise.ts';
import { noiseFeeds, runItems, sampleLatents, toUnit } from './sample.ts';
import { stripArtifact } from './strip.ts';
import type { Artifact } from '../probe/measurement.ts';
import { GENERATOR_METRICS, type GeneratorEntry } from './schema.ts';

export interface GeneratorParams {
  entry: GeneratorEntry;
  chain: Chain;
  /** The entry's judge first, then its `others`. */
  judges: Judge[];
  /** Out-of-domain inversion targets (0..1, at the generator's size), with their names. */
  photos: { name: string; image: Tensor }[];
  where: string;
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

export const generatorsProbe: Probe<GeneratorParams> = {
  kind: 'generators.analysis',
  metrics: GENERATOR_METRICS,
  async run(p, engine, rng): Promise<ProbeOutput> {
    const e = p.entry;
    const ctx = { device: engine.device, batch: engine.batchSize };
    const gen = p.chain.generator;
    const m: Record<string, Measurement> = {};
    const params: Record<string, unknown> = { generator: e.generator };
    let cases: string[] | undefined;
    const artifacts: Artifact[] = [];
    if (e.intervention) {
      const o = { ...e.intervention, region: (e.intervention.region ?? [0, 0, 1, 1]) as Region, samples: e.samples ?? 32 };
      const r = await intervene(p.chain, p.judges, o, rng, ctx, p.where);
      Object.assign(params, o, { value: r.value });
      m['intervention.before'] = r.before[0];
      m['intervention.after'] = r.after[0];
      m['intervention.effect'] = r.effect[0];
      m['intervention.relative'] = r.before[0] === 0 ? null : r.effect[0] / Math.abs(r.before[0]);
      m['intervention.locality'] = r.locality;
      artifacts.push(stripArtifact('intervention', `top: generated; bottom: ${o.layer} units ${o.units.join(', ')} ${o.set} in [${o.region.join(', ')}]`, [toUnit(gen, r.images.before), toUnit(gen, r.images.after)]));
      if (p.judges.length > 1) m['intervention.others_change'] = Math.max(...r.effect.slice(1).map((x, k) => Math.abs(x) / Math.max(Math.abs(r.before[k + 1]), 1e-9)));
    } else if (e.direction) {
      const d = e.direction;
      const o = { train: d.train ?? 128, test: d.test ?? 64, threshold: d.threshold, walk: { steps: d.walk?.steps ?? 7, span: d.walk?.span ?? 3, bases: d.walk?.bases ?? 4 } };
      const r = await findDirection(p.chain, p.judges, o, rng, ctx);
      Object.assign(params, o, { threshold: r.threshold, normal: r.normal.map((v) => +v.toFixed(4)) });
      m['direction.accuracy'] = r.accuracy;
      artifacts.push(stripArtifact('walk', `one latent walked along the normal, offsets ${r.offsets.map((x) => +x.toFixed(2)).join(', ')}`, [toUnit(gen, r.walkImages)], o.walk.steps));
      artifacts.push({ type: 'plot', name: 'walk scores', caption: 'mean judge score along the walk', plot: { kind: 'line', xLabel: 'offset along the normal', yLabel: 'score', series: r.walk.map((y, k) => ({ name: p.judges[k].label, x: r.offsets, y })) } });
      m['walk.monotonicity'] = r.monotonicity;
      if (r.entanglement.length) m['walk.entanglement'] = Math.max(...r.entanglement);
    } else if (e.inversion) {
      const v = e.inversion;
      const o = { generated: v.generated ?? 2, steps: v.steps ?? 100, lr: v.lr ?? 0.1, layer: v.layer };
      const z = sampleLatents(rng, o.generated, gen.latent.size);
      const drawn = o.generated ? toUnit(gen, (await runItems(gen.net, { [gen.latent.name]: z, ...noiseFeeds(gen, o.generated) }, [gen.image.name], ctx))[gen.image.name]) : undefined;
      const targets = [...(drawn ? [drawn] : []), ...p.photos.map((x) => x.image)];
      const n = o.generated + p.photos.length;
      const size = gen.image.channels * gen.image.height * gen.image.width;
      const all = new Float32Array(n * size);
      let at = 0;
      for (const t of targets) { all.set(t.data, at); at += t.data.length; }
      const r = await invert(gen, { dims: [n, gen.image.channels, gen.image.height, gen.image.width], data: all }, o, ctx, p.chain.judge);
      Object.assign(params, o);
      cases = [...Array.from({ length: o.generated }, (_, i) => `generated ${i}`), ...p.photos.map((x) => x.name)];
      m['inversion.mse'] = r.mse;
      artifacts.push(stripArtifact('inversion', `top: targets (${cases.join(', ')}); bottom: what the inverted latents draw`, [{ dims: r.images.dims, data: all }, r.images]));
      if (r.lpips) m['inversion.lpips_proxy'] = r.lpips;
      const inD = r.mse.slice(0, o.generated);
      const outD = r.mse.slice(o.generated);
      if (inD.length) m['inversion.mse_in'] = mean(inD);
      if (outD.length) m['inversion.mse_out'] = mean(outD);
      if (inD.length && outD.length) m['inversion.domain_gap'] = mean(outD) / Math.max(mean(inD), 1e-12);
    } else {
      const r = await noiseScales(p.chain, e.samples ?? 4, rng, ctx, p.judges);
      cases = r.inputs.map((i) => `${i.name} · band ${i.band.map((b) => b.toFixed(3)).join('–')} cycles/px`);
      m['noise.scale_effect'] = r.inputs.map((i) => i.scaleEffect);
      if (p.judges.length) m['noise.judge_change'] = r.inputs.map((i) => i.judgeChange ?? null);
      params.samples = e.samples ?? 4;
    }
    params.judges = p.judges.map((j) => j.label);
    return { measurements: m, cases, params, artifacts };
  },
};
