// `neurogate diff <baseline> <candidate>`: what changed inside between two versions of a model,
// layer by layer (CKA, matched units, moved units' tuning), plus logit and attribution drift;
// printed like `git diff --stat`, written as JSON and HTML. Exit 0 · 1 changed (with --exit-code) · 2 · 3.
import fs from 'node:fs';
import path from 'node:path';
import { diffModels, diffSteps, isIdentical } from '../compare/diff.ts';
import { diffHtml, formatDiff } from './diff-format.ts';
import { chooseDevice, type Device } from '../engine/session.ts';
import { badInput, EXIT } from '../errors.ts';
import { listLayers, type LayerInfo } from '../models/catalog.ts';
import { loadModel } from '../models/load.ts';
import type { ImportedModel } from '../models/types.ts';
import { methodNamed, methods as allMethods, type MethodName } from '../probes/attribution/index.ts';
import { createProgress } from '../run/progress.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { parse } from './args.ts';
import { readFolder } from './scan.ts';

const USAGE = 'neurogate diff <baseline> <candidate> [--layers a,b,…] [--images <dir>] [--methods gradient,…|none] [--threshold <r>] [--orientations N] [--device auto|cpu|webgpu|cuda] [--batch N] [--json] [--report-dir <dir>] [--exit-code] [--quiet]';

const OPTIONS = {
  layers: { type: 'string' },
  images: { type: 'string' },
  methods: { type: 'string' },
  threshold: { type: 'string' },
  orientations: { type: 'string' },
  device: { type: 'string' },
  batch: { type: 'string' },
  json: { type: 'boolean' },
  'report-dir': { type: 'string' },
  quiet: { type: 'boolean' },
  'exit-code': { type: 'boolean' },
} as const;

/** Default layers: up to 8 spread evenly over the spatial layers (the named ones when the model names its layers). */
export function defaultLayers(layers: readonly LayerInfo[], model: ImportedModel, most = 8): string[] {
  const aliases = new Set(Object.keys(model.layerAliases ?? {}));
  // Spatial maps with more channels than an image has: not the input, its padding or reshapes.
  let pool = layers.filter((l) => l.shape.length === 3 && l.shape[0] > 3 && l.shape[1] > 1 && !['Input', 'Pad', 'Reshape', 'Transpose'].includes(l.op));
  if (aliases.size > 0 && pool.some((l) => aliases.has(l.name))) pool = pool.filter((l) => aliases.has(l.name));
  if (pool.length <= most) return pool.map((l) => l.name);
  return Array.from({ length: most }, (_, i) => pool[Math.round((i * (pool.length - 1)) / (most - 1))].name);
}

function numberOpt(v: string | undefined, name: string, ok: (n: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || !ok(n)) throw badInput('E_ARGS', `--${name} ${v} is not ${what}`, undefined, `usage: ${USAGE}`);
  return n;
}

export async function diffCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, USAGE);
  if (positionals.length !== 2) throw badInput('E_ARGS', 'give a baseline and a candidate model', undefined, `usage: ${USAGE}`);
  const threshold = numberOpt(values.threshold, 'threshold', (n) => n >= -1 && n <= 1, 'a correlation in [−1, 1]') ?? 0.8;
  const orientations = numberOpt(values.orientations, 'orientations', (n) => Number.isInteger(n) && n >= 0 && n <= 360, 'an integer in 0..360') ?? 16;
  const batch = numberOpt(values.batch, 'batch', (n) => Number.isInteger(n) && n >= 1 && n <= 1024, 'an integer in 1..1024') ?? 8;
  const methods = values.methods === undefined ? (['gradient'] as MethodName[]) : values.methods === 'none' ? [] : values.methods.split(',').map((m) => m.trim());
  for (const m of methods) if (!methodNamed(m)) throw badInput('E_ARGS', `--methods: unknown attribution method "${m}"`, undefined, `one or more of ${allMethods().map((d) => d.name).join(', ')}, or none`);
  const device = (values.device ?? 'auto') as Device;
  if (!['auto', 'cpu', 'webgpu', 'cuda'].includes(device)) throw badInput('E_ARGS', `--device ${device} is unknown`, undefined, 'one of auto, cpu, webgpu, cuda');
  const images = values.images ? readFolder(values.images) : [];

  const [refA, refB] = positionals;
  const baseline = await loadModel(refA);
  const candidate = await loadModel(refB);
  const layers = values.layers ? values.layers.split(',').map((s) => s.trim()).filter(Boolean) : defaultLayers(await listLayers(baseline), baseline);
  const chosen = await chooseDevice(device);
  const opts = { layers, images, orientations, threshold, methods: methods as MethodName[], batchSize: batch, device: chosen.device };

  const progress = createProgress({ quiet: values.quiet || values.json, intervalMs: 5000 });
  progress.start(diffSteps(baseline, candidate, opts));
  const t0 = performance.now();
  let result;
  try {
    result = await diffModels(baseline, candidate, { ...opts, onStep: (l) => progress.tick(l) });
  } finally {
    progress.stop();
  }
  const meta = { baseline: refA, candidate: refB, seconds: (performance.now() - t0) / 1000 };
  const identical = isIdentical(result);
  const { maps: _maps, ...numbers } = result;
  const json = JSON.stringify({ ...meta, hashes: { baseline: baseline.net.hash, candidate: candidate.net.hash }, device: chosen.device, identical, ...numbers }, null, 2);
  if (values.json) console.log(json);
  else console.log(formatDiff(result, meta));
  const dir = values['report-dir'] ?? 'reports';
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'diff.json'), json);
  writeFileAtomic(path.join(dir, 'diff.html'), diffHtml(result, meta));
  if (!values.json && !values.quiet) console.error(`neurogate: wrote ${path.join(dir, 'diff.json')} and diff.html`);
  // As `git diff --exit-code`: a changed model fails only when asked to.
  return values['exit-code'] && !identical ? EXIT.failed : EXIT.pass;
}
