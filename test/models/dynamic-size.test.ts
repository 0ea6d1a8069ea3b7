// An ONNX model whose image height and width are symbolic ([N, 3, H, W], as exporters write with
// dynamic_axes) is refused without a size, and imported at the size the spec's preprocess.size
// gives; gradients then flow through its Resize (adjoint identity on the real forward pass).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importOnnxFile } from '../../src/models/onnx-file.ts';
import { loadModel } from '../../src/models/load.ts';
import { encodeModel } from '../../src/engine/onnx.ts';
import { createModel, node, floatTensorProto, int64TensorProto } from '../../src/engine/graph.ts';
import { gradient, logit } from '../../src/engine/autodiff/index.ts';
import { makeRng, uniform } from '../../src/util/rng.ts';
import { FC_SEED } from '../seed.ts';
import { errorOf } from '../helpers.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-dyn-'));
const rng = makeRng(FC_SEED);
const floats = (n: number) => Float32Array.from({ length: n }, () => uniform(rng, -1, 1));

/** Conv → Resize ×2 (linear) → GlobalAveragePool → Flatten: linear in x, any H and W. */
function dynamicModel(file: string): string {
  const model = createModel({
    inputs: [{ name: 'image', dims: ['N', 3, 'H', 'W'] }],
    outputs: [{ name: 'logits' }],
    initializers: [
      floatTensorProto('k', { dims: [2, 3, 3, 3], data: floats(54) }),
      floatTensorProto('roi', { dims: [0], data: new Float32Array() }),
      floatTensorProto('scales', { dims: [4], data: new Float32Array([1, 1, 2, 2]) }),
      int64TensorProto('flat', [2], [0, -1]),
    ],
    nodes: [
      node('Conv', ['image', 'k'], ['c'], { pads: { ints: [1, 1, 1, 1] } }),
      node('Resize', ['c', 'roi', 'scales'], ['r'], { mode: { s: 'linear' } }),
      node('GlobalAveragePool', ['r'], ['g']),
      node('Reshape', ['g', 'flat'], ['logits']),
    ],
    opset: 13,
  });
  const p = path.join(tmp, file);
  fs.writeFileSync(p, encodeModel(model));
  return p;
}

test('a symbolic image size is refused without a size, naming the way to give one', () => {
  const e = errorOf(() => importOnnxFile(dynamicModel('refused.onnx')));
  assert.is(e.code, 'E_MODEL_INPUT_DYNAMIC');
  assert.match(e.hint ?? '', /preprocess: \{size/);
});

test('preprocess.size pins a symbolic image size; the gradient through Resize satisfies f(x) − f(0) = ⟨x, ∇f⟩', async () => {
  const file = dynamicModel('pinned.onnx');
  const m = importOnnxFile(file, { size: [12, 10] });
  assert.equal([m.input.channels, m.input.height, m.input.width], [3, 12, 10]);
  const viaSpec = await loadModel(file, tmp, { preprocess: { size: [12, 10] } });
  assert.equal([viaSpec.input.height, viaSpec.input.width], [12, 10]);
  const x = { dims: [1, 3, 12, 10], data: floats(360) };
  const zero = { dims: x.dims, data: new Float32Array(360) };
  for (const cls of [0, 1]) {
    const at = (input: typeof x) => gradient(m.net, { input: { [m.input.name]: input }, objective: logit(m.logits!, cls), wrt: [m.input.name] });
    const r = await at(x), r0 = await at(zero);
    const g = r.grads[m.input.name].data;
    let dot = 0, mag = 0;
    for (let i = 0; i < g.length; i++) { dot += x.data[i] * g[i]; mag += Math.abs(x.data[i] * g[i]); }
    assert.ok(mag > 1e-3, 'the gradient is not zero');
    assert.ok(Math.abs(r.objective[0] - r0.objective[0] - dot) <= 1e-4 * (mag + 1), `class ${cls}: f(x) − f(0) = ${r.objective[0] - r0.objective[0]}, ⟨x, ∇f⟩ = ${dot}`);
  }
});

test.run();
