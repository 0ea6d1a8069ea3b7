// Channel attribution on a hand-built net whose logit rests on a known channel set: 1×1 conv to 8
// channels, ReLU, global average pool, a linear head. Class 0 reads channels 1, 4 and 6 with
// weight 1 and the rest with 0.02, while channels 0, 3 and 7 are the loudest: a ranking by
// activation alone would pick them, the extremal channel mask and gradient × activation must not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createModel, node, floatTensorProto } from '../../../src/engine/graph.ts';
import { makeNet } from '../../../src/engine/net.ts';
import { EXTREMAL_CHANNEL_DEFAULTS, extremalChannels, gradTimesActivation, keepOnly, maskedLogit, maskedNet, ranking } from '../../../src/probes/concepts/channels.ts';
import { makeRng } from '../../../src/util/rng.ts';

const C = 8;
const DECISIVE = [1, 4, 6];
const loud = new Set([0, 3, 7]);
const conv = new Float32Array(C * 3);
for (let k = 0; k < C; k++) for (let c = 0; c < 3; c++) conv[k * 3 + c] = (loud.has(k) ? 3 : 0.5) * (1 + 0.1 * ((k + c) % 3));
const head = new Float32Array(2 * C);
for (let k = 0; k < C; k++) {
  head[k] = DECISIVE.includes(k) ? 1 : 0.02;
  head[C + k] = 0.5;
}
const model = createModel({
  inputs: [{ name: 'image', dims: ['N', 3, 8, 8] }],
  outputs: [{ name: 'logits' }],
  nodes: [
    node('Conv', ['image', 'w'], ['conv'], { kernel_shape: { ints: [1, 1] } }),
    node('Relu', ['conv'], ['feat']),
    node('GlobalAveragePool', ['feat'], ['pool']),
    node('Flatten', ['pool'], ['flat']),
    node('Gemm', ['flat', 'head'], ['logits'], { transB: { i: 1 } }),
  ],
  initializers: [floatTensorProto('w', { dims: [C, 3, 1, 1], data: conv }), floatTensorProto('head', { dims: [2, C], data: head })],
});
const net = makeNet(model, 'decisive-channels');
const subject = { net, input: 'image', logits: 'logits', device: 'cpu' as const };
const rng = makeRng(9);
const inputs = { dims: [4, 3, 8, 8], data: Float32Array.from({ length: 4 * 3 * 64 }, () => rng()) };

test('the extremal channel mask keeps exactly the decisive channels, and they keep the logit', async () => {
  const masked = maskedNet(net, 'feat', C);
  const { mask: m, reward } = await extremalChannels(subject, masked, C, inputs, 0, { ...EXTREMAL_CHANNEL_DEFAULTS, keep: 3 });
  const top = ranking(m, reward).slice(0, 3).sort((a, b) => a - b);
  assert.equal(top, DECISIVE);
  for (let k = 0; k < C; k++) assert.ok(m[k] >= 0 && m[k] <= 1);
  const full = await maskedLogit(subject, masked, inputs, 0, new Float64Array(C).fill(1));
  const kept = await maskedLogit(subject, masked, inputs, 0, keepOnly(C, top));
  // The other five channels still carry 0.02 × their (loud) activation: about 12% of this logit.
  assert.ok(kept / full > 0.85, `kept ${kept} of ${full}`);
  const loudest = await maskedLogit(subject, masked, inputs, 0, keepOnly(C, [...loud]));
  assert.ok(loudest / full < 0.2, `the loudest channels keep ${loudest} of ${full}`);
});

test('gradient × activation ranks the decisive channels first', async () => {
  const s = await gradTimesActivation(subject, 'feat', inputs, 0);
  assert.equal(ranking(s).slice(0, 3).sort((a, b) => a - b), DECISIVE);
});

test('a layer nothing reads is refused with a code', () => {
  try {
    maskedNet(net, 'logits', 2);
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code?: string }).code, 'E_CHANNELS_LAYER');
  }
});

test.run();
