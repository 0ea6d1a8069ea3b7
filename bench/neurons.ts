// Benchmark of a full-layer tuning sweep: 72 orientations × 3 radii of curves through
// zoo:inception_v3 up to mixed2, every unit read at the probed position, measured three ways in
// one run — one image per onnxruntime run (the naive loop), batched full images, and batched
// receptive-field crops (what the scan and tuning probes do). `npm run bench` calls benchNeurons.
import { loadModel } from '../src/models/load.ts';
import { resolveLayer } from '../src/models/catalog.ts';
import { createForwardEngine } from '../src/probe/forward.ts';
import { createActivationCache } from '../src/probe/cache.ts';
import { expandSweep } from '../src/stimuli/index.ts';
import { placementFor, stimulusResponses } from '../src/probes/neuron/responses.ts';
import { ratio, summarize, type Figure, type Section } from './lib.ts';

export interface NeuronsBenchOptions {
  model?: string;
  layer?: string;
  /** Timed rounds per configuration (interleaved, so load on the machine hits all alike). */
  repeats?: number;
  batch?: number;
}

interface Config {
  name: string;
  chunk: number;
  batch: number;
  crop: boolean;
}

export async function benchNeurons(o: NeuronsBenchOptions = {}): Promise<Section> {
  const modelRef = o.model ?? 'zoo:inception_v3';
  const model = await loadModel(modelRef);
  const layer = await resolveLayer(model, o.layer ?? 'mixed2');
  const place = await placementFor(model, layer);
  const { items } = expandSweep({ kind: 'curve', width: 5 }, { orientation: { from: 0, to: 360, step: 5 }, radius: [16, 32, 64] });
  const stimuli = items.map((it) => it.stimulus);
  const batch = o.batch ?? 32;
  const configs: Config[] = [
    { name: `one image per run (full ${model.input.width}² images)`, chunk: 1, batch: 1, crop: false },
    { name: `batched ×${batch} (full images)`, chunk: batch, batch, crop: false },
    { name: `batched ×${batch} + receptive-field crop`, chunk: batch, batch, crop: true },
  ];
  const repeats = Math.max(1, o.repeats ?? 2);
  const seconds = configs.map(() => [] as number[]);
  let units = 0;
  let cropSize = '';
  // Warm-up: sessions for both input sizes, JIT of the renderers.
  for (const c of configs) {
    const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache(), batchSize: c.batch });
    await stimulusResponses(engine, layer.tensor, stimuli.slice(0, 2), place, { chunk: c.chunk, crop: c.crop, fresh: true });
  }
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < configs.length; i++) {
      const c = configs[i];
      // A fresh engine each round: its activation cache must not serve the repeat.
      const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache(), batchSize: c.batch });
      const t0 = process.hrtime.bigint();
      const res = await stimulusResponses(engine, layer.tensor, stimuli, place, { chunk: c.chunk, crop: c.crop, fresh: true });
      seconds[i].push(Number(process.hrtime.bigint() - t0) / 1e9);
      units = res.units.length;
      if (res.cropped) cropSize = `${res.cropped.w}×${res.cropped.h} at (${res.cropped.x0}, ${res.cropped.y0})`;
    }
  }
  const figures: Figure[] = configs.map((c, i) => summarize(`${modelRef} ${layer.name} sweep: ${c.name}`, 'stimuli/s', seconds[i].map((s) => stimuli.length / s)));
  return {
    title: `neuron probes: full-layer tuning sweep (${stimuli.length} curves = 72 orientations × 3 radii, all ${units} units of ${layer.name}, cpu)`,
    figures,
    ratios: [
      ratio('batched + receptive-field crop vs one image per run', figures[2], figures[0], { min: 3, text: '≥ 3×' }),
      ratio('batched full images vs one image per run', figures[1], figures[0]),
      ratio('receptive-field crop vs batched full images', figures[2], figures[1]),
    ],
    notes: [
      `each configuration renders every stimulus, runs it and reads all units at position [${place.position.y}, ${place.position.x}]; timings include rendering`,
      `the crop (${cropSize || 'not used'}) holds the position's whole ${place.field?.size ?? '?'}-px receptive field on the layer's grid, so responses equal the full-image ones (checked on the first stimulus of every sweep)`,
      'on CPU onnxruntime already runs one image with all cores, so batching alone gains little there; on a GPU it is the main gain',
    ],
  };
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const s = await benchNeurons();
  console.log(s.title);
  for (const f of s.figures) console.log(`  ${f.name}: ${f.median.toFixed(1)} ${f.unit} (min ${f.min.toFixed(1)}, max ${f.max.toFixed(1)})`);
  for (const r of s.ratios) console.log(`  ratio ${r.name}: ${r.value.toFixed(2)}×${r.target ? ` (target ${r.target}: ${r.met ? 'met' : 'not met'})` : ''}`);
  for (const n of s.notes ?? []) console.log(`  note: ${n}`);
}
