// Extremal perturbation on the real MobileNetV2 and a photograph (chelsea.png, class Neutral): the
// 10% mask keeps at least 80% of the logit and keeps more than random regions of the same area.
// TorchRay's procedure with fewer iterations (50, learning rate and area-weight growth scaled so
// the constraint still converges) to fit the test budget.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { loadModel } from '../../../../src/models/load.ts';
import { readImage, toModelInput } from '../../../../src/stimuli/image.ts';
import { subjectOf } from '../../../../src/probes/attribution/subject.ts';
import { extremal } from '../../../../src/probes/attribution/extremal/extremal.ts';
import { maskScores, randomMasks } from '../../../../src/probes/attribution/metrics/faithfulness/preservation.ts';
import { makeRng } from '../../../../src/util/rng.ts';

const images = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'fixtures', 'images');

test('zoo:mobilenet_v2, chelsea.png: the 10% extremal mask keeps ≥ 80% of the Neutral logit and beats random masks of equal area', async () => {
  const model = await loadModel('zoo:mobilenet_v2');
  const subject = subjectOf(model);
  const x = toModelInput(readImage(path.join(images, 'chelsea.png')), model.preprocess);
  const target = { kind: 'class' as const, index: model.labels!.indexOf('Neutral') };
  const r = await extremal(subject, x, target, { areas: [0.1], iterations: 50, learningRate: 0.05, areaGrowth: 1.0575 });
  const m = r.masks![0];
  const kept = m.preserved / r.score;
  assert.ok(Math.abs(m.areaFull! - 0.1) < 0.03, `full-mask area ${m.areaFull}`);
  const random = await maskScores(subject, x, target, randomMasks(224, 224, m.area, 8, makeRng(1)));
  const randomKept = random.preserved.map((v) => v / r.score);
  const meanRandom = randomKept.reduce((s, v) => s + v, 0) / randomKept.length;
  console.log(`kept ${kept.toFixed(3)} of the logit at area ${m.area.toFixed(3)} (full ${m.areaFull!.toFixed(3)}); random masks keep ${randomKept.map((v) => v.toFixed(3)).join(' ')}`);
  assert.ok(kept >= 0.8, `kept ${kept}`);
  assert.ok(kept > Math.max(...randomKept), `random masks kept up to ${Math.max(...randomKept)}, the extremal mask ${kept}`);
  assert.ok(kept - meanRandom > 0.3, `margin over random ${kept - meanRandom}`);
});

test.run();
