// Dense targets on the real shapes CNN, checked against the targets they must equal: a direction
// eₖ or an element [k] of the logits is class k, a unit of the [N, 64] flattened features is the
// spatial mean of channel k of the last conv map, and a mean region over that whole map is its
// channel target — the same gradients from different words, and forward scores that agree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { importOnnxFile } from '../../../src/models/onnx-file.ts';
import { readImage, toModelInput } from '../../../src/stimuli/image.ts';
import { subjectOf } from '../../../src/probes/attribution/subject.ts';
import { targetGradient } from '../../../src/probes/attribution/gradients.ts';
import { scoreOne } from '../../../src/probes/attribution/forward.ts';
import { describeTarget } from '../../../src/probes/attribution/target.ts';
import type { Target } from '../../../src/probes/attribution/types.ts';

const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'fixtures', 'shapes_cnn');
const model = importOnnxFile(path.join(shapes, 'shapes_cnn.onnx'), { labels: ['disk', 'square', 'triangle'] });
const subject = subjectOf(model);
const input = toModelInput(readImage(path.join(shapes, 'shape_1_square.png')), model.preprocess);
const FEATURES = '/Flatten_output_0';
const MAP = '/Relu_2_output_0';

function relL2(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) [d, n] = [d + (a[i] - b[i]) ** 2, n + b[i] ** 2];
  return Math.sqrt(d / n);
}

test('on the shapes CNN, each dense target has the gradient and the score of the target it must equal', async () => {
  const pairs: [Target, Target, number][] = [
    [{ kind: 'direction', tensor: 'logits', direction: [0, 1, 0] }, { kind: 'class', index: 1 }, 0],
    [{ kind: 'element', tensor: 'logits', index: [2] }, { kind: 'class', index: 2 }, 0],
    [{ kind: 'unit', tensor: FEATURES, channel: 7 }, { kind: 'channel', tensor: MAP, channel: 7 }, 1e-5],
    [{ kind: 'element', tensor: FEATURES, index: [40] }, { kind: 'channel', tensor: MAP, channel: 40 }, 1e-5],
    [{ kind: 'region', tensor: MAP, channel: 40, region: { box: [0, 0, 1, 1], units: 'fraction' }, reduce: 'mean' }, { kind: 'channel', tensor: MAP, channel: 40 }, 1e-5],
  ];
  for (const [dense, same, tol] of pairs) {
    const [a, b] = [await targetGradient(subject, dense, input), await targetGradient(subject, same, input)];
    const what = `${describeTarget(dense)} vs ${describeTarget(same)}`;
    assert.ok(b.input.data.some((v) => v !== 0), `${what}: the reference gradient is not all zero`);
    assert.ok(relL2(a.input.data, b.input.data) <= tol, `${what}: gradients ${relL2(a.input.data, b.input.data)} apart`);
    const [fa, fb] = [(await scoreOne(subject, dense, input)).score, (await scoreOne(subject, same, input)).score];
    assert.ok(Math.abs(fa - fb) <= 1e-5 * (1 + Math.abs(fb)), `${what}: scores ${fa} vs ${fb}`);
    assert.ok(Math.abs(a.scores[0] - fa) <= 1e-4 * (1 + Math.abs(fa)), `${what}: objective ${a.scores[0]} vs forward ${fa}`);
  }
});

test('on the shapes CNN, a box region is the sum of the units it holds', async () => {
  const box: Target = { kind: 'region', tensor: MAP, channel: 12, region: { box: [5, 6, 7, 8] }, reduce: 'sum' };
  const g = await targetGradient(subject, box, input);
  const sum = new Float32Array(g.input.data.length);
  let score = 0;
  for (const [y, x] of [[5, 6], [5, 7], [6, 6], [6, 7]]) {
    const u: Target = { kind: 'unit', tensor: MAP, channel: 12, y, x };
    const gu = await targetGradient(subject, u, input);
    gu.input.data.forEach((v, i) => (sum[i] += v));
    score += (await scoreOne(subject, u, input)).score;
  }
  assert.ok(sum.some((v) => v !== 0), 'the units of the box are active on the square');
  assert.ok(relL2(g.input.data, sum) <= 1e-5, `${relL2(g.input.data, sum)}`);
  assert.ok(Math.abs((await scoreOne(subject, box, input)).score - score) <= 1e-5 * (1 + Math.abs(score)));
});

test.run();
