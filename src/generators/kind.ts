// The `generators:` entry kind: a generator (zoo:reimpl-generator or any ONNX file with a float
// latent input) chained into the suite's model as the judge, and one analysis of it per entry.
import path from 'node:path';
import { isNeurogateError } from '../errors.ts';
import type { EntryKind } from '../probe/kind.ts';
import type { Probe } from '../probe/probe.ts';
import { resize } from '../stimuli/image.ts';
import type { PathSegment } from '../suite/yaml.ts';
import { chainModels } from './chain.ts';
import { resolveJudge, type Judge, type JudgeSpec } from './judge.ts';
import { loadGenerator } from './load.ts';
import { generatorsProbe, type GeneratorParams } from './probe.ts';
import { GeneratorEntrySchema, type GeneratorEntry } from './schema.ts';

export const generatorsKind: EntryKind<GeneratorEntry> = {
  key: 'generators',
  schema: GeneratorEntrySchema,
  description: 'Generator analyses (unit intervention, latent direction, inversion, layer-wise noise) with the suite model as judge',
  maxEntries: 1000,
  probeOf: () => generatorsProbe as Probe<never>,
  probes: [generatorsProbe as Probe<never>],
  prepare: async ({ spec, at }, { model }, ctx) => {
    const e = at.entry;
    const p = at.path;
    const where = spec.where(p);
    const record = (place: PathSegment[], err: unknown) => {
      if (!isNeurogateError(err) || err.kind !== 'bad_input') throw err;
      ctx.issues.push(spec.issue(place, err.message, err.hint));
    };
    let params: GeneratorParams;
    try {
      const gen = loadGenerator(e.generator, spec.dir);
      params = { entry: e, chain: chainModels(gen, model, `${e.generator} → ${model.net.where}`), judges: [], photos: [], where };
    } catch (err) {
      record([...p, 'generator'], err);
      return undefined;
    }
    const before = ctx.issues.length;
    const judges: [JudgeSpec, PathSegment[]][] = [];
    if (e.judge) judges.push([e.judge as JudgeSpec, [...p, 'judge']]);
    (e.others ?? []).forEach((j, i) => judges.push([j as JudgeSpec, [...p, 'others', i]]));
    for (const [j, place] of judges) {
      try {
        params.judges.push(await resolveJudge(params.chain, j, spec.where(place)) as Judge);
      } catch (err) {
        record(place, err);
      }
    }
    const g = params.chain.generator.image;
    (e.inversion?.images ?? []).forEach((file, i) => {
      const img = ctx.images(path.resolve(spec.dir, file), [...p, 'inversion', 'images', i]);
      if (!img) return;
      const r = resize(img, g.width, g.height);
      const hw = g.width * g.height;
      const data = new Float32Array(g.channels * hw);
      for (let c = 0; c < g.channels; c++) for (let k = 0; k < hw; k++) data[c * hw + k] = (g.channels === 1 ? (r.data[k * 3] + r.data[k * 3 + 1] + r.data[k * 3 + 2]) / 3 : r.data[k * 3 + c]) / 255;
      params.photos.push({ name: path.basename(file), image: { dims: [1, g.channels, g.height, g.width], data } });
    });
    return ctx.issues.length > before ? undefined : { model, params };
  },
  work: ({ at: { entry } }, index) => ({ inputs: [{ key: `generators:${index}`, count: entry.samples ?? 32 }], ownPerRun: true }),
};
