// Differential test on a real zoo model: the input gradient of a channel objective through the
// whole MobileNetV2 feature extractor (zoo:mobilenet_v2 truncated at out_relu, 52 convs incl.
// depthwise and strided, BN, ReLU6, residual adds) equals TF.js's own tf.grad on the original
// Keras model (pure-JS cpu backend). At 64×64 so TF.js takes seconds, not minutes: both
// models are fully convolutional up to out_relu, and TF 'same' pads are the same at 64 and
// 224 (every strided layer sees an even size).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { loadModel } from '../../src/models/load.ts';
import { nsfwjsFiles } from '../../src/models/zoo/nsfwjs.ts';
import { referenceLayersModel, tfjs } from '../../src/models/tfjs/reference.ts';
import { readImage, resize } from '../../src/stimuli/image.ts';
import { withOutputs, valueInfo } from '../../src/engine/graph.ts';
import { makeNet } from '../../src/engine/net.ts';
import { transpose } from '../../src/engine/tensor.ts';
import { gradient, channel } from '../../src/engine/autodiff/index.ts';

const LAYER = 'out_relu';
const SIZE = 64;

test(`input gradient of a channel mean at ${LAYER} matches TF.js tf.grad (${SIZE}×${SIZE})`, async () => {
  const zoo = await loadModel('zoo:mobilenet_v2');
  const X = zoo.input.name;
  const truncated = withOutputs(zoo.net.model, [LAYER]);
  truncated.graph.input = truncated.graph.input.map((i) => (i.name === X ? valueInfo(X, ['N', 3, SIZE, SIZE]) : i));
  const net = makeNet(truncated, `zoo:mobilenet_v2 → ${LAYER} at ${SIZE}²`);

  const img = resize(readImage(path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'images', 'chelsea.png')), SIZE, SIZE);
  const hwc = { dims: [1, SIZE, SIZE, 3], data: img.data.map((v) => v * zoo.preprocess.scale) };
  const x = transpose(hwc, [0, 3, 1, 2]);

  // The unit: the channel with the most activation strictly inside ReLU6's (0, 6) on this image
  // (dead or saturated positions pass no gradient, and a zero gradient would prove nothing).
  const probe = await gradient(net, { input: { [X]: x }, objective: channel(LAYER, 0), wrt: [X], outputs: [LAYER] });
  const act = probe.outputs[LAYER];
  const C = act.dims[1], hw = act.dims[2] * act.dims[3];
  let c = 0, best = -Infinity;
  for (let k = 0; k < C; k++) {
    let s = 0;
    for (let i = 0; i < hw; i++) {
      const a = act.data[k * hw + i];
      if (a > 0 && a < 6) s += a;
    }
    if (s > best) { best = s; c = k; }
  }
  const ours = await gradient(net, { input: { [X]: x }, objective: channel(LAYER, c), wrt: [X] });

  const tf = await tfjs('cpu');
  const model = await referenceLayersModel(nsfwjsFiles('mobilenet_v2'), 'cpu');
  const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(LAYER).output as never });
  const xt = tf.tensor4d(hwc.data, [1, SIZE, SIZE, 3]);
  const t0 = Date.now();
  const objective = (inp: typeof xt) => tf.mean((sub.apply(inp) as typeof xt).slice([0, 0, 0, c], [1, -1, -1, 1]));
  const gt = tf.grad((inp) => objective(inp as typeof xt))(xt);
  const refValue = (await objective(xt).data())[0];
  const ref = transpose({ dims: [1, SIZE, SIZE, 3], data: Float32Array.from(await gt.data()) }, [0, 3, 1, 2]);
  const tfSeconds = (Date.now() - t0) / 1000;

  let dot = 0, na = 0, nb = 0, maxErr = 0, maxRef = 0;
  const g = ours.grads[X].data;
  for (let i = 0; i < g.length; i++) {
    dot += g[i] * ref.data[i]; na += g[i] ** 2; nb += ref.data[i] ** 2;
    maxErr = Math.max(maxErr, Math.abs(g[i] - ref.data[i]));
    maxRef = Math.max(maxRef, Math.abs(ref.data[i]));
  }
  const cosine = dot / Math.sqrt(na * nb);
  console.log(`  channel ${c}: objective ${ours.objective[0].toFixed(5)} vs tfjs ${refValue.toFixed(5)}; cosine ${cosine.toFixed(7)}, ` +
    `max |Δ| ${maxErr.toExponential(2)} (max |∇| ${maxRef.toExponential(2)}, ${(maxErr / maxRef).toExponential(2)} relative); tfjs took ${tfSeconds.toFixed(1)} s`);
  assert.ok(maxRef > 0, 'the reference gradient is not zero');
  assert.ok(Math.abs(ours.objective[0] - refValue) <= 1e-4 * Math.abs(refValue), 'same objective value');
  assert.ok(cosine >= 0.999, `cosine ${cosine}`);
  assert.ok(maxErr <= 1e-2 * maxRef, 'max error within 1% of the largest gradient entry');
});

test.run();
