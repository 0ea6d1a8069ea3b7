// A test-only entry kind, `means:`: the mean of one layer over each image. Small on purpose: it
// shows what a kind must bring (schema, probe, preparation, layer names, forward work) and nothing
// outside this folder knows it except the one line of the test that registers it.
import path from 'node:path';
import { z } from 'zod';
import { isNeurogateError } from '../../../src/errors.ts';
import { resolveLayer } from '../../../src/models/catalog.ts';
import { prepareEach, type EntryKind } from '../../../src/probe/kind.ts';
import type { Probe } from '../../../src/probe/probe.ts';
import { imageInputs } from '../../../src/probe/work.ts';
import { toModelInput } from '../../../src/stimuli/image.ts';
import { fileRef } from '../../../src/suite/paths.ts';
import { IdSchema, PathSchema, overridable } from '../../../src/suite/schema/common.ts';
import { ExpectSchema } from '../../../src/suite/schema/expect.ts';
import type { RgbImage } from '../../../src/stimuli/image.ts';

export const MeansEntrySchema = z
  .strictObject({
    id: IdSchema,
    ...overridable,
    layer: z.string().min(1).meta({ description: 'Layer whose mean is measured' }),
    images: z.array(PathSchema).min(1),
    expect: ExpectSchema,
  })
  .meta({ description: 'The mean of a layer over each image (test-only kind)' });
export type MeansEntry = z.output<typeof MeansEntrySchema>;

export interface MeansParams {
  tensor: string;
  images: { label: string; image: RgbImage }[];
  batch: number;
}

export const meansProbe: Probe<MeansParams> = {
  kind: 'means.layer',
  metrics: ['mean'],
  async run(p, engine) {
    const inputs = p.images.map((i) => toModelInput(i.image, engine.model.preprocess));
    const out = await engine.forward(inputs, [p.tensor]);
    const mean = out.map(([t]) => t.data.reduce((s, v) => s + v, 0) / t.data.length);
    return { measurements: { mean }, cases: p.images.map((i) => i.label), params: { layer: p.tensor, batch: engine.batchSize } };
  },
};

export const meansKind: EntryKind<MeansEntry> = {
  key: 'means',
  schema: MeansEntrySchema,
  description: 'Layer means over images (test-only)',
  maxEntries: 100,
  crossChecks: (spec, { path: p, entry }) => entry.images.flatMap((f, i) => fileRef(spec, [...p, 'images', i], f, 'image')),
  probeOf: () => meansProbe as Probe<never>,
  probes: [meansProbe as Probe<never>],
  layers: ({ path: p, entry }) => [{ path: [...p, 'layer'], name: entry.layer }],
  prepare: (entry, models, ctx) => prepareEach(entry, models, ctx, async ({ spec, at }, model, c, role) => {
    const before = c.issues.length;
    let tensor: string | undefined;
    try {
      tensor = (await resolveLayer(model, at.entry.layer)).tensor;
    } catch (err) {
      if (!isNeurogateError(err) || err.kind !== 'bad_input') throw err;
      c.issues.push(spec.issue([...at.path, 'layer'], `${err.message}${role ? ` (${role})` : ''}`, err.hint));
    }
    const images = at.entry.images.map((f, i) => ({ label: f, image: c.images(path.resolve(spec.dir, f), [...at.path, 'images', i]) }));
    if (c.issues.length > before || !tensor || images.some((i) => !i.image)) return undefined;
    return { tensor, images: images.map((i) => ({ label: i.label, image: i.image! })), batch: entry.batch };
  }),
  work: ({ spec, at }) => ({ inputs: imageInputs(spec, at.entry.images) }),
};
