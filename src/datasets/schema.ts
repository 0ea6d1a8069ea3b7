// What `images:` may name: a list of files (as before), a folder, a glob, a manifest (CSV or
// JSONL rows with labels, boxes, masks and tags), or generated shape scenes; each with a seeded sample.
import { z } from 'zod';
import { PathSchema } from '../suite/schema/common.ts';

export const SampleSchema = z
  .strictObject({
    n: z.int().min(1).max(10_000_000).meta({ description: 'Images kept (all when the source has fewer)' }),
    seed: z.int().min(0).max(2 ** 32 - 1).meta({ description: 'Seed of the draw (default 0)' }).optional(),
  })
  .meta({ description: 'A seeded subset of the source, kept in the source’s order' });

const sample = { sample: SampleSchema.optional() };

export const ImagesSchema = z
  .union([
    z.array(PathSchema).min(1).max(1000).meta({ description: 'Image files; each is a case' }),
    z.strictObject({ folder: PathSchema, recursive: z.boolean().meta({ description: 'Search sub-folders too (default true)' }).optional(), ...sample }).meta({ description: 'Every PNG and JPEG in a folder, in sorted order' }),
    z.strictObject({ glob: z.string().min(1).max(4096).meta({ description: 'Pattern relative to the spec file: `*`, `?`, `**` (any folders), `{a,b}`' }), ...sample }).meta({ description: 'Image files a pattern matches, in sorted order' }),
    z.strictObject({ manifest: PathSchema.meta({ description: 'A .csv (header: path,label,boxes,mask,tags,difficult) or .jsonl file; paths relative to it' }), ...sample }).meta({ description: 'Images with labels, boxes, masks and tags' }),
    z.strictObject({
      scenes: z.strictObject({
        n: z.int().min(1).max(100_000).meta({ description: 'Scenes generated' }),
        seed: z.int().min(0).max(2 ** 32 - 1).meta({ description: 'Seed of the scenes (default 0)' }).optional(),
        size: z.int().min(96).max(1024).meta({ description: 'Side in px (default 224)' }).optional(),
      }),
      ...sample,
    }).meta({ description: 'Generated shape scenes (disk, square, triangle in clutter) with exact boxes and masks' }),
  ])
  .meta({ description: 'Images: a list, a folder, a glob, a manifest or generated scenes' });

export type ImagesSpec = z.output<typeof ImagesSchema>;
export type SampleSpec = z.output<typeof SampleSchema>;
