// Every layer name a spec writes is resolved when `validate` loads the models, whatever kind or
// block it sits in (Grad-CAM's layer, a unit target, circuit edits and views, a measured layer),
// and a wrong one is reported at its file:line:col with the closest names, before anything runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateSpecs } from '../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../src/probe/limits.ts';
import { SpecError } from '../../src/suite/issues.ts';
import { asyncErrorOf } from '../helpers.ts';

const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-layers-'));
const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const disk = `${shapes}/shape_0_disk.png`;

async function problems(name: string, body: string): Promise<string[]> {
  const f = path.join(dir, name);
  fs.writeFileSync(f, `suite: ${name}\nmodel: ${shapes}/shapes_cnn.onnx\nengine: { device: cpu }\n${body}`);
  const e = await asyncErrorOf(() => validateSpecs([f], { limits }));
  assert.instance(e, SpecError, String(e));
  return (e as SpecError).issues.map((i) => `${path.basename(i.where)}: ${i.message} — ${i.hint ?? ''}`);
}

test('grad_cam: { layer: no_such_layer } fails validate at the layer, with the closest names', async () => {
  const got = await problems('gradcam.yaml', `masks:
  - id: cam
    image: ${disk}
    target: { class: 0 }
    method: { grad_cam: { layer: "/c3/Conv_outpt_0" } }
    expect: { score: { min: 0 } }
`);
  assert.is(got.length, 1, got.join('\n'));
  assert.match(got[0], /^gradcam\.yaml:8:34: layer "\/c3\/Conv_outpt_0" does not exist/);
  assert.match(got[0], /did you mean "\/c3\/Conv_output_0"/);
});

test('a unit target, circuit edits, views and the measured layer are resolved too, each at its place', async () => {
  const got = await problems('many.yaml', `masks:
  - id: unit-target
    image: ${disk}
    target: { unit: { layer: "/c2/Conv_outpt_0", unit: 1 } }
    method: { gradient: {} }
    expect: { score: { min: 0 } }
circuits:
  - id: edits
    edit: [ { ablate: { layer: "/c3/Conv_outpt_0", units: [0] } }, { scale: { layer: logits, units: [0], factor: 2 } } ]
    measure: { layer: logit, unit: 0, image: ${disk} }
    views: [ { layer: "/stem/Conv_outpt_0", unit: 0 } ]
    expect: { activation: { change: { direction: none, absolute: 1 } } }
`);
  const where = got.map((g) => g.split(': ')[0]).sort();
  assert.equal(where, ['many.yaml:12:32', 'many.yaml:13:23', 'many.yaml:14:23', 'many.yaml:7:30'], got.join('\n'));
  assert.ok(got.every((g) => /did you mean/.test(g)), got.join('\n'));
});

test.run();
