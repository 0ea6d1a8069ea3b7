// Concepts from the user's own data: scenes from the generator written out as PNGs, one mask file
// per concept and a Broden-style manifest, then the same entries run on the files and on the
// generator. Shape scenes have whole-number levels, so the files hold exactly what the generator
// drew and the numbers must match to the byte; stroke scenes are anti-aliased, so PNG's rounding
// to whole levels moves them a little (measured and bounded here). Bad rows exit 2 at their line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadModel } from '../../../src/models/load.ts';
import { resolveLayer } from '../../../src/models/catalog.ts';
import { createForwardEngine } from '../../../src/probe/forward.ts';
import { createActivationCache } from '../../../src/probe/cache.ts';
import { conceptProbe, type ConceptParams } from '../../../src/probes/concepts/probe.ts';
import { CONCEPT_DEFAULTS as D } from '../../../src/probes/concepts/schema.ts';
import { conceptScene, conceptsOf, type SceneSource } from '../../../src/probes/concepts/source.ts';
import { maskAtInput } from '../../../src/probes/concepts/dataset.ts';
import type { ConceptMasks } from '../../../src/datasets/concept-masks.ts';
import { encodePng } from '../../../src/stimuli/image.ts';
import { makeRng } from '../../../src/util/rng.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');
fs.mkdirSync(path.join(root, '.cache'), { recursive: true });
const tmp = fs.mkdtempSync(path.join(root, '.cache', 'concept-masks-'));
const modelFile = path.join(root, 'test/fixtures/shapes_cnn/shapes_cnn.onnx');
const model = await loadModel(modelFile);
const info = await resolveLayer(model, '/Relu_2_output_0');
const layer = { name: info.name, tensor: info.tensor, shape: [...info.shape] };
const engine = () => createForwardEngine(model, 'cpu', { cache: createActivationCache(), batchSize: 8 });
const COUNT = 24;
const SEED = 3;

/** The generator's first `COUNT` scenes for SEED written as a dataset; returns the manifest's rows as read. */
function writeDataset(dir: string, source: SceneSource): ConceptMasks {
  const names = conceptsOf(source);
  fs.mkdirSync(path.join(dir, 'img'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'masks'), { recursive: true });
  const rng = makeRng(SEED);
  const lines = [['path', ...names].join(',')];
  const rows: ConceptMasks['rows'] = [];
  for (let i = 0; i < COUNT; i++) {
    const s = conceptScene(source, 224, 224, rng);
    fs.writeFileSync(path.join(dir, 'img', `${i}.png`), encodePng(s.image));
    const cells = names.map((c) => {
      const m = s.masks[c];
      if (!m.some((v) => v === 1)) return null;
      const data = new Float32Array(m.length * 3);
      m.forEach((v, k) => data.fill(v * 255, k * 3, k * 3 + 3));
      fs.writeFileSync(path.join(dir, 'masks', `${i}-${c}.png`), encodePng({ width: 224, height: 224, data }));
      return `masks/${i}-${c}.png`;
    });
    lines.push([`img/${i}.png`, ...cells.map((c) => c ?? '')].join(','));
    rows.push({ image: path.join(dir, 'img', `${i}.png`), masks: cells.map((c) => (c ? path.join(dir, c) : null)) });
  }
  fs.writeFileSync(path.join(dir, 'concepts.csv'), lines.join('\n') + '\n');
  return { concepts: [...names], rows };
}

const params = (method: 'dissection' | 'net2vec', scenes: SceneSource, concept: string, data?: ConceptMasks): ConceptParams => ({
  method, layer, scenes, count: COUNT, concept, data, masks: data ? 'concepts.csv' : undefined, quantile: D.quantile, variant: 'segmentation', l2: D.l2, iterations: 150,
  randomSets: 4, examples: 6, inputs: 6, alpha: D.alpha, tests: 1, keep: 10,
});

/** The report writes keys sorted; compare values, not insertion order. */
const sorted = (o: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))));

function run(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 300_000 });
}

function spec(dir: string, entries: string): string {
  const file = path.join(dir, 'spec.yaml');
  fs.writeFileSync(file, `suite: concept-masks\nmodel: ${path.relative(dir, modelFile)}\nengine: { device: cpu }\nseed: 1\nconcepts:\n${entries}`);
  return file;
}

