// Adding an attribution method takes its own file and one registration line: the test-only
// `noisy_input` (noisy-input.ts) is registered below and then validated, run and costed like a
// shipped method — its options in the schema (an unknown one is a spec error at file:line:col),
// its defaults echoed, the entry's seed handed to it because it declares `random: true`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { methods, registerMethod } from '../../../../src/probes/attribution/methods/index.ts';
import { runSpecs, validateSpecs } from '../../../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../../../src/probe/limits.ts';
import { masksPasses } from '../../../../src/probes/attribution/cost.ts';
import { SpecError } from '../../../../src/suite/issues.ts';
import type { MaskEntry } from '../../../../src/probes/attribution/schema.ts';
import { asyncErrorOf } from '../../../helpers.ts';
import { noisyInputDescriptor } from './noisy-input.ts';

registerMethod(noisyInputDescriptor);

const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'fixtures', 'shapes_cnn');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-method-registration-'));
const specFile = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text.replaceAll('SHAPES', shapes));
  return f;
};

const SPEC = `suite: test-only-method
model: SHAPES/shapes_cnn.onnx
engine: { device: cpu }
seed: 11
masks:
  - id: entry-seed
    image: SHAPES/shape_0_disk.png
    target: { class: 0 }
    method: { noisy_input: {} }
    measure: { determinism: true }
    expect:
      deterministic: { min: 1 }
  - id: own-seed
    image: SHAPES/shape_0_disk.png
    target: { class: 0 }
    method: { noisy_input: { noise: 0.25, seed: 5 } }
    expect:
      score: { min: -1000 }
`;

test('a registered method validates, runs with its defaults echoed, and takes the entry seed', async () => {
  await validateSpecs([specFile('ok.yaml', SPEC)], { limits });
  const { report } = await runSpecs({ paths: [specFile('ok.yaml', SPEC)], limits });
  const [entrySeed, ownSeed] = report.suites[0].entries;
  assert.is(entrySeed.error, undefined, JSON.stringify(entrySeed.error));
  assert.is(entrySeed.params.method, 'noisy_input');
  assert.is(entrySeed.params.noise, 0.5);
  assert.is(entrySeed.params.seed, 11);
  assert.is(entrySeed.measurements.deterministic, 1);
  assert.is(ownSeed.params.seed, 5);
  assert.is(ownSeed.params.noise, 0.25);
  assert.is(report.exitCode, 0);
});

test('its options are part of the schema: an unknown one is a spec error at file:line:col', async () => {
  const f = specFile('bad.yaml', SPEC.replace('noisy_input: {}', 'noisy_input: { nois: 1 }'));
  const e = await asyncErrorOf(() => validateSpecs([f], { limits }));
  assert.instance(e, SpecError);
  const text = (e as SpecError).issues.map((i) => `${i.where} ${i.message}`).join('\n');
  assert.match(text, /bad\.yaml:9:\d+ .*nois/);
});

test('the shard cost model reads its cost from the descriptor', () => {
  const entry = { method: { noisy_input: {} }, measure: { deletion: { steps: 9 } } } as unknown as MaskEntry;
  assert.is(masksPasses(entry), 1 + 10);
});

test('every shipped method that takes a seed declares itself random, so the runner seeds it; and none is random without a seed', () => {
  for (const d of methods()) assert.is(d.random === true, 'seed' in d.options, d.name);
  assert.equal(methods().filter((d) => d.random).map((d) => d.name), ['smoothgrad', 'rise', 'meaningful_perturbation', 'vargrad', 'gradient_shap', 'kernel_shap', 'lime', 'noisy_input']);
  assert.equal(methods().filter((d) => d.mask).map((d) => d.name), ['meaningful_perturbation', 'extremal']);
});

test('the list holds it once; a second method of that name, or one registered after the schema was built, is refused', () => {
  assert.is(methods().filter((d) => d.name === 'noisy_input').length, 1);
  assert.throws(() => registerMethod({ ...noisyInputDescriptor, name: 'noisy_input_2' }), /after the masks schema was built/);
});

test.run();
