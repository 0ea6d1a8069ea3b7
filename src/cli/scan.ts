// `neurogate scan <model> --layer <name> --stimulus curve`: rank every unit of a layer by how
// well an oriented stimulus family explains it, print the ranking (or JSON), exit 0 · 2 · 3.
import fs from 'node:fs';
import path from 'node:path';
import { chooseDevice, DEVICES, type Device } from '../engine/session.ts';
import { badInput, EXIT } from '../errors.ts';
import { resolveLayer } from '../models/catalog.ts';
import { loadModel } from '../models/load.ts';
import { scanLayer, type ScanResult } from '../probes/neuron/scan.ts';
import { createActivationCache } from '../probe/cache.ts';
import { createForwardEngine } from '../probe/forward.ts';
import { readImage } from '../stimuli/image.ts';
import { POLARITIES, type StimulusInput, type SweepSpec } from '../stimuli/index.ts';
import { parse } from './args.ts';
// Entry kinds bring zoo models of their own (zoo:reimpl-curves): register them before a model is named.
import '../kinds/index.ts';

const USAGE = 'neurogate scan <model> --layer <name> [--stimulus curve|line|angle|grating] [--top K] [--step <deg>] [--radius r1,r2,…] [--width <px>] [--polarity dark-on-light|light-on-dark] [--position y,x] [--images <dir>] [--device auto|cpu|webgpu|cuda] [--batch N] [--json]';

const OPTIONS = {
  layer: { type: 'string' },
  stimulus: { type: 'string' },
  top: { type: 'string' },
  step: { type: 'string' },
  radius: { type: 'string' },
  width: { type: 'string' },
  polarity: { type: 'string' },
  position: { type: 'string' },
  images: { type: 'string' },
  device: { type: 'string' },
  batch: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Kinds with an orientation to sweep. */
const ORIENTED = ['curve', 'line', 'angle', 'grating'] as const;

function numberOpt(v: string | undefined, name: string, check: (n: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || !check(n)) throw badInput('E_ARGS', `--${name} ${v} is not ${what}`, undefined, `usage: ${USAGE}`);
  return n;
}

function listOpt(v: string | undefined, name: string): number[] | undefined {
  if (v === undefined) return undefined;
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x) || x <= 0)) throw badInput('E_ARGS', `--${name} ${v} is not a comma-separated list of positive numbers`, undefined, `e.g. --${name} 16,32,64`);
  return xs;
}

