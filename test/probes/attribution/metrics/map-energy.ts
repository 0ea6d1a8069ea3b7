// A test-only mask metric, written the way a new metric is: its options, defaults and descriptor in
// one file. map_energy = mean over pixels of |a|^power (channels summed first), and a forward pass
// it pretends to need, so the cost model has something to count.
import { z } from 'zod';
import { describeMetric } from '../../../../src/probes/attribution/metric.ts';
import { spatial } from '../../../../src/probes/attribution/maps.ts';

export const mapEnergyMetric = describeMetric<{ power: number }>({
  key: 'map_energy',
  family: 'complexity',
  description: 'Mean |a|^power over the pixels (map_energy)',
  form: 'options',
  options: { power: { schema: z.number().gt(0).max(8), description: 'Exponent' } },
  defaults: { power: 1 },
  metrics: ['map_energy'],
  needs: [],
  passes: (o) => o.power,
  run: async ({ attribution }, o) => {
    const m = spatial(attribution.map, 'abs_sum');
    let s = 0;
    for (const v of m.data) s += v ** o.power;
    return { values: { map_energy: s / m.data.length } };
  },
});
