// Settings a suite sets as defaults and an entry may override (model, engine, seed, tolerances,
// preprocessing), and the small value types every entry kind shares (ids, file paths).
import { z } from 'zod';
import { DEVICES } from '../../engine/session.ts';
import { PreprocessSchema } from './preprocess.ts';

export const ModelRefSchema = z
  .string()
  .min(1)
  .max(4096)
  .meta({ description: 'zoo:<name> (zoo:mobilenet_v2, zoo:mobilenet_v2_mid, zoo:inception_v3), a .onnx file, or a TF.js model.json (or its folder); relative to the spec file' });

export const EngineSchema = z
  .strictObject({
    device: z.enum(DEVICES).meta({ description: 'auto picks a GPU when one works, else cpu' }).optional(),
    batch: z.int().min(1).max(1024).meta({ description: 'Inputs per forward pass (memory bound for large models); default 16' }).optional(),
  })
  .meta({ description: 'Where and how models run' });

export const SeedSchema = z.int().min(0).max(2 ** 32 - 1).meta({ description: 'Seed for every random draw (0 … 2³²−1)' });

export const IdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\s/][^/]*$/, 'an id must not start with a space and must not contain "/" (used as suite/id in filters)')
  .meta({ description: 'Unique within the suite; --filter matches "suite/id"' });

export const PathSchema = z.string().min(1).max(4096).meta({ description: 'A file path, relative to the spec file' });

/** The keys a suite sets as defaults and each entry may override. */
export const overridable = {
  model: ModelRefSchema.optional(),
  engine: EngineSchema.optional(),
  seed: SeedSchema.optional(),
  tol: z.number().min(0).meta({ description: 'Default absolute tolerance of `near` checks' }).optional(),
  rtol: z.number().min(0).meta({ description: 'Default relative tolerance of `near` checks' }).optional(),
  preprocess: PreprocessSchema.optional(),
};
