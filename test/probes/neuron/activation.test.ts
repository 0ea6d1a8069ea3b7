// The activation probe on MobileNetV2 (zoo) with a real photograph: centre, [y, x], max and mean
// reads equal the same numbers taken by hand from a plain onnxruntime run; noise is seeded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { loadModel } from '../../../src/models/load.ts';
import { resolveLayer } from '../../../src/models/catalog.ts';
import { run } from '../../../src/engine/session.ts';
import { readImage, toModelInput } from '../../../src/stimuli/image.ts';
import { makeRng } from '../../../src/util/rng.ts';
import { createActivationCache } from '../../../src/probe/cache.ts';
import { createForwardEngine } from '../../../src/probe/forward.ts';
import { measureActivation, ACTIVATION_METRICS, type ActivationParams } from '../../../src/probes/neuron/activation.ts';
import { asyncErrorOf } from '../../helpers.ts';

const images = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'fixtures', 'images');
const model = await loadModel('zoo:mobilenet_v2');
const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache() });
const chelsea = readImage(path.join(images, 'chelsea.png'));
const coffee = readImage(path.join(images, 'coffee.png'));
const conv = await resolveLayer(model, 'Conv1_relu'); // [32, 112, 112]
const logits = await resolveLayer(model, 'dense_3:preact'); // [5]
const layerOf = (l: typeof conv) => ({ name: l.name, tensor: l.tensor, shape: l.shape });

/** The layer map of one image from a plain run, for reading values by hand. */
const plain = async (img: typeof chelsea, tensor: string) => (await run(model.net, { [model.input.name]: toModelInput(img, model.preprocess) }, [tensor]))[tensor];

const base = (over: Partial<ActivationParams> = {}): ActivationParams => ({
  layer: layerOf(conv), units: [3, 17], images: [{ label: 'chelsea.png', image: chelsea }, { label: 'coffee.png', image: coffee }], ...over,
});

test('centre, [y, x], max and mean reads equal hand readings of a plain run', async () => {
  const maps = [await plain(chelsea, conv.tensor), await plain(coffee, conv.tensor)];
  const [, , h, w] = maps[0].dims;
  const at = (m: typeof maps[0], u: number, y: number, x: number) => m.data[(u * h + y) * w + x];
  const plane = (m: typeof maps[0], u: number) => Array.from(m.data.subarray(u * h * w, (u + 1) * h * w));
  const cases = [
    { over: {}, want: (m: typeof maps[0], u: number) => at(m, u, 56, 56) },
    { over: { position: [10, 90] as const }, want: (m: typeof maps[0], u: number) => at(m, u, 10, 90) },
    { over: { reduce: 'max' as const }, want: (m: typeof maps[0], u: number) => Math.max(...plane(m, u)) },
    { over: { reduce: 'mean' as const }, want: (m: typeof maps[0], u: number) => plane(m, u).reduce((s, v) => s + v, 0) / (h * w) },
  ];
  for (const c of cases) {
    const out = await measureActivation(base(c.over), engine, makeRng(1));
    const want = maps.flatMap((m) => [3, 17].map((u) => c.want(m, u)));
    const got = out.measurements.activation as number[];
    assert.is(got.length, 4);
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-4 * Math.max(1, Math.abs(want[i])), `${JSON.stringify(c.over)} case ${i}: ${v} vs ${want[i]}`));
    assert.equal(out.cases, ['chelsea.png · unit 3', 'chelsea.png · unit 17', 'coffee.png · unit 3', 'coffee.png · unit 17']);
    assert.ok(Math.abs((out.measurements['activation.mean'] as number) - want.reduce((s, v) => s + v, 0) / 4) < 1e-4);
    assert.is(out.measurements['activation.max'], Math.max(...got));
    assert.is(out.measurements['activation.min'], Math.min(...got));
    assert.equal(Object.keys(out.measurements).sort(), [...ACTIVATION_METRICS].sort());
  }
});

test('a layer without a spatial grid (the logits) reads one value per unit; one case is a scalar', async () => {
  const out = await measureActivation({ layer: layerOf(logits), units: [2], images: [{ label: 'chelsea.png', image: chelsea }] }, engine, makeRng(1));
  const want = (await plain(chelsea, logits.tensor)).data[2];
  assert.is(typeof out.measurements.activation, 'number');
  assert.ok(Math.abs((out.measurements.activation as number) - want) < 1e-5);
  assert.ok((out.measurements.activation as number) > 4, 'the cat photo reads as Neutral (measured 4.48)');
  assert.equal((out.params.readout as Record<string, unknown>).at, 'no spatial grid');
});

test('params record every setting; artifacts hold the table of cases and input thumbnails', async () => {
  const out = await measureActivation(base({ reduce: 'max' }), engine, makeRng(1));
  assert.equal(out.params.units, [3, 17]);
  assert.equal(out.params.readout, { reduce: 'max' });
  assert.equal(out.params.input, { width: 224, height: 224 });
  const table = out.artifacts!.find((a) => a.type === 'table');
  assert.ok(table && table.type === 'table' && table.rows.length === 4);
  const thumbs = out.artifacts!.filter((a) => a.type === 'image');
  assert.is(thumbs.length, 2);
  for (const t of thumbs) if (t.type === 'image') assert.ok(t.width <= 96 && t.height <= 96 && t.pngBase64.length > 100);
});

test('noise is drawn from the generator passed in: same seed, same values; another seed, others', async () => {
  const noisy = base({ noise: { std: 20 }, units: [1], reduce: 'mean' });
  const a = await measureActivation(noisy, engine, makeRng(5));
  const b = await measureActivation(noisy, engine, makeRng(5));
  const c = await measureActivation(noisy, engine, makeRng(6));
  const clean = await measureActivation(base({ units: [1], reduce: 'mean' }), engine, makeRng(5));
  assert.equal(a.measurements.activation, b.measurements.activation);
  assert.not.equal(a.measurements.activation, c.measurements.activation);
  assert.not.equal(a.measurements.activation, clean.measurements.activation);
  assert.equal(a.params.noise, { std: 20 });
});

test('units and positions outside the layer are bad input naming the layer', async () => {
  const e1 = await asyncErrorOf(() => measureActivation(base({ units: [32] }), engine, makeRng(1)));
  assert.is(e1.code, 'E_NO_UNIT');
  assert.match(e1.message, /unit 32 does not exist in layer "Conv1_relu" \(it has 32 channels\)/);
  const e2 = await asyncErrorOf(() => measureActivation(base({ position: [112, 0] }), engine, makeRng(1)));
  assert.is(e2.code, 'E_POSITION');
  const e3 = await asyncErrorOf(() => measureActivation({ layer: layerOf(logits), units: [0], images: [{ label: 'c', image: chelsea }], position: [0, 0] }, engine, makeRng(1)));
  assert.match(e3.message, /no spatial grid/);
});

test.run();
