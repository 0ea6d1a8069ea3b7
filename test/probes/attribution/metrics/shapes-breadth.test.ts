// The complexity and localisation metrics through a whole run on the PyTorch-exported shapes_cnn:
// a planted map (one pixel inside the disk's box, read as your own map) scores its closed forms
// exactly, and the gradient of the disk puts more of its evidence in the box than the box's share
// of the image.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeNpy } from '../../../../src/probes/attribution/file-maps/npy.ts';
import { runSpecs } from '../../../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../../../src/probe/limits.ts';

const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'fixtures', 'shapes_cnn');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-breadth-'));
const BOX = [125, 85, 171, 130];
const N = 224 * 224;
const K = (171 - 125 + 1) * (130 - 85 + 1);

test('planted one-pixel map: closed forms; gradient map: evidence concentrated on the disk', async () => {
  const planted = new Float32Array(N);
  planted[100 * 224 + 150] = 2;
  fs.writeFileSync(path.join(dir, 'planted.npy'), encodeNpy({ dims: [224, 224], data: planted }));
  const measure = `{ complexity: {}, localisation: { box: [${BOX.join(', ')}] } }`;
  const f = path.join(dir, 'breadth.yaml');
  fs.writeFileSync(f, `suite: breadth
model: ${shapes}/shapes_cnn.onnx
engine: { device: cpu }
masks:
  - id: planted
    image: ${shapes}/shape_0_disk.png
    target: { class: 0 }
    method: { file: planted.npy }
    measure: ${measure}
    expect: { relevance_mass: { min: 1 } }
  - id: gradient
    image: ${shapes}/shape_0_disk.png
    target: { class: 0 }
    method: { gradient: {} }
    measure: ${measure}
    expect: { relevance_mass: { min: ${(K / N).toFixed(4)} }, sparseness: { min: 0.99 } }
`);
  const { report } = await runSpecs({ paths: [f], limits: { ...DEFAULT_LIMITS, allowOutside: true } });
  const [p, g] = report.suites[0].entries;
  const m = p.measurements as Record<string, number>;
  assert.ok(Math.abs(m.sparseness - (1 - 1 / N)) < 1e-9, String(m.sparseness));
  assert.is(m.complexity_entropy, 0);
  assert.is(m.effective_complexity, 1 / N);
  assert.is(m.relevance_mass, 1);
  assert.is(m.energy_pointing, 1);
  assert.is(m.mask_iou, 1 / K);
  // The hot pixel is the top one; the other K − 1 top places go to tied zeros, by index, above the box.
  assert.is(m.relevance_rank, 1 / K);
  const gm = g.measurements as Record<string, number>;
  assert.ok(gm.relevance_mass > K / N && gm.relevance_mass <= 1, String(gm.relevance_mass));
  assert.ok(gm.sparseness > 0 && gm.sparseness < 1 && gm.complexity_entropy > 0 && gm.complexity_entropy < Math.log(N));
  assert.ok(p.checks[0].passed);
  // A dense gradient map is far from 0.99 Gini: that check fails, so the run fails.
  assert.equal(g.checks.map((c) => c.passed), [true, gm.sparseness >= 0.99]);
  console.log(`gradient on the disk: relevance_mass ${gm.relevance_mass.toFixed(3)} (box share ${(K / N).toFixed(3)}), rank ${gm.relevance_rank.toFixed(3)}, energy_pointing ${gm.energy_pointing.toFixed(3)}, iou ${gm.mask_iou.toFixed(3)}, gini ${gm.sparseness.toFixed(3)}, entropy ${gm.complexity_entropy.toFixed(2)}`);
});

test.run();