export async function scanCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, USAGE);
  if (positionals.length !== 1) throw badInput('E_ARGS', 'give exactly one model', undefined, `usage: ${USAGE}`);
  if (!values.layer) throw badInput('E_ARGS', '--layer is required', undefined, `usage: ${USAGE} (list layers with \`neurogate layers ${positionals[0]}\`)`);
  const kind = values.stimulus ?? 'curve';
  if (!(ORIENTED as readonly string[]).includes(kind)) throw badInput('E_ARGS', `--stimulus ${kind} cannot be scanned: it has no orientation`, undefined, `use one of ${ORIENTED.join(', ')}`);
  const top = numberOpt(values.top, 'top', (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1') ?? 20;
  const step = numberOpt(values.step, 'step', (n) => n > 0 && n <= 90, 'a step in (0, 90] degrees') ?? 5;
  const width = numberOpt(values.width, 'width', (n) => n > 0, 'a positive width in pixels');
  const batch = numberOpt(values.batch, 'batch', (n) => Number.isInteger(n) && n >= 1 && n <= 1024, 'an integer in 1..1024') ?? 16;
  const radius = listOpt(values.radius, 'radius');
  if (radius && kind !== 'curve') throw badInput('E_ARGS', '--radius applies to --stimulus curve only', undefined, `usage: ${USAGE}`);
  let position: [number, number] | undefined;
  if (values.position !== undefined) {
    const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(values.position);
    if (!m) throw badInput('E_ARGS', `--position ${values.position} is not "y,x"`, undefined, 'e.g. --position 17,17 (row, column in the layer grid)');
    position = [Number(m[1]), Number(m[2])];
  }
  const polarity = values.polarity;
  if (polarity !== undefined && !(POLARITIES as readonly string[]).includes(polarity)) throw badInput('E_ARGS', `--polarity ${polarity} is unknown`, undefined, `one of ${POLARITIES.join(', ')}`);
  const device = (values.device ?? 'auto') as Device;
  if (!(DEVICES as readonly string[]).includes(device)) throw badInput('E_ARGS', `--device ${device} is unknown`, undefined, `one of ${DEVICES.join(', ')}`);

  const model = await loadModel(positionals[0]);
  const layer = await resolveLayer(model, values.layer, '--layer');
  if (layer.shape.length !== 3) throw badInput('E_ARGS', `layer "${layer.name}" has shape [${layer.shape.join(', ')}], not a spatial [C, H, W] map`, '--layer', 'scan a convolutional layer');
  const images = values.images ? readFolder(values.images) : undefined;
  const chosen = await chooseDevice(device);
  const engine = createForwardEngine(model, chosen.device, { cache: createActivationCache(256 * 1024 ** 2), batchSize: batch });

  const stimulus = { kind, ...(width ? { width } : {}), ...(polarity ? { polarity } : {}) } as StimulusInput;
  // Undefined sweep for curves = the scan's default (radii scaled to the receptive field).
  const sweep: SweepSpec | undefined = kind === 'curve' && !radius && values.step === undefined
    ? undefined
    : { orientation: { from: 0, to: 360, step }, ...(radius ? { radius } : {}) };
  const t0 = performance.now();
  const result = await scanLayer({ layer, stimulus, sweep: sweep ?? defaultFor(kind, step), position, images }, engine);
  const seconds = (performance.now() - t0) / 1000;
  if (values.json) {
    console.log(JSON.stringify({
      model: positionals[0], hash: model.net.hash, device: chosen.device, layer: layer.name, tensor: layer.tensor, stimulus, sweep: sweep ?? defaultFor(kind, step) ?? 'default',
      placement: result.placement, crop: result.crop ?? null, axis: result.axis ?? null, reference: result.reference, stimuli: result.stimuli, seconds: Number(seconds.toFixed(2)),
      rows: result.rows.slice(0, top),
    }, null, 2));
  } else {
    console.log(formatScan(positionals[0], result, top, seconds, chosen.device));
  }
  return EXIT.pass;
}

/** Curves keep the receptive-field-scaled default; other kinds sweep orientation only. */
function defaultFor(kind: string, step: number): SweepSpec | undefined {
  return kind === 'curve' ? undefined : { orientation: { from: 0, to: 360, step } };
}

const IMAGE_EXT = /\.(png|jpe?g)$/i;

function readFolder(dir: string): { label: string; image: ReturnType<typeof readImage> }[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => IMAGE_EXT.test(n)).sort();
  } catch {
    throw badInput('E_ARGS', 'cannot read the --images folder', dir, 'give a folder of PNG or JPEG images');
  }
  if (names.length === 0) throw badInput('E_ARGS', 'the --images folder holds no PNG or JPEG files', dir, 'give a folder of PNG or JPEG images');
  return names.map((n) => ({ label: n, image: readImage(path.join(dir, n)) }));
}

export function formatScan(ref: string, r: ScanResult, top: number, seconds: number, device: string): string {
  const second = r.axis ? `best ${r.axis.param}` : '';
  const head = ['rank', 'unit', 'branch', 'score', 'peak°', 'FWHM°', 'echo', 'select.', 'strength', ...(second ? [second] : [])];
  const f = (v: number | null | undefined, d: number) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));
  const rows = r.rows.slice(0, top).map((x) => [String(x.rank), String(x.unit), x.branch ?? '', f(x.score, 2), f(x.peakDeg, 1), f(x.fwhmDeg, 1), f(x.echo, 3), f(x.selectivity, 3), f(x.strength, 1), ...(second ? [String(x.best ?? '')] : [])]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]) => row.map((c, i) => (i < 2 || i > 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const where = `position [y ${r.placement.position.y}, x ${r.placement.position.x}], stimuli centred at (${r.placement.center.x}, ${r.placement.center.y})`;
  return [
    `${ref} ${r.layer}: ${r.rows.length} units scanned with ${r.stimuli} stimuli in ${seconds.toFixed(1)} s on ${device}; ${where}`,
    `score = strength × selectivity × (1 − echo) × contrast; strength in std over the ${r.reference === 'images' ? 'given images' : 'clutter backgrounds'}`,
    fmt(head),
    ...rows.map(fmt),
  ].join('\n');
}
