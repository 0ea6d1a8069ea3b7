// Adding a mask metric takes its own file and one registration line: the test-only `map_energy`
// (map-energy.ts) is registered below, then validated, run, named in "did you mean" and costed like
// a shipped metric.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { maskMetricNames, maskMetrics, registerMetric } from '../../../../src/probes/attribution/metrics/index.ts';
import { runSpecs, validateSpecs } from '../../../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../../../src/probe/limits.ts';
import { masksPasses } from '../../../../src/probes/attribution/cost.ts';
import { SpecError } from '../../../../src/suite/issues.ts';
import type { MaskEntry } from '../../../../src/probes/attribution/schema.ts';
import { asyncErrorOf } from '../../../helpers.ts';
import { mapEnergyMetric } from './map-energy.ts';

registerMetric(mapEnergyMetric);

const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'fixtures', 'shapes_cnn');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-metric-registration-'));
const specFile = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text.replaceAll('SHAPES', shapes));
  return f;
};

const SPEC = `suite: test-only-metric
model: SHAPES/shapes_cnn.onnx
engine: { device: cpu }
masks:
  - id: energy
    image: SHAPES/shape_0_disk.png
    target: { class: 0 }
    method: { gradient: {} }
    measure: { map_energy: { power: 2 }, deletion: { steps: 4 } }
    expect:
      map_energy: { min: 1e-30 }
      deletion_auc: { max: 2 }
  - id: energy-above-any-value
    image: SHAPES/shape_0_disk.png
    target: { class: 0 }
    method: { gradient: {} }
    measure: { map_energy: {} }
    expect:
      map_energy: { min: 1e30 }
`;

test('a registered metric validates, runs beside the shipped ones, and its checks can pass and fail', async () => {
  await validateSpecs([specFile('ok.yaml', SPEC)], { limits });
  const { report } = await runSpecs({ paths: [specFile('ok.yaml', SPEC)], limits });
  const [energy, tooHigh] = report.suites[0].entries;
  assert.is(energy.error, undefined, JSON.stringify(energy.error));
  const e = energy.measurements.map_energy as number;
  assert.ok(Number.isFinite(e) && e > 0, String(e));
  assert.ok(typeof energy.measurements.deletion_auc === 'number');
  assert.ok(energy.checks.every((c) => c.passed), JSON.stringify(energy.checks));
  assert.is(tooHigh.checks[0].passed, false);
  assert.is(report.exitCode, 1);
});

test('its options and its metric name are part of the schema and the plan: misspelt, they are spec errors', async () => {
  const badOption = specFile('bad-option.yaml', SPEC.replace('map_energy: { power: 2 }', 'map_energy: { powr: 2 }'));
  const e1 = await asyncErrorOf(() => validateSpecs([badOption], { limits }));
  assert.instance(e1, SpecError);
  assert.match((e1 as SpecError).issues.map((i) => `${i.where} ${i.message}`).join('\n'), /bad-option\.yaml:9:\d+ .*powr/);
  const badName = specFile('bad-name.yaml', SPEC.replace('map_energy: { min: 1e-30 }', 'map_enrgy: { min: 1e-30 }'));
  const e2 = await asyncErrorOf(() => validateSpecs([badName], { limits }));
  assert.match((e2 as SpecError).issues.map((i) => `${i.where} ${i.message} ${i.hint ?? ''}`).join('\n'), /bad-name\.yaml:11:\d+ .*`map_enrgy`.*did you mean `map_energy`/);
});

test('the shard cost model reads its cost from the descriptor, defaults filled in', () => {
  const entry = (measure: unknown) => ({ method: { gradient: {} }, measure }) as unknown as MaskEntry;
  assert.is(masksPasses(entry({ map_energy: { power: 3 } })) - masksPasses(entry({})), 3);
  assert.is(masksPasses(entry({ map_energy: {} })) - masksPasses(entry({})), 1);
});

test('the list holds it once; a metric registered after the schema was built is refused', () => {
  assert.ok(maskMetricNames().includes('map_energy'));
  assert.is(maskMetrics().filter((d) => d.key === 'map_energy').length, 1);
  assert.throws(() => registerMetric({ ...mapEnergyMetric, key: 'map_energy_2' }), /after the measure schema was built/);
});

test.run();
