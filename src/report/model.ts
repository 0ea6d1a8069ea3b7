// The result model: one JSON document per run, the source of truth from which JUnit XML, the
// HTML report and the console summary are derived. Plain data; knows nothing of onnxruntime.
import type { Artifact, CheckResult, Measurement } from '../probe/measurement.ts';
import type { AggregateState } from '../datasets/mergeable.ts';
import type { ExpectationSpec } from '../check/forms.ts';

export type { Artifact, CheckResult, Measurement, Plot, Thumbnail } from '../probe/measurement.ts';

export const REPORT_SCHEMA_VERSION = 1;

export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'neurogate'; version: string };
  /** Non-deterministic fields live here and in `durationMs` fields only (determinism tests strip them). */
  startedAt: string;
  durationMs: number;
  environment: { node: string; onnxruntime: string; platform: string; cpus: number };
  /** The seed the run used (entries may derive their own from it; each records its own). */
  seed: number;
  device: { requested: string; used: string; reason: string };
  /** Command-line options that shaped the run (filter, model override, baseline, shard…). */
  options: Record<string, unknown>;
  suites: SuiteResult[];
  summary: Summary;
  /** 0 pass · 1 a check failed · 2 bad input · 3 internal error. */
  exitCode: 0 | 1 | 2 | 3;
  /** Hash of the whole planned run before sharding (shard reports and merged reports carry it). */
  planHash?: string;
  /** Set on the report of one shard (`neurogate run --shard i/n`); `merge-reports` combines them. */
  shard?: ShardInfo;
}

/** Which part of a sharded run a report holds, and the whole plan it was cut from. */
export interface ShardInfo {
  /** 1-based, like Playwright and Jest: 1 … total. */
  index: number;
  total: number;
  /** Estimated cost of this shard and of the whole plan (≈ ms on a 2-core CPU), to judge the balance. */
  estimatedMs: number;
  planEstimatedMs: number;
  /** Every suite and entry id of the whole plan in run order: merging restores this order and sees gaps. */
  plan: { file: string; suite: string; entries: string[] }[];
}

export interface Summary {
  suites: number;
  entries: number;
  checks: number;
  passed: number;
  failed: number;
  /** Entries that could not run (bad input / internal error); they count as failures. */
  errors: number;
}

export interface SuiteResult {
  /** Spec file path, relative to the working directory. */
  file: string;
  suite: string;
  model: ModelRef;
  baseline?: ModelRef;
  entries: EntryResult[];
}

export interface ModelRef {
  /** As written in the spec (`zoo:inception_v3`, `./net.onnx`). */
  ref: string;
  /** Content hash of the IR the run used. */
  hash: string;
}

export interface EntryResult {
  id: string;
  /** The entry kind: the suite's list key (`neurons`, `masks`, `circuits`, `reimpl`, …). */
  kind: string;
  /** `file:line:col` of the entry in its spec. */
  where: string;
  /** Every hyperparameter the probe used, defaults included (so a report reproduces the run). */
  params: Record<string, unknown>;
  seed: number;
  durationMs: number;
  /** The probe's outputs came from the `--cache` folder (how it was computed, not what: stripped from stable JSON). */
  cached?: boolean;
  /** Named measurements (metric → value) that checks read. */
  measurements: Record<string, Measurement>;
  checks: CheckResult[];
  artifacts: Artifact[];
  /** Set when the entry could not run; the entry then counts as failed. */
  error?: { code: string; message: string; hint?: string };
  /** Set in a shard's report on an entry split by images: what `merge-reports` needs to combine its parts. */
  part?: EntryPart;
}

/** One part of an entry whose dataset `--shard` split by images (images [from, to) of `of`). */
export interface EntryPart {
  index: number;
  parts: number;
  from: number;
  to: number;
  of: number;
  /** The part's case labels (one image, or an image's area cases, each). */
  cases: string[];
  /** Each dataset-level metric's mergeable state, by metric name. */
  states: Record<string, AggregateState>;
  /** The entry's expectations, evaluated again on the merged values. */
  checks: { metric: string; expectation: ExpectationSpec; where: string }[];
  /** Metrics the probe refused as meaningless on this part (a constant map), with the reason. */
  uninformative?: Record<string, string>;
}
