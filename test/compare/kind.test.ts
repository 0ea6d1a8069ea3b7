// The `compare:` kind through the whole runner on the PyTorch-exported shapes CNN: the candidate is
// the network with its c2 stage's channels permuted (the same function, units renumbered), so a
// unit named in the baseline's numbering must resolve to its permuted index; a noisy copy fails
// the gate with reasons; bad entries are spec errors at file:line:col.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpecs, validateSpecs } from '../../src/run/index.ts';
import { SpecError } from '../../src/suite/issues.ts';
import { DEFAULT_LIMITS } from '../../src/probe/limits.ts';
import { encodeModel } from '../../src/engine/onnx.ts';
import { asyncErrorOf } from '../helpers.ts';
import { loadShapes, noisy, permuted } from './shapes-variants.ts';

const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-compare-kind-'));
const model = await loadShapes();
const perm = Array.from({ length: 48 }, (_, i) => (i * 7 + 3) % 48); // 7 is coprime with 48: a permutation
fs.writeFileSync(path.join(dir, 'permuted.onnx'), encodeModel(permuted(model, { c2: perm }).net.model));
fs.writeFileSync(path.join(dir, 'noisy.onnx'), encodeModel(noisy(model, 1, 5, ['onnx::Conv_90']).net.model));

function specFile(name: string, candidate: string, entries: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, `suite: ${name.replace('.yaml', '')}
model: ${candidate}
baseline: SHAPES/shapes_cnn.onnx
engine: { device: cpu }
compare:
${entries}`.replaceAll('SHAPES', shapes));
  return f;
}

const ENTRY = `  - id: c2-survives
    layer: /c2/Conv_output_0
    units: [0, 5, 47]
    images: [SHAPES/shape_0_disk.png, SHAPES/shape_1_square.png]
    expect:
      cka: { min: 0.999 }
      matched: { min: 1 }
      match.correlation: { min: 0.99 }
      match.peak_shift_deg: { max: 0 }
      family.matched: { min: 3 }
      logit.max_abs_drift: { max: 0.001 }
      map_similarity: { min: 0.999 }
`;

test('a permuted candidate passes: baseline units resolve to their permuted indices, maps and logits unchanged', async () => {
  const { report } = await runSpecs({ paths: [specFile('permuted.yaml', 'permuted.onnx', ENTRY)], limits });
  const [e] = report.suites[0].entries;
  assert.is(e.kind, 'compare');
  assert.is(e.error, undefined, JSON.stringify(e.error));
  assert.ok(e.checks.every((c) => c.passed), JSON.stringify(e.checks.filter((c) => !c.passed)));
  assert.equal(e.measurements['match.unit'], [perm[0], perm[5], perm[47]]);
  assert.is(e.measurements['family.matched'], 3);
  assert.ok(e.artifacts.some((a) => a.type === 'table' && a.name === 'matched units'));
  assert.is(e.artifacts.filter((a) => a.type === 'image').length, 6); // baseline | candidate | difference per image
  assert.is(report.exitCode, 0);
});

test('a noisy candidate fails the gate with reasons, and names the units without a match', async () => {
  const { report } = await runSpecs({ paths: [specFile('noisy.yaml', 'noisy.onnx', ENTRY)], limits });
  const [e] = report.suites[0].entries;
  assert.is(e.error, undefined);
  const failed = e.checks.filter((c) => !c.passed).map((c) => c.metric);
  for (const m of ['cka', 'matched', 'match.correlation', 'logit.max_abs_drift']) assert.ok(failed.includes(m), `${m} should fail: ${failed.join(', ')}`);
  assert.is(report.exitCode, 1);
});

test('bad compare entries are spec errors: no baseline, a layer the model lacks, a unit out of range, match metrics without units', async () => {
  const noBaseline = path.join(dir, 'nobase.yaml');
  fs.writeFileSync(noBaseline, `suite: nobase\nmodel: ${shapes}/shapes_cnn.onnx\ncompare:\n  - id: x\n    layer: /c2/Conv_output_0\n    expect: { cka: { min: 0.9 } }\n`);
  const e1 = await asyncErrorOf(() => validateSpecs([noBaseline], { limits }));
  assert.match((e1 as SpecError).issues.map((i) => `${i.where} ${i.message}`).join('\n'), /nobase\.yaml:4:\d+ a compare entry compares the model with a baseline model, but none is set/);

  const f = specFile('bad.yaml', 'permuted.onnx', `  - id: no-layer
    layer: mixed9
    expect: { cka: { min: 0.9 } }
  - id: unit-out-of-range
    layer: /c2/Conv_output_0
    units: [48]
    expect: { match.correlation: { min: 0.9 } }
  - id: no-units
    layer: /c2/Conv_output_0
    expect: { match.correlation: { min: 0.9 } }
`);
  const e2 = await asyncErrorOf(() => validateSpecs([f], { limits }));
  const text = (e2 as SpecError).issues.map((i) => `${i.where} ${i.message}`).join('\n');
  assert.match(text, /bad\.yaml:15:\d+ `match\.correlation`: measured on named units: add `units:`/, text);
  // Layers and units are resolved on the loaded models (the schema issues above come first).
  const g = specFile('bad2.yaml', 'permuted.onnx', `  - id: no-layer
    layer: mixed9
    expect: { cka: { min: 0.9 } }
  - id: unit-out-of-range
    layer: /c2/Conv_output_0
    units: [48]
    expect: { match.correlation: { min: 0.9 } }
`);
  const e3 = await asyncErrorOf(() => validateSpecs([g], { limits }));
  const text3 = (e3 as SpecError).issues.map((i) => `${i.where} ${i.message}`).join('\n');
  assert.match(text3, /bad2\.yaml:7:\d+ .*mixed9/);
  assert.match(text3, /bad2\.yaml:\d+:\d+ unit 48 does not exist in the baseline's layer/);
});

test.run();
