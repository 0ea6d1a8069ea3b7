// A spec file: one suite with its defaults and one list per entry kind. The single source of
// truth: the loader validates with it and specs/schema.json is generated from it.
import { z } from 'zod';
import { suiteFields } from '../suite/spec.ts';
import { entryKinds, kindsVersion } from './index.ts';

let built: { version: number; schema: z.ZodType } | undefined;

/** The suite schema for the kinds registered now (rebuilt when one is added). */
export function suiteSchema(): z.ZodType {
  if (built?.version !== kindsVersion()) {
    const lists = Object.fromEntries(entryKinds().map((k) => [k.key, z.array(k.schema).max(k.maxEntries).meta({ description: k.description }).optional()]));
    const schema = z
      .strictObject({ ...suiteFields, ...lists })
      .meta({ title: 'neurogate spec', description: 'A neurogate suite: what units, masks and circuits of a vision model must do' });
    built = { version: kindsVersion(), schema };
  }
  return built.schema;
}

/** The suite's own keys and each kind's list key (what a spec's top level may hold). */
export function suiteKeys(): string[] {
  return [...Object.keys(suiteFields), ...entryKinds().map((k) => k.key)];
}
