// `npm run bench`: every performance figure the issues ask for, measured in ONE run, each
// ratio against a reference measured in the same run. Prints a table and writes a JSON file.
// Timing never appears in `npm test`.
//   npm run bench                                   all sections, on cpu
//   npm run bench -- engine                         only sections whose key contains a word
//   npm run bench -- --device webgpu                the sections that take a device, on webgpu
//   npm run bench -- --sections convstack,autodiff --device auto --quick --out bench/results-auto.json
//   npm run bench -- --probe --device webgpu        exit 0 if the device starts, 2 (with the reason) if not
//   npm run bench -- --compare a.json b.json        figure by figure, how much faster a is than b
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { machine, lowerIsBetter, type Section } from './lib.ts';
import { ortVersion, chooseDevice, type ConcreteDevice, type Device, type DeviceChoice } from '../src/engine/session.ts';
import { isNeurogateError } from '../src/errors.ts';
import { benchEngine } from './engine.ts';
import { benchGradient } from './autodiff.ts';
import { benchStimuli } from './stimuli.ts';
import { benchNeurons } from './neurons.ts';
import { benchShards } from './shards.ts';
import { benchReimpl } from './reimpl.ts';
import { benchAttribution } from './attribution.ts';
import { benchConvStack } from './convstack.ts';
import { benchDiff } from './diff.ts';
import { benchStartup } from './startup.ts';
import { benchAudit } from './audit.ts';
import { benchAdversarial } from './adversarial.ts';
import { benchDatasets } from './datasets.ts';
import { benchCache } from './cache.ts';

interface RunContext {
  device: ConcreteDevice;
  /** Fewer repeats, fewer iterations, the small zoo model only: what fits the 5-minute GPU check. */
  quick: boolean;
}

