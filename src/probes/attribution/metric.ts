// What a mask metric declares about itself, once: its key under `measure:`, its family, its
// options with their defaults, the metric names it produces, what it needs from the run, what it
// costs, and the function that measures one image. The measure schema, the probe's metric names,
// the probe's measuring loop and the shard cost model all read these descriptors.
import { z } from 'zod';
import type { Tensor } from '../../engine/tensor.ts';
import type { Artifact } from '../../probe/measurement.ts';
import type { Rng } from '../../util/rng.ts';
import type { Preprocess } from '../../models/types.ts';
import { blockSchema, optionsOf, type OptionSpec } from './method.ts';
import type { Explain } from './metrics/robustness/robustness.ts';
import type { Attribution, Subject, Target } from './types.ts';

/** Quantus's grouping, which the folders under metrics/ follow. */
export type MetricFamily = 'faithfulness' | 'localisation' | 'randomisation' | 'robustness' | 'axiomatic' | 'complexity';

/**
 * What a metric reads besides the map: `model` (forward passes on perturbed inputs), `method`
 * (re-running the attribution method, on a changed input or model), `random` (draws from the run's
 * seeded stream), `box` (ground truth from the spec).
 */
export type MetricNeed = 'model' | 'method' | 'random' | 'box';

/** One image's run, as every metric sees it. */
export interface MetricContext {
  subject: Subject;
  input: Tensor;
  target: Target;
  attribution: Attribution;
  /** Runs the entry's method again (on another input or a changed model). */
  explain: Explain;
  /** The image's label, for artifact names. */
  label: string;
  /** The whole `measure:` block: modifiers such as `random_baseline` are read by the metrics they modify. */
  measure: Record<string, unknown>;
  /** The method's spec name. */
  method: string;
  /** The entry's stream; metrics that draw take a seed from it, in the descriptor list's order. */
  rng: Rng;
  /** What the image's source knows: its boxes and mask in model-input pixels, whether it is marked difficult. */
  truth?: { boxes?: [number, number, number, number][]; mask?: Tensor; difficult?: boolean };
  /** This image's stream of random-map baselines, apart from `rng` so they do not depend on what else is measured. */
  curveRng: Rng;
  /** How pixels become the model's input (a curve's black or noise baseline goes through it). */
  preprocess: Preprocess;
}

export interface MetricResult {
  values: Record<string, number | null>;
  /** Metrics measured but meaningless on this image (a flat curve), with the reason: checks on them fail with it. */
  uninformative?: Record<string, string>;
  artifacts?: Artifact[];
}

/** One area case of an entry (a method's own mask, or the top pixels of its map at an area). */
export interface AreaCase {
  label: string;
  values: Record<string, number | null>;
}

/** What preparation knows of an entry that a metric may refuse: its target, the model's classes, whether it names logits. */
export interface MetricEntryFacts {
  target: Target | 'top' | 'label';
  classes?: number;
  logits: boolean;
}

export interface MaskMetricDescriptor<O extends object = Record<string, unknown>> {
  /** The key under `measure:` in a spec. */
  key: string;
  family: MetricFamily;
  /** What the block asks for (the schema's description of the key). */
  description: string;
  /** `options`: a block of options (`deletion: { steps: 20 }`); `flag`: `true` or `false`. */
  form: 'options' | 'flag';
  options: Record<string, OptionSpec>;
  defaults: Partial<O>;
  /** Metric names it produces, for checks and "did you mean". */
  metrics: readonly string[];
  needs: readonly MetricNeed[];
  /** An axiom a method should satisfy (Sundararajan et al., Ancona et al.): also asked for under the entry's `properties:`. */
  property?: true;
  /** A spec problem the metric sees before anything runs (e.g. a target it cannot read): the message and hint of an issue at its key. */
  refuses?: (options: O, entry: MetricEntryFacts) => { message: string; hint: string } | undefined;
  /** Forward-pass equivalents per image, given its options (defaults filled in), one run of the method, and the whole measure block. */
  passes: (options: O, methodPasses: number, measure: Record<string, unknown>) => number;
  /**
   * Measures one image. Absent for modifiers (`random_baseline`) that only change what other
   * metrics do, and for metrics that produce area cases instead (`cases`).
   */
  run?: (ctx: MetricContext, options: O) => Promise<MetricResult>;
  /** Area cases for a map method (`preserve`): each becomes a case of the entry. */
  cases?: (ctx: MetricContext, options: O) => Promise<AreaCase[]>;
}

export type AnyMetricDescriptor = MaskMetricDescriptor<any>;

/** Typed identity: lets a metric file write its descriptor against its own options type. */
export function describeMetric<O extends object>(d: MaskMetricDescriptor<O>): MaskMetricDescriptor<O> {
  return d;
}

/** A seed for a metric's own generator, drawn from the entry's stream (one draw per metric and image). */
export function drawSeed(rng: Rng): number {
  return Math.floor(rng() * 2 ** 32);
}

/** The schema of the metric's key under `measure:`. */
export function metricSchema(d: AnyMetricDescriptor): z.ZodType {
  const s = d.form === 'flag' ? z.boolean() : blockSchema(d.options, d.defaults);
  return s.meta({ description: d.description });
}

/** The metric's options from its spec value, published defaults filled in. */
export function metricOptions<O extends object>(d: MaskMetricDescriptor<O>, spec: unknown): O {
  const given = typeof spec === 'object' && spec !== null ? optionsOf(d.options, spec as Record<string, unknown>) : {};
  return { ...d.defaults, ...given } as O;
}
