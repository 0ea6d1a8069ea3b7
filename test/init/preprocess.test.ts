// A spec's `preprocess:` block on a real PyTorch export: the pixel mapping it declares is the one
// the model is fed, it reaches the model through the runner (suite default, entry keys over it),
// and a block that contradicts the model (input name, layout, size) stops `validate` with exit 2 at
// the offending key's file:line:col. `validate --allow-outside` lifts the path policy as `run`'s does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createModel, node } from '../../src/engine/graph.ts';
import { encodeModel } from '../../src/engine/onnx.ts';
import { run } from '../../src/engine/session.ts';
import { loadModel } from '../../src/models/load.ts';
import { E_PREPROCESS, preprocessField, sourceInput, withPreprocess, type PreprocessOverride } from '../../src/models/preprocess.ts';
import { readImage, toModelInput } from '../../src/stimuli/image.ts';
import { specRunner } from '../../src/init/measure.ts';
import { errorOf } from '../helpers.ts';
import { FC_SEED } from '../seed.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const MODEL = path.join(root, 'test/fixtures/shapes_cnn/shapes_cnn.onnx');
const DISK = path.join(root, 'test/fixtures/shapes_cnn/shape_0_disk.png');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-preprocess-'));

function neurogate(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/neurogate.js', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const triple = (min: number, max: number) => fc.tuple(fc.double({ min, max, noNaN: true }), fc.double({ min, max, noNaN: true }), fc.double({ min, max, noNaN: true }));

test('the declared mapping is what the model is fed: pixel p becomes (lo + p·(hi − lo)/255 − mean) / std, in the declared channel order', async () => {
  const model = await loadModel(MODEL);
  const pixel = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }));
  const block = fc.record({
    range: fc.tuple(fc.double({ min: -300, max: 300, noNaN: true }), fc.double({ min: 0.01, max: 300, noNaN: true })).map(([lo, w]) => [lo, lo + w] as [number, number]),
    mean: triple(-200, 200),
    std: triple(0.01, 100),
    channel_order: fc.constantFrom('RGB' as const, 'BGR' as const),
  });
  fc.assert(fc.property(block, pixel, (pp, rgb) => {
    const p = withPreprocess(model, pp).preprocess;
    const img = { width: model.input.width, height: model.input.height, data: new Float32Array(model.input.width * model.input.height * 3) };
    for (let i = 0; i < img.data.length; i += 3) img.data.set(rgb, i);
    const x = toModelInput(img, p);
    const hw = model.input.width * model.input.height;
    const order = pp.channel_order === 'BGR' ? [2, 1, 0] : [0, 1, 2];
    for (let c = 0; c < 3; c++) {
      const want = (pp.range[0] + (rgb[order[c]] * (pp.range[1] - pp.range[0])) / 255 - pp.mean[c]) / pp.std[c];
      const got = x.data[c * hw + 17];
      assert.ok(Math.abs(got - want) <= 1e-4 * Math.max(1, Math.abs(want)), `channel ${c}: ${got} vs ${want}`);
    }
  }), { seed: FC_SEED, numRuns: 200 });
});

test('declaring what the importer assumes keeps the model as it is; other numbers give it a new identity over the same graph', async () => {
  const model = await loadModel(MODEL);
  const same = withPreprocess(model, { input: 'input', layout: 'NCHW', size: [224, 224], range: [0, 1], mean: [0, 0, 0], std: [1, 1, 1], channel_order: 'RGB' });
  assert.is(same, model);
  const other = withPreprocess(model, { range: [-1, 1] });
  assert.is.not(other.net.hash, model.net.hash, 'merged passes and caches keyed by the hash must not mix the two');
  assert.is(other.net.model, model.net.model, 'the graph itself is shared, not copied');
  assert.equal(other.input, model.input);
  // keys left out keep the importer's choice
  assert.equal(withPreprocess(model, { mean: [0.5, 0.5, 0.5] }).preprocess.scale, model.preprocess.scale);
  // loading with the block is the same as applying it, and is cached per block
  const a = await loadModel(MODEL, root, { preprocess: { range: [-1, 1] } });
  assert.is(a, await loadModel(MODEL, root, { preprocess: { range: [-1, 1] } }));
  assert.is(a.net.hash, other.net.hash);
});

test('a block that contradicts the model names the key: input, layout, size', async () => {
  const model = await loadModel(MODEL);
  const cases: [PreprocessOverride, string, RegExp][] = [
    [{ input: 'image' }, 'input', /its image input is "input" \[N, 3, 224, 224\]/],
    [{ layout: 'NHWC' }, 'layout', /NCHW, channels \(3\) on axis 1/],
    [{ size: [299, 299] }, 'size', /fixed input size 224×224/],
  ];
  for (const [pp, key, message] of cases) {
    const e = errorOf(() => withPreprocess(model, pp));
    assert.is(e.code, E_PREPROCESS);
    assert.is(e.kind, 'bad_input');
    assert.equal(preprocessField(e), [key]);
    assert.match(e.message, message);
  }
});

