// The list of mask metrics: one line per metric, each line its descriptor. An image is measured in
// this order (metrics that draw take their seeds from the entry's stream in it, so appending keeps
// every earlier result), area cases last. The measure schema, the probe's metric names and
// measuring loop, and the shard cost model read this list.
import type { AnyMetricDescriptor } from '../metric.ts';
import { deletionMetric, insertionMetric, randomBaselineMetric } from './faithfulness/deletion.ts';
import { preserveMetric } from './faithfulness/preservation.ts';
import { pointingMetric } from './localisation/pointing.ts';
import { randomizationMetric } from './randomisation/randomization.ts';
import { determinismMetric } from './robustness/determinism.ts';
import { infidelityMetric, sensitivityMetric } from './robustness/robustness.ts';
import { complexityMetric } from './complexity/complexity.ts';
import { relevanceMetric } from './localisation/relevance.ts';
import { faithfulnessCorrelationMetric, monotonicityMetric } from './faithfulness/correlation.ts';
import { stabilityMetric } from './robustness/stability.ts';
import { roadMetric } from './faithfulness/road.ts';
import { irofMetric } from './faithfulness/irof.ts';
import { randomLogitMetric } from './randomisation/random-logit.ts';
import { independentRandomizationMetric } from './randomisation/randomization.ts';
import { nonSensitivityMetric } from './axiomatic/non-sensitivity.ts';
import { inputInvarianceMetric } from './axiomatic/invariance.ts';
import { efficientRandomizationMetric } from './randomisation/efficient.ts';
import { smoothRandomizationMetric } from './randomisation/smooth.ts';
import { regionPerturbationMetric } from './faithfulness/region.ts';
import { implementationInvarianceMetric } from './axiomatic/implementation.ts';
import { sensitivityNMetric } from './faithfulness/sensitivity-n.ts';
import { linearityMetric } from './axiomatic/linearity.ts';
import { dummyInputMetric } from './axiomatic/dummy.ts';

const LIST: AnyMetricDescriptor[] = [
  preserveMetric,
  deletionMetric,
  insertionMetric,
  randomBaselineMetric,
  pointingMetric,
  randomizationMetric,
  sensitivityMetric,
  infidelityMetric,
  determinismMetric,
  complexityMetric,
  relevanceMetric,
  faithfulnessCorrelationMetric,
  monotonicityMetric,
  stabilityMetric,
  roadMetric,
  irofMetric,
  randomLogitMetric,
  independentRandomizationMetric,
  nonSensitivityMetric,
  inputInvarianceMetric,
  efficientRandomizationMetric,
  smoothRandomizationMetric,
  regionPerturbationMetric,
  implementationInvarianceMetric,
  sensitivityNMetric,
  linearityMetric,
  dummyInputMetric,
];

/**
 * What every masks entry measures without being asked: the score, total variation of the map,
 * IG's completeness, a mask method's own areas and kept scores, and the first map as an image
 * (only an image `golden:` reads `heatmap`).
 */
export const ALWAYS_MEASURED = [
  'score', 'area', 'area_full', 'preserved', 'deleted', 'preserved_fraction', 'deleted_fraction',
  'completeness_gap', 'completeness_relative', 'total_variation', 'heatmap',
] as const;

let sealed = false;

/** Every metric, in measuring order. */
export function maskMetrics(): readonly AnyMetricDescriptor[] {
  return LIST;
}

/** Every metric name a masks entry can produce (checks and "did you mean" read it). */
export function maskMetricNames(): string[] {
  return [...new Set([...ALWAYS_MEASURED, ...LIST.flatMap((d) => d.metrics)])];
}

/** Adds a metric from outside this list (a plugin, a test); like methods, before the first spec is parsed. */
export function registerMetric(d: AnyMetricDescriptor): void {
  if (sealed) throw new Error(`metric "${d.key}" registered after the measure schema was built; register metrics before loading specs`);
  if (LIST.some((m) => m.key === d.key)) throw new Error(`a mask metric under "${d.key}" already exists`);
  LIST.push(d);
}

/** Called by the schema when it builds the measure block: later registrations would be missed, so they throw. */
export function sealMetrics(): readonly AnyMetricDescriptor[] {
  sealed = true;
  return LIST;
}
