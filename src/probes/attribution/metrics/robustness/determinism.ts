// Determinism as a measurement: the method run twice on the same input must give the same map
// (a method that draws without a seed, or reads uninitialised memory, fails it).
import { describeMetric } from '../../metric.ts';
import { determinism } from '../simple.ts';

export const determinismMetric = describeMetric<Record<string, never>>({
  key: 'determinism',
  family: 'robustness',
  description: 'Run the method twice: deterministic (1/0), determinism_max_diff',
  form: 'flag',
  options: {},
  defaults: {},
  metrics: ['deterministic', 'determinism_max_diff'],
  needs: ['method'],
  passes: (_o, method) => method,
  run: async ({ subject, input, attribution: a, explain }) => {
    const d = determinism(a, await explain(subject, input));
    return { values: { deterministic: d.equal ? 1 : 0, determinism_max_diff: d.maxAbsDiff } };
  },
});
