// specs/schema.json, generated from the suite schema of the registered kinds so editors (yaml-language-server) complete
// and check specs with the same rules the loader applies.
import { z } from 'zod';
import { suiteSchema } from './schema.ts';

export const SCHEMA_ID = 'https://neurogate.dev/schema/spec.json';

export function specJsonSchema(): Record<string, unknown> {
  // draft-07 is what yaml-language-server understands best; io 'input' keeps optional keys optional.
  const schema = z.toJSONSchema(suiteSchema(), { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
  return { ...schema, $id: SCHEMA_ID };
}

/** The file's exact text: stable key order and a trailing newline, so the staleness test can compare bytes. */
export function specJsonSchemaText(): string {
  return `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
}
