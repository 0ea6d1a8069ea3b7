// Benchmark of a release diff: `diffModels` between zoo:inception_v3 and its own ONNX export over
// five layers (two models × the probe set, Gram matrices, unit matching, logit and gradient drift on
// the fixture images), against one tuning sweep of those layers — 72 orientations × 3 radii of
// curves through the model once, batched, all five layers tapped. Goal: diff ≤ 2.5 × the sweep.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diffModels } from '../src/compare/diff.ts';
import { encodeModel } from '../src/engine/onnx.ts';
import { runBatched } from '../src/engine/session.ts';
import { resolveLayer } from '../src/models/catalog.ts';
import { loadModel } from '../src/models/load.ts';
import { expandSweep, renderStimulus } from '../src/stimuli/index.ts';
import { readImage, toModelInput } from '../src/stimuli/image.ts';
import { ratio, summarize, timeIt, type Section } from './lib.ts';

export interface DiffBenchOptions {
  model?: string;
  layers?: string[];
  repeats?: number;
}

export async function benchDiff(o: DiffBenchOptions = {}): Promise<Section> {
  const ref = o.model ?? 'zoo:inception_v3';
  const layers = o.layers ?? ['mixed0', 'mixed2', 'mixed4', 'mixed7', 'mixed10'];
  const baseline = await loadModel(ref);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-bench-diff-'));
  const file = path.join(dir, 'export.onnx');
  fs.writeFileSync(file, encodeModel(baseline.net.model));
  const candidate = await loadModel(file);
  const taps = await Promise.all(layers.map(async (l) => (await resolveLayer(baseline, l)).tensor));
  const imgDir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'test', 'fixtures', 'images');
  const images = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg'].map((f) => ({ label: f, image: readImage(path.join(imgDir, f)) }));
  const { width, height } = baseline.preprocess;
  const sweep = expandSweep({ kind: 'curve', width: 5 }, { orientation: { from: 0, to: 360, step: 5 }, radius: [16, 32, 64] }).items;

  const repeats = Math.max(1, o.repeats ?? 1);
  const sweepSeconds = await timeIt(async () => {
    const inputs = sweep.map((it) => toModelInput(renderStimulus(it.stimulus, { width, height, center: { x: width / 2, y: height / 2 } }), baseline.preprocess));
    await runBatched(baseline.net, baseline.input.name, inputs, taps, { batchSize: 16 });
  }, repeats, 0);
  let identical = true;
  const diffSeconds = await timeIt(async () => {
    const r = await diffModels(baseline, candidate, { layers, images, methods: ['gradient'], batchSize: 8 });
    identical &&= r.layers.every((l) => Math.abs(l.cka - 1) < 1e-6);
  }, repeats, 0);
  fs.rmSync(dir, { recursive: true, force: true });
  const sweepFig = summarize(`tuning sweep: ${sweep.length} curves through ${ref}, ${layers.length} layers tapped`, 's', sweepSeconds);
  const diffFig = summarize(`diff ${ref} vs its export: ${layers.length} layers, ${images.length} images + 24 stimuli, gradient drift`, 's', diffSeconds);
  return {
    title: `Release diff (${ref}, layers ${layers.join(', ')})`,
    figures: [sweepFig, diffFig],
    ratios: [ratio('diff ÷ one tuning sweep of the same layers', diffFig, sweepFig, { max: 2.5, text: '≤ 2.5' })],
    notes: [identical ? 'the export diffed as identical (CKA 1 at every layer)' : 'WARNING: the export did not diff as identical'],
  };
}