interface SectionEntry {
  run: (c: RunContext) => Promise<Section>;
  /** `cpu`: the section always runs on cpu, whatever --device says. */
  devices: 'any' | 'cpu';
}

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
// The quick settings load zoo:mobilenet_v2 only: scripts/gpu-bundle.ts carries no other zoo model.
const SECTIONS: Record<string, SectionEntry> = {
  engine: { devices: 'cpu', run: () => benchEngine() },
  // Quick: no tf.grad comparison (a cpu-only reference that needs @tensorflow/tfjs, which the GPU bundle leaves out).
  autodiff: { devices: 'any', run: (c) => benchGradient({ device: c.device, ...(c.quick ? { models: ['mobilenet_v2'], repeats: 5, tfjsRepeats: 0 } : {}) }) },
  stimuli: { devices: 'cpu', run: stimuliSection },
  neurons: { devices: 'cpu', run: () => benchNeurons() },
  shards: { devices: 'cpu', run: () => benchShards() },
  reimpl: { devices: 'cpu', run: () => benchReimpl() },
  diff: { devices: 'cpu', run: () => benchDiff() },
  attribution: { devices: 'any', run: (c) => benchAttribution({ device: c.device, ...(c.quick ? { iterations: 100, masks: 1000 } : {}) }) },
  convstack: { devices: 'any', run: (c) => benchConvStack({ device: c.device, repeats: c.quick ? 3 : 5 }) },
  startup: { devices: 'cpu', run: () => benchStartup() },
  audit: { devices: 'cpu', run: () => benchAudit() },
  adversarial: { devices: 'any', run: (c) => benchAdversarial({ device: c.device, repeats: c.quick ? 2 : 3 }) },
  datasets: { devices: 'cpu', run: (c) => benchDatasets(c.quick ? { large: 1000, forwardImages: 300, gradientImages: 50 } : {}) },
  cache: { devices: 'cpu', run: () => benchCache() },
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

const USAGE = `usage: npm run bench -- [words…] [--sections a,b] [--device cpu|webgpu|cuda|auto] [--quick] [--out file.json]
       npm run bench -- --probe --device webgpu
       npm run bench -- --compare results-webgpu.json results-cpu.json`;

class UsageError extends Error {}

/** The sections to run: --sections names them exactly; positional words pick keys containing a word. */
function pickSections(named: string | undefined, words: string[], device: ConcreteDevice): { picked: [string, SectionEntry][]; skipped: string[] } {
  const all = Object.entries(SECTIONS);
  if (named !== undefined) {
    const keys = named.split(',').map((k) => k.trim()).filter(Boolean);
    const unknown = keys.filter((k) => !(k in SECTIONS));
    if (unknown.length || keys.length === 0) throw new UsageError(`unknown section(s) ${unknown.join(', ') || '(none given)'}; sections: ${Object.keys(SECTIONS).join(', ')}`);
    return { picked: keys.map((k) => [k, SECTIONS[k]]), skipped: [] };
  }
  const matching = all.filter(([k]) => words.length === 0 || words.some((w) => k.includes(w)));
  if (matching.length === 0) throw new UsageError(`no section matches ${words.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}`);
  // On a GPU, sections that ignore the device would only repeat the cpu run; name them to run them anyway.
  if (device === 'cpu' || words.length > 0) return { picked: matching, skipped: [] };
  return { picked: matching.filter(([, e]) => e.devices === 'any'), skipped: matching.filter(([, e]) => e.devices === 'cpu').map(([k]) => k) };
}

interface ResultsFile {
  date: string;
  machine: ReturnType<typeof machine>;
  onnxruntime: string;
  device: DeviceChoice & { requested: Device };
  quick?: boolean;
  results: { key: string; section?: Section; error?: string }[];
}

/** Figure by figure (same section, same name once the device is taken out), how much faster a ran than b. */
function compare(fileA: string, fileB: string): void {
  const read = (f: string): ResultsFile => JSON.parse(fs.readFileSync(f, 'utf8'));
  const a = read(fileA);
  const b = read(fileB);
  const da = a.device.device;
  const db = b.device.device;
  const key = (name: string, d: string) => name.split(d).join('<device>');
  console.log(`\n## ${da} ÷ ${db}: speed-up of ${da} (${path.basename(fileA)}) over ${db} (${path.basename(fileB)}); > 1: ${da} is faster`);
  let rows = 0;
  for (const ra of a.results) {
    const rb = b.results.find((r) => r.key === ra.key);
    if (!ra.section || !rb?.section) continue;
    console.log(`  [${ra.key}]`);
    for (const fa of ra.section.figures) {
      const fb = rb.section.figures.find((f) => key(f.name, db) === key(fa.name, da) && f.unit === fa.unit);
      // Only times and rates: a speed-up of a memory figure or of a ratio-valued figure means nothing.
      if (!fb || fa.repeats === 0 || !(fa.unit === 's' || fa.unit.endsWith('/s'))) continue;
      const speedup = lowerIsBetter(fa.unit) ? fb.median / fa.median : fa.median / fb.median;
      console.log(`    ${key(fa.name, da).padEnd(64)} ${fmt(fa.median).padStart(9)} vs ${fmt(fb.median).padStart(9)} ${fa.unit.padEnd(9)} ${fmt(speedup).padStart(7)}×`);
      rows++;
    }
  }
  if (rows === 0) console.log('  (no figure in common)');
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        device: { type: 'string', default: 'cpu' },
        sections: { type: 'string' },
        quick: { type: 'boolean', default: false },
        out: { type: 'string' },
        probe: { type: 'boolean', default: false },
        compare: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    return 2;
  }
  const { values: v, positionals: words } = args;
  if (v.help) {
    console.log(USAGE);
    console.log(`sections: ${Object.entries(SECTIONS).map(([k, e]) => `${k}${e.devices === 'cpu' ? ' (cpu only)' : ''}`).join(', ')}`);
    return 0;
  }
  if (v.compare) {
    if (words.length !== 2) {
      console.error('bench: --compare takes two results files');
      return 2;
    }
    compare(words[0], words[1]);
    return 0;
  }
  const requested = v.device as Device;
  if (!['cpu', 'webgpu', 'cuda', 'auto'].includes(requested)) {
    console.error(`bench: --device must be cpu, webgpu, cuda or auto, got "${requested}"`);
    return 2;
  }
  let choice: DeviceChoice;
  try {
    choice = await chooseDevice(requested);
  } catch (e) {
    console.error(`bench: ${isNeurogateError(e) ? e.oneLine() : (e as Error).message}`);
    return 2;
  }
  if (v.probe) {
    console.log(`device ${requested} → ${choice.device} (${choice.reason})`);
    return 0;
  }
  let picked: [string, SectionEntry][];
  let skipped: string[];
  try {
    ({ picked, skipped } = pickSections(v.sections, words, choice.device));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`bench: ${e.message}`);
    return 2;
  }
  const m = machine();
  console.log(`neurogate bench — onnxruntime-node ${ortVersion}, node ${m.node}, ${m.cpus} cores (${m.cpuModel}), device ${requested} → ${choice.device} (${choice.reason})${v.quick ? ', quick settings' : ''}`);
  if (skipped.length) console.log(`skipped cpu-only sections on ${choice.device}: ${skipped.join(', ')} (name them to run them anyway)`);
  const results: ResultsFile['results'] = [];
  const out = path.resolve(v.out ?? path.join(path.dirname(new URL(import.meta.url).pathname), 'results.json'));
  // Written after every section: a run stopped by a time limit keeps what it measured.
  const save = () => {
    const file: ResultsFile = { date: new Date().toISOString(), machine: m, onnxruntime: ortVersion, device: { requested, ...choice }, quick: v.quick, results };
    fs.writeFileSync(out, JSON.stringify(file, null, 2));
  };
  for (const [key, entry] of picked) {
    try {
      const section = await entry.run({ device: entry.devices === 'cpu' ? 'cpu' : choice.device, quick: v.quick });
      if (entry.devices === 'cpu' && choice.device !== 'cpu') section.title += ' [cpu-only section: ran on cpu]';
      printSection(section);
      results.push({ key, section });
    } catch (e) {
      const msg = isNeurogateError(e) ? e.oneLine() : (e as Error).message;
      console.log(`\n## ${key}: FAILED — ${msg}`);
      results.push({ key, error: msg });
    }
    save();
  }
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
  return results.some((r) => r.error) ? 1 : 0;
}

process.exitCode = await main();
