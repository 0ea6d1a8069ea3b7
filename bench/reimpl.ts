// Benchmark of the clean-room curve network: building it from the rules, and a full tuning sweep
// (72 orientations × 3 radii of curves, every unit of its curves layer) on CPU — measured in the
// same run against the same sweep through zoo:inception_v3 up to mixed2, the layer it is compared
// with. `npm run bench` calls benchReimpl.
import { loadModel } from '../src/models/load.ts';
import { resolveLayer } from '../src/models/catalog.ts';
import type { ImportedModel } from '../src/models/types.ts';
import { createForwardEngine } from '../src/probe/forward.ts';
import { createActivationCache } from '../src/probe/cache.ts';
import { expandSweep } from '../src/stimuli/index.ts';
import { placementFor, stimulusResponses } from '../src/probes/neuron/responses.ts';
import { buildCurveNet } from '../src/reimpl/network.ts';
import { num } from '../src/engine/onnx.ts';
import { ratio, summarize, timeIt, type Section } from './lib.ts';

export interface ReimplBenchOptions {
  /** Timed rounds per measurement. */
  repeats?: number;
  batch?: number;
  /** Also time the same sweep through zoo:inception_v3 mixed2 (the reference of the ratio); default true. */
  reference?: boolean;
}

const SWEEP = { orientation: { from: 0, to: 360, step: 5 }, radius: [16, 24, 32] };

/** Seconds per full sweep of `layer` (fresh engine and crop cache each round: nothing is served from a cache). */
async function sweepSeconds(model: ImportedModel, layerName: string, repeats: number, batch: number): Promise<{ seconds: number[]; units: number; stimuli: number; crop: string }> {
  const layer = await resolveLayer(model, layerName);
  const place = await placementFor(model, layer);
  const stimuli = expandSweep({ kind: 'curve', width: 5 }, SWEEP).items.map((it) => it.stimulus);
  let crop = 'none';
  const once = async () => {
    const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache(), batchSize: batch });
    const r = await stimulusResponses(engine, layer.tensor, stimuli, place, { chunk: batch, fresh: true });
    if (r.cropped) crop = `${r.cropped.w}×${r.cropped.h}`;
  };
  return { seconds: await timeIt(once, repeats, 1), units: layer.shape[0], stimuli: stimuli.length, crop };
}

export async function benchReimpl(o: ReimplBenchOptions = {}): Promise<Section> {
  const repeats = Math.max(1, o.repeats ?? 3);
  const batch = o.batch ?? 32;
  const build = summarize('build zoo:reimpl-curves from the rules (all families)', 's', await timeIt(() => buildCurveNet(), repeats, 1));
  const net = buildCurveNet();
  const params = net.model.net.model.graph!.initializer.reduce((s, t) => s + t.dims.reduce((a: number, d) => a * num(d), 1), 0);
  const hand = await sweepSeconds(net.model, 'curves', repeats, batch);
  const handFig = summarize(`zoo:reimpl-curves curves sweep (${hand.stimuli} stimuli, all ${hand.units} units, crop ${hand.crop})`, 's', hand.seconds);
  const section: Section = {
    title: `clean-room curve network: full tuning sweep on cpu (72 orientations × 3 radii, ${params} weights)`,
    figures: [build, handFig, summarize('zoo:reimpl-curves sweep throughput', 'stimuli/s', hand.seconds.map((s) => hand.stimuli / s))],
    ratios: [],
    notes: [
      'each sweep renders every stimulus, runs it through a fresh engine (no activation cache) and reads every unit at the probed position',
      'the target: a full sweep of all hand-built units in seconds on CPU (the median above)',
    ],
  };
  if (o.reference ?? true) {
    const inception = await loadModel('zoo:inception_v3');
    const ref = await sweepSeconds(inception, 'mixed2', Math.min(repeats, 2), 16);
    const refFig = summarize(`zoo:inception_v3 mixed2 sweep (${ref.stimuli} stimuli, all ${ref.units} units, crop ${ref.crop})`, 's', ref.seconds);
    section.figures.push(refFig);
    // Both figures are seconds: reference ÷ subject > 1 means the hand-built sweep is faster.
    section.ratios.push(ratio('inception_v3 mixed2 sweep time ÷ reimpl-curves sweep time', refFig, handFig, { min: 1, text: '> 1 (smaller network, faster sweep)' }));
  }
  return section;
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const s = await benchReimpl();
  console.log(s.title);
  for (const f of s.figures) console.log(`  ${f.name}: ${f.median.toFixed(3)} ${f.unit} (min ${f.min.toFixed(3)}, max ${f.max.toFixed(3)})`);
  for (const r of s.ratios) console.log(`  ratio ${r.name}: ${r.value.toFixed(2)}×${r.target ? ` (target ${r.target}: ${r.met ? 'met' : 'not met'})` : ''}`);
  for (const n of s.notes ?? []) console.log(`  note: ${n}`);
}
