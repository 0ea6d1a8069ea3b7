// A loaded spec file and its entries, as every stage after loading sees them: kinds, planner,
// preparation and runner. Kind-agnostic: each kind's entry type extends EntryBase.
import { z } from 'zod';
import type { Document } from 'yaml';
import type { SpecIssue } from './issues.ts';
import type { SourceText } from './source.ts';
import type { PathSegment } from './yaml.ts';
import { IdSchema, ModelRefSchema, overridable } from './schema/common.ts';
import { ExpectSchema } from './schema/expect.ts';

/** The keys a suite has whatever kinds it lists. */
export const suiteFields = {
  suite: z.string().min(1).max(200).meta({ description: 'Name of the suite (reports group results by it)' }),
  description: z.string().max(2000).optional(),
  ...overridable,
  labels: z
    .union([z.array(z.string().min(1).max(200)).min(1).max(100_000), z.string().min(1).max(4096)])
    .meta({ description: 'Class names in output order: a list, or a file relative to the spec (one name per line, or a JSON list); `target: { class: cat }`, manifests and reports use them' })
    .optional(),
  baseline: ModelRefSchema.meta({ description: 'Model that `change` expectations compare against (--baseline overrides it)' }).optional(),
};

const SuiteBaseSchema = z.object(suiteFields);
const EntryBaseSchema = z.object({ id: IdSchema, ...overridable, repeat: z.int().optional(), expect: ExpectSchema });

/** What every entry of every kind has: an id, the overridable settings, expectations. */
export type EntryBase = z.output<typeof EntryBaseSchema>;

/** A parsed suite: its own keys and one list per entry kind (read them with `entriesOf`). */
export type Suite = z.output<typeof SuiteBaseSchema> & Record<string, unknown>;

export interface SpecOverrides {
  /** --model: replaces every model of the spec (resolved from the working directory). */
  model?: string;
  /** --baseline: replaces the suite's baseline. */
  baseline?: string;
  /** --allow-outside: files the spec names may lie outside its project. */
  allowOutside?: boolean;
}

export interface LoadedSpec {
  src: SourceText;
  /** Directory relative paths in the spec resolve from. */
  dir: string;
  suite: Suite;
  doc: Document.Parsed;
  /** Whether files it names may lie outside its project (--allow-outside), for checks made after loading. */
  allowOutside: boolean;
  /** `file:line:col` of a value (or with `key` its key) in this spec. */
  where(path: readonly PathSegment[], key?: boolean): string;
  /** An issue at a path of this spec, for errors found after loading (a layer the model lacks). */
  issue(path: readonly PathSegment[], message: string, hint?: string, key?: boolean): SpecIssue;
}

/** One entry with its kind (the suite's list key) and its place in the spec. */
export interface SpecEntry<E = EntryBase> {
  kind: string;
  index: number;
  path: PathSegment[];
  entry: E;
}