test('shape scenes as files give byte-identical dissection and Net2Vec to the generator, through `neurogate run`', async () => {
  const dir = path.join(tmp, 'shapes');
  writeDataset(dir, 'shapes');
  const file = spec(dir, [
    '  - { id: dissect, layer: /Relu_2_output_0, method: dissection, masks: concepts.csv, concept: disk, expect: { dissection.matches: { min: 0 } } }',
    '  - { id: n2v, layer: /Relu_2_output_0, method: net2vec, masks: concepts.csv, concept: disk, iterations: 150, expect: { net2vec.iou: { min: 0 } } }',
  ].join('\n') + '\n');
  const out = path.join(dir, 'out');
  const r = run(['run', file, '--report-dir', out, '--json', '--quiet']);
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const entries = JSON.parse(fs.readFileSync(path.join(out, 'neurogate-report.json'), 'utf8')).suites[0].entries as { id: string; measurements: Record<string, unknown>; params: Record<string, unknown> }[];
  const byId = Object.fromEntries(entries.map((e) => [e.id, e]));
  const gen = {
    dissect: await conceptProbe.run(params('dissection', 'shapes', 'disk'), engine(), makeRng(SEED)),
    n2v: await conceptProbe.run(params('net2vec', 'shapes', 'disk'), engine(), makeRng(SEED)),
  };
  for (const id of ['dissect', 'n2v'] as const) {
    assert.is(sorted(byId[id].measurements), sorted(gen[id].measurements), id);
    assert.is(byId[id].params.masks, 'concepts.csv');
    assert.is(byId[id].params.count, COUNT);
  }
  // Not a vacuous match: the disk concept is really found (values measured on the generator).
  assert.ok((gen.n2v.measurements['net2vec.iou'] as number) > 0.2, JSON.stringify(gen.n2v.measurements));
});

test('anti-aliased stroke scenes: PNG rounds their edges to whole levels, and dissection moves by little', async () => {
  const data = writeDataset(path.join(tmp, 'strokes'), 'strokes');
  const a = await conceptProbe.run(params('dissection', 'strokes', 'curve'), engine(), makeRng(SEED));
  const b = await conceptProbe.run(params('dissection', 'strokes', 'curve', data), engine(), makeRng(SEED));
  const ia = a.measurements['dissection.iou'] as number[];
  const ib = b.measurements['dissection.iou'] as number[];
  const diff = Math.max(...ia.map((v, k) => Math.abs(v - ib[k])));
  console.log(`  strokes: max |ΔIoU| over ${ia.length} units between generator and PNG files: ${diff.toFixed(5)}`);
  assert.ok(diff < 0.05, `max |ΔIoU| ${diff}`);
  assert.ok(ia.some((v) => v > 0), 'some unit overlaps some concept');
});

test('TCAV from the files: the disk set is the rows with a disk mask, random sets the rest; the disk direction raises the disk logit, seeded', async () => {
  const data = writeDataset(path.join(tmp, 'tcav'), 'shapes');
  const p = { ...params('net2vec', 'shapes', 'disk', data), method: 'tcav' as const, examples: 6, randomSets: 4, inputs: 6 };
  const up = await conceptProbe.run({ ...p, target: 0 }, engine(), makeRng(4));
  const again = await conceptProbe.run({ ...p, target: 0 }, engine(), makeRng(4));
  const down = await conceptProbe.run({ ...p, target: 1 }, engine(), makeRng(4));
  assert.is(JSON.stringify(up), JSON.stringify(again));
  assert.ok((up.measurements['tcav.score'] as number) > 0.9, JSON.stringify(up.measurements));
  assert.ok((down.measurements['tcav.score'] as number) < 0.1, JSON.stringify(down.measurements));
  assert.is(up.params.masks, 'concepts.csv');
});

test('TCAV on your own images by tag (`images:` manifest with tags), through `neurogate run`: the disk direction raises the disk logit', () => {
  const dir = path.join(tmp, 'tagged');
  const data = writeDataset(dir, 'shapes');
  // The same scenes as a plain image manifest: each image tagged with the shape it holds.
  const tagged = data.rows.map((r) => `${path.relative(dir, r.image)},${data.concepts.filter((_, k) => r.masks[k] !== null).join(';')}`);
  fs.writeFileSync(path.join(dir, 'tagged.csv'), ['path,tags', ...tagged].join('\n') + '\n');
  const entry = (id: string, target: number) => `  - { id: ${id}, layer: /Relu_2_output_0, method: tcav, images: { manifest: tagged.csv }, concept: disk, target: ${target}, examples: 6, random_sets: 4, inputs: 6, iterations: 150, expect: { tcav.score: { min: 0 } } }`;
  const file = spec(dir, [entry('up', 0), entry('down', 1)].join('\n') + '\n');
  const out = path.join(dir, 'out');
  const r = run(['run', file, '--report-dir', out, '--json', '--quiet']);
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const entries = JSON.parse(fs.readFileSync(path.join(out, 'neurogate-report.json'), 'utf8')).suites[0].entries as { id: string; measurements: Record<string, number>; params: Record<string, unknown> }[];
  const byId = Object.fromEntries(entries.map((e) => [e.id, e]));
  assert.ok(byId.up.measurements['tcav.score'] > 0.9, JSON.stringify(byId.up.measurements));
  assert.ok(byId.down.measurements['tcav.score'] < 0.1, JSON.stringify(byId.down.measurements));
  assert.is(byId.up.params.images, COUNT);
});

