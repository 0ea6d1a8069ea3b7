// What a probe is to the runner: a kind, the metrics it can produce, and one async function from
// plain parameters and the engine to measurements, artifacts and the parameters it really used.
import type { Rng } from '../util/rng.ts';
import type { Artifact, Measurement } from './measurement.ts';
import type { ForwardEngine } from './forward.ts';
import type { RgbImage } from '../stimuli/image.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { AggregateState } from '../datasets/mergeable.ts';

/** What a probe tells the run while it works through a dataset. */
export interface ProbeContext {
  /** `done` of `total` images finished. */
  images?(done: number, total: number): void;
  /** `--save-maps`: an attribution map of one image, kept by the run. */
  saveMap?(image: string, method: string, target: string, map: Tensor): void;
  /** `--save-activations`: one image's activations at a layer, as the forward pass gave them. */
  saveActivation?(image: string, layer: string, activations: Tensor): void;
}

export interface ProbeOutput {
  /**
   * Named measurements. A list holds one value per case (in the order of `cases`); checks judge
   * every case. Scalars are one case.
   */
  measurements: Record<string, Measurement>;
  /** Labels of the cases of list-valued measurements, e.g. `chelsea.png · unit 3`. */
  cases?: string[];
  artifacts?: Artifact[];
  /** Images an expectation may compare with an image golden, by metric name (e.g. `featureviz.image`). */
  images?: Record<string, RgbImage>;
  /**
   * Metrics that were measured but mean nothing on this input (a flat curve, a constant map), with
   * the reason: every check on them fails with that reason (src/probe/uninformative.ts).
   */
  uninformative?: Record<string, string>;
  /** Every hyperparameter the probe used, defaults included. */
  params: Record<string, unknown>;
  /** Dataset-level metrics' mergeable states (counts, sums, sketches), kept by the report of one part of a split entry. */
  states?: Record<string, AggregateState>;
}

export interface Probe<P> {
  /** `neurons.activation`, later `neurons.tuning`, `masks.extremal`… */
  kind: string;
  /** Metric names it produces, for "did you mean" on misspelt expectations before anything runs. */
  metrics: readonly string[];
  /** `run` tells the run how far a dataset walk got (images/s and ETA in the progress line). */
  run(params: P, engine: ForwardEngine, rng: Rng, run?: ProbeContext): Promise<ProbeOutput>;
}
