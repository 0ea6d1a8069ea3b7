// The value-range guess on real models: a model's first BatchNorm remembers the statistics of its
// training inputs, and natural photographs fed the right way match them. The Keras zoo models were
// trained on RGB / 255 (nsfwjs feeds them so): that convention must win by a wide margin; a PyTorch
// export with its BatchNorms folded gives no evidence, and init says so instead of guessing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { loadModel } from '../../src/models/load.ts';
import { inspectModel } from '../../src/init/inspect.ts';
import { batchNormFit, firstBatchNorm, guessPreprocess } from '../../src/init/range.ts';
import { readImage } from '../../src/stimuli/image.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const photos = ['chelsea.png', 'coffee.png', 'astronaut.png'].map((f) => readImage(path.join(root, 'test/fixtures/images', f)));

for (const name of ['mobilenet_v2', 'inception_v3']) {
  test(`zoo:${name}: photographs at range [0, 1] match the first BatchNorm's statistics, at least twice as well as any other convention`, async () => {
    const model = await loadModel(`zoo:${name}`);
    const fit = (await batchNormFit(model, photos))!;
    assert.ok(fit, 'the Keras import keeps its BatchNorm layers');
    console.log(`zoo:${name} ${fit.layer}: ${fit.scores.map((s) => `${s.name} ${s.score.toFixed(3)}`).join(' · ')}`);
    assert.is(fit.scores[0].name, 'range [0, 1]');
    assert.ok(fit.scores[0].score * 2 < fit.scores[1].score, 'a clear winner');
    // [0, 255] is off by the whole scale: the statistics are far apart.
    assert.ok(fit.scores.find((s) => s.name === 'range [0, 255]')!.score > 5);
  });
}

test('zoo:mobilenet_v2 without photographs: the zoo’s record, stated as such', async () => {
  const model = await loadModel('zoo:mobilenet_v2');
  const g = await guessPreprocess(model, await inspectModel(model, 'zoo:mobilenet_v2'), []);
  assert.equal(g.spec, { input: 'input_1', layout: 'NHWC', size: [224, 224], range: [0, 1], mean: [0, 0, 0], std: [1, 1, 1], channel_order: 'RGB' });
  assert.is(g.how, "the zoo's record for zoo:mobilenet_v2 (RGB, range [0, 1], no mean/std)");
  assert.equal(g.evidence, []);
});

test('the PyTorch export (BatchNorm folded into its convolutions): no evidence, the importer’s default, and the reason', async () => {
  const ref = path.join(root, 'test/fixtures/shapes_cnn/shapes_cnn.onnx');
  const model = await loadModel(ref);
  assert.is(firstBatchNorm(model), undefined);
  assert.is(await batchNormFit(model, photos), undefined);
  const g = await guessPreprocess(model, await inspectModel(model, ref), photos);
  assert.equal(g.spec, { input: 'input', layout: 'NCHW', size: [224, 224], range: [0, 1], mean: [0, 0, 0], std: [1, 1, 1], channel_order: 'RGB' });
  assert.match(g.how, /^the importer's default \(RGB, range \[0, 1\], no mean\/std\); not checkable: the model has no BatchNorm/);
});

test.run();
