// What an entry kind is (`neurons:`, `masks:`, `circuits:`, `reimpl:` …): one descriptor, exported
// by the kind's own folder, that the loader, planner, preparation, shard cost model and reports read.
import type { z } from 'zod';
import type { ImportedModel } from '../models/types.ts';
import type { ZooEntry } from '../models/zoo/entry.ts';
import type { RgbImage } from '../stimuli/image.ts';
import type { SpecIssue } from '../suite/issues.ts';
import type { EntryBase, LoadedSpec, SpecEntry } from '../suite/spec.ts';
import type { PathSegment } from '../suite/yaml.ts';
import type { ImageSource } from '../datasets/decode.ts';
// The image source is declared beside the decoder that serves it; preparation names it through the contract.
export type { ImageSource };
import type { RunLimits } from './limits.ts';
import type { Probe } from './probe.ts';


/** An entry as preparation sees it: its place in the spec, the seed and batch it runs with. */
export interface EntryToPrepare<E = EntryBase> {
  spec: LoadedSpec;
  at: SpecEntry<E>;
  seed: number;
  /** Inputs per forward pass the entry asked for (`engine.batch`, else the default). */
  batch: number;
  /** Set when `--shard` split the entry's dataset by images: this process runs only that part. */
  part?: ImagePart;
}

/**
 * One part of a dataset entry split by images across shards: the contiguous images [from, to) of
 * the `of` images of its source (in the source's order), part `index` of `parts` (both 1-based).
 */
export interface ImagePart {
  index: number;
  parts: number;
  from: number;
  to: number;
  of: number;
}

/** Everything preparation may use besides the entry: images, the issue list to add to, the run limits. */
export interface PrepareContext {
  images: ImageSource;
  issues: SpecIssue[];
  limits: RunLimits;
}

/**
 * A prepared entry: the model its probe runs on and the probe's plain parameters; entries that
 * compare against a model run the same probe on `baselineModel` with `baselineParams`.
 */
export interface PreparedModels {
  model: ImportedModel;
  params: unknown;
  baselineModel?: ImportedModel;
  baselineParams?: unknown;
}

/** A layer name as a spec writes it and where, for resolving every name before anything runs. */
export interface LayerRef {
  path: PathSegment[];
  name: string;
}

/** The work an entry makes for the shard cost model, before any model loads. */
export interface EntryWork {
  /**
   * Forward inputs it feeds: `key` names inputs shared with other entries (`image:<abs path>`,
   * `stimulus:<params>`) or, with the entry's index in it, inputs of its own (perturbed copies,
   * optimisation steps); `count` is how many forward-pass equivalents they cost.
   */
  inputs: { key: string; count: number }[];
  /** Whether every run feeds inputs of its own (noise, repeats of a random probe). */
  ownPerRun?: boolean;
}

export interface EntryKind<E extends EntryBase = EntryBase> {
  /** The suite's list key (`masks:`) and the report's entry kind. */
  key: string;
  /** One entry of the list: TypeScript types, validation and specs/schema.json all come from it. */
  schema: z.ZodType<E, unknown>;
  /** What the list holds, for the JSON schema. */
  description: string;
  /** Most entries one suite may list. */
  maxEntries: number;
  /** Rules the schema cannot say, with the spec's places (files that exist…), after the generic ones. */
  crossChecks?(spec: LoadedSpec, at: SpecEntry<E>): SpecIssue[];
  /** `change` checks compare against the suite's baseline model, unless the kind makes its own (circuits). */
  ownBaseline?: boolean;
  /** The probe itself compares the model with the suite's baseline (`compare:`): the baseline always loads, and must be set. */
  needsBaseline?: boolean;
  /** Metrics an entry defines for itself besides its probe's (a masks entry's `aggregate:` names). */
  ownMetrics?(entry: E): string[];
  /** The probe an entry runs. */
  probeOf(entry: E): Probe<never>;
  /** Every probe the kind may run (the runner finds them by name). */
  probes: readonly Probe<never>[];
  /** Every layer name the entry writes, resolved against its models before anything runs. */
  layers?(at: SpecEntry<E>): LayerRef[];
  /**
   * The probe's plain parameters on a loaded model (and its baseline, when the entry has one), or
   * undefined after adding the problems found to `ctx.issues`.
   */
  prepare(entry: EntryToPrepare<E>, models: { model: ImportedModel; baseline?: ImportedModel; baselineRef?: string }, ctx: PrepareContext): Promise<PreparedModels | undefined>;
  /**
   * How many images the entry's dataset holds when its images may run apart, a part per shard
   * (its dataset-level metrics then merge from the parts' states); undefined when it must run whole.
   */
  splitImages?(entry: EntryToPrepare<E>): number | undefined;
  /** The forward work of an entry, for balancing shards. */
  work(entry: EntryToPrepare<E>, index: number): EntryWork;
  /** Zoo models the kind brings (`zoo:reimpl-curves`). */
  zooModels?: readonly ZooEntry[];
}

/**
 * The usual `prepare`: the same preparation on the candidate model and, when there is one, the
 * baseline model (its problems say so).
 */
export async function prepareEach<E extends EntryBase, P>(
  entry: EntryToPrepare<E>,
  models: { model: ImportedModel; baseline?: ImportedModel; baselineRef?: string },
  ctx: PrepareContext,
  one: (entry: EntryToPrepare<E>, model: ImportedModel, ctx: PrepareContext, role: string) => Promise<P | undefined>,
): Promise<PreparedModels | undefined> {
  const params = await one(entry, models.model, ctx, '');
  const baselineParams = models.baseline ? await one(entry, models.baseline, ctx, `in the baseline model ${models.baselineRef}`) : undefined;
  if (params === undefined || (models.baseline && baselineParams === undefined)) return undefined;
  return { model: models.model, params, baselineModel: models.baseline, baselineParams };
}
