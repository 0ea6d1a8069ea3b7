// `npm run bench`: every performance figure the issues ask for, measured in ONE run, each
// ratio against a reference measured in the same run. Prints a table and writes
// bench/results.json. Timing never appears in `npm test`.
//   npm run bench                  all sections
//   npm run bench -- engine        only sections whose key contains a word
import fs from 'node:fs';
import path from 'node:path';
import { machine, type Section } from './lib.ts';
import { ortVersion, chooseDevice } from '../src/engine/session.ts';
import { benchEngine } from './engine.ts';
import { benchGradient } from './autodiff.ts';
import { benchStimuli } from './stimuli.ts';
import { benchNeurons } from './neurons.ts';
import { benchShards } from './shards.ts';
import { benchReimpl } from './reimpl.ts';
import { benchAttribution } from './attribution.ts';

/** Stimulus rendering has no external reference: it reports throughput against its budget. */
async function stimuliSection(): Promise<Section> {
  const r = benchStimuli();
  const fig = (name: string, v: number) => ({ name, unit: 'stimuli/s', min: v, median: v, max: v, repeats: r.rounds });
  return {
    title: `Stimuli: ${r.stimuli} curves (72 orientations × 3 radii) at ${r.size}², best of ${r.rounds} rounds`,
    figures: [
      fig('renderStimulus (new image each), wall', r.stimuliPerSecond),
      fig('renderStimulusInto (reused buffer), wall', r.stimuliPerSecondReused),
      fig('renderStimulus, per CPU-second', r.cpuStimuliPerSecond),
      fig('renderStimulusInto, per CPU-second', r.cpuStimuliPerSecondReused),
    ],
    ratios: [],
    notes: ['target: > 1000 stimuli/s at 224² on one core'],
  };
}

// Sections that other issues add register here; each measures its own reference in the same run.
const SECTIONS: Record<string, () => Promise<Section>> = {
  engine: () => benchEngine(),
  autodiff: () => benchGradient(),
  stimuli: stimuliSection,
  neurons: () => benchNeurons(),
  shards: () => benchShards(),
  reimpl: () => benchReimpl(),
  attribution: () => benchAttribution(),
};

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 0.1 ? v.toFixed(2) : v.toPrecision(2);
}

function printSection(s: Section): void {
  console.log(`\n## ${s.title}`);
  for (const f of s.figures) console.log(`  ${f.name.padEnd(58)} ${fmt(f.median).padStart(9)} ${f.unit}  (min ${fmt(f.min)}, max ${fmt(f.max)}, n=${f.repeats})`);
  for (const r of s.ratios) {
    const mark = r.met === undefined ? '' : r.met ? '  ✓ target ' : '  ✗ target ';
    console.log(`  ratio ${r.name.padEnd(52)} ${fmt(r.value).padStart(9)}×${mark}${r.target ?? ''}`);
  }
  for (const n of s.notes ?? []) console.log(`  note: ${n}`);
}

const words = process.argv.slice(2);
const picked = Object.entries(SECTIONS).filter(([k]) => words.length === 0 || words.some((w) => k.includes(w)));
const device = await chooseDevice('auto');
const results: { key: string; section?: Section; error?: string }[] = [];
console.log(`neurogate bench — onnxruntime-node ${ortVersion}, ${machine().cpus} cores, device auto → ${device.device} (${device.reason})`);
for (const [key, fn] of picked) {
  try {
    const section = await fn();
    printSection(section);
    results.push({ key, section });
  } catch (e) {
    console.log(`\n## ${key}: FAILED — ${(e as Error).message}`);
    results.push({ key, error: (e as Error).message });
  }
}
const out = path.join(path.dirname(new URL(import.meta.url).pathname), 'results.json');
fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine: machine(), onnxruntime: ortVersion, device, results }, null, 2));
console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
process.exitCode = results.some((r) => r.error) ? 1 : 0;