test('an NHWC ONNX file is named by its own input, not by the NCHW front door neurogate adds', () => {
  // A one-node NHWC graph (Relu) is enough: the claim is about the importer's input naming.
  const file = path.join(tmp, 'nhwc.onnx');
  fs.writeFileSync(file, encodeModel(createModel({ inputs: [{ name: 'pixels', dims: ['N', 16, 16, 3] }], outputs: [{ name: 'y' }], nodes: [node('Relu', ['pixels'], ['y'])], initializers: [] })));
  return loadModel(file).then((m) => {
    assert.is(m.input.name, 'pixels/nchw');
    assert.equal(sourceInput(m), { name: 'pixels', layout: 'NHWC', dims: ['N', 16, 16, 3] });
    assert.is(withPreprocess(m, { input: 'pixels', layout: 'NHWC', size: [16, 16] }), m);
    assert.equal(preprocessField(errorOf(() => withPreprocess(m, { layout: 'NCHW' }))), ['layout']);
  });
});

test('the runner feeds the declared preprocessing: the suite block, an entry key over it, and the same logit as a direct run', async () => {
  const text = (entryBlock: string) => [
    'suite: pp', `model: ${MODEL}`, 'engine: { device: cpu }', 'preprocess: { input: input, range: [-1, 1] }', 'neurons:',
    '  - id: disk', '    layer: logits', '    unit: 0', `    image: ${DISK}`, entryBlock, '    expect:', '      activation: { max: 1e9 }', '',
  ].filter(Boolean).join('\n');
  const runner = specRunner('cpu');
  const measure = async (block: string) => (await runner.run(path.join(root, 'virtual.yaml'), text(block))).suites[0].entries[0].measurements.activation as number;
  const model = await loadModel(MODEL);
  const direct = async (pp: PreprocessOverride) => (await run(model.net, { input: toModelInput(readImage(DISK), withPreprocess(model, pp).preprocess) }, ['logits'])).logits.data[0];
  const suiteOnly = await measure('');
  const entryOver = await measure('    preprocess: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }');
  assert.ok(Math.abs(suiteOnly - (await direct({ range: [-1, 1] }))) < 1e-5, `${suiteOnly}`);
  assert.ok(Math.abs(entryOver - (await direct({ range: [-1, 1], mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }))) < 1e-5, `${entryOver}`);
  const plain = (await run(model.net, { input: toModelInput(readImage(DISK), model.preprocess) }, ['logits'])).logits.data[0];
  assert.ok(Math.abs(suiteOnly - plain) > 0.1, `range [-1, 1] must change the logit (${suiteOnly} vs ${plain})`);
});

test('validate: a wrong input name, NHWC on an NCHW model and a wrong size each exit 2 at their key, file:line:col', () => {
  const spec = path.join(tmp, 'bad-preprocess.yaml');
  const entry = (id: string, block: string) => [`  - id: ${id}`, '    layer: logits', '    unit: 0', `    image: ${DISK}`, `    preprocess: ${block}`, '    expect:', '      activation: { min: 0 }'];
  fs.writeFileSync(spec, [
    'suite: bad-preprocess', `model: ${MODEL}`, 'preprocess: { layout: NCHW, size: [224, 224] }', 'neurons:',
    ...entry('wrong-input', '{ input: image }'), ...entry('wrong-layout', '{ layout: NHWC }'), ...entry('wrong-size', '{ size: [299, 299] }'), '',
  ].join('\n'));
  const r = neurogate('validate', spec, '--allow-outside');
  assert.is(r.code, 2, r.out + r.err);
  const at = (line: number, col: number) => `^${spec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:${col}: `;
  assert.match(r.err, new RegExp(`${at(9, 26)}.*preprocess\\.input "image" is not an input of the model: its image input is "input"`, 'm'));
  assert.match(r.err, new RegExp(`${at(16, 27)}.*preprocess\\.layout is NHWC, but input "input" has shape \\[N, 3, 224, 224\\]: NCHW`, 'm'));
  assert.match(r.err, new RegExp(`${at(23, 25)}.*preprocess\\.size \\[299, 299\\] does not match the model's fixed input size 224×224`, 'm'));
  assert.match(r.err, /3 problems in the specs; nothing was run/);
});

test('validate --allow-outside: a spec outside the project may name its files only with the flag, as with run', () => {
  const spec = path.join(tmp, 'outside.yaml');
  fs.writeFileSync(spec, ['suite: outside', `model: ${MODEL}`, 'neurons:', '  - id: a', '    layer: logits', '    unit: 0', `    image: ${DISK}`, '    expect:', '      activation: { min: 0 }', ''].join('\n'));
  const refused = neurogate('validate', spec);
  assert.is(refused.code, 2, refused.err);
  assert.match(refused.err, /outside the spec's project root/);
  assert.match(refused.err, /--allow-outside/);
  const allowed = neurogate('validate', spec, '--allow-outside');
  assert.is(allowed.code, 0, allowed.err);
  assert.match(allowed.out, /^ok: 1 spec file, 1 entries, 1 expectations/m);
});

test.run();