test('a mask at another resolution of the same shape lands on the same input pixels (nearest neighbour)', () => {
  // 4×2 mask, left half on; the model input 224×224 stretched: columns 0..111 on.
  const data = new Float32Array(4 * 2 * 3);
  for (const k of [0, 1, 4, 5]) data.fill(255, k * 3, k * 3 + 3);
  const m = maskAtInput({ width: 4, height: 2, data }, { width: 224, height: 224 });
  assert.is(m[0], 1);
  assert.is(m[111], 1);
  assert.is(m[112], 0);
  assert.is(m.reduce((s, v) => s + v, 0), 112 * 224);
});

test('bad rows exit 2 at the manifest line: missing image, missing mask, mask of another shape, a concept the header lacks', () => {
  const dir = path.join(tmp, 'bad');
  writeDataset(dir, 'shapes');
  const wide = { width: 300, height: 100, data: new Float32Array(300 * 100 * 3) };
  fs.writeFileSync(path.join(dir, 'masks', 'wide.png'), encodePng(wide));
  fs.writeFileSync(path.join(dir, 'one.csv'), 'path,tags\nimg/0.png,disk\nimg/1.png,square\nimg/2.png,square\n');
  fs.writeFileSync(path.join(dir, 'dup.csv'), 'path,disk,disk\nimg/0.png,,\n');
  fs.writeFileSync(path.join(dir, 'bad.csv'), ['path,disk,square,triangle', 'img/0.png,,,', 'img/nope.png,,,', 'img/1.png,masks/gone.png,,', 'img/2.png,masks/wide.png,,', 'img/3.png,,'].join('\n') + '\n');
  const file = spec(dir, '  - { id: d, layer: /Relu_2_output_0, method: dissection, masks: bad.csv, expect: { dissection.matches: { min: 0 } } }\n'
    + '  - { id: u, layer: /Relu_2_output_0, method: dissection, masks: dup.csv, expect: { dissection.matches: { min: 0 } } }\n'
    + '  - { id: t, layer: /Relu_2_output_0, method: tcav, images: { manifest: concepts.csv }, concept: disk, target: 0, expect: { tcav.score: { min: 0 } } }\n'
    + '  - { id: t2, layer: /Relu_2_output_0, method: tcav, images: { manifest: one.csv }, concept: disk, target: 0, expect: { tcav.score: { min: 0 } } }\n'
    + '  - { id: n, layer: /Relu_2_output_0, method: net2vec, masks: concepts.csv, concept: star, expect: { net2vec.iou: { min: 0 } } }\n');
  const r = run(['run', file, '--report-dir', path.join(dir, 'out'), '--quiet']);
  const text = r.stdout + r.stderr;
  assert.is(r.status, 2, text);
  assert.match(text, /bad\.csv:3:\d+[^\n]*image file not found: img\/nope\.png/);
  assert.match(text, /bad\.csv:4:\d+[^\n]*disk mask file not found: masks\/gone\.png/);
  assert.match(text, /bad\.csv:5:\d+[^\n]*disk mask masks\/wide\.png is 300×100, not the shape of its image \(224×224\)/);
  assert.match(text, /bad\.csv:6:\d+[^\n]*3 cells, but the header has 4/);
  // A concept-mask manifest is not an image manifest: its header is refused at its line.
  assert.match(text, /concepts\.csv:1:\d+[^\n]*unknown columns "disk", "square", "triangle"/);
  assert.match(text, /spec\.yaml:\d+:\d+[^\n]*`images:` has 1 image tagged or labelled "disk"; the concept set needs at least 2/);
  assert.match(text, /dup\.csv:1:\d+[^\n]*concept "disk" is named twice/);
  assert.match(text, /spec\.yaml:\d+:\d+[^\n]*"star" is not a concept of concepts\.csv \(its header names disk, square, triangle\)/);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
