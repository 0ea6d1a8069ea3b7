// A RunReport built by real code paths, for the report tests: the shapes_cnn model run by
// onnxruntime on rendered line stimuli (a polar tuning curve) and on real scenes (logits, an
// activation heatmap), goldens compared through the golden store, and a real loading error.
// It stands in for `neurogate run` until the runner exists; its numbers come from the model.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadModel } from '../../src/models/load.ts';
import { runBatched, ortVersion } from '../../src/engine/session.ts';
import { renderStimulus } from '../../src/stimuli/index.ts';
import { readImage, toModelInput, resize, encodePng, type RgbImage } from '../../src/stimuli/image.ts';
import { isNeurogateError } from '../../src/errors.ts';
import { openGoldenStore, compareOrBless, compareOrBlessImage, toleranceFor } from '../../src/golden/index.ts';
import type { Artifact, CheckResult, EntryResult, RunReport, SuiteResult } from '../../src/report/model.ts';
import { REPORT_SCHEMA_VERSION } from '../../src/report/model.ts';

const here = path.dirname(new URL(import.meta.url).pathname);
const fixtures = path.join(here, '..', 'fixtures', 'shapes_cnn');
const MODEL = path.join(fixtures, 'shapes_cnn.onnx');
const SPEC = 'specs/shapes.yaml';
const SEED = 7;

function bound(metric: string, observed: number, min: number | undefined, max: number | undefined, line: number): CheckResult {
  const lowOk = min === undefined || observed >= min;
  const highOk = max === undefined || observed <= max;
  const expectation = min !== undefined && max !== undefined ? `between ${min} and ${max}` : min !== undefined ? `≥ ${min}` : `≤ ${max}`;
  const passed = Number.isFinite(observed) && lowOk && highOk;
  const reason = passed ? undefined : !lowOk ? `below the minimum ${min} by ${(min! - observed).toPrecision(3)}` : `above the maximum ${max} by ${(observed - max!).toPrecision(3)}`;
  return { metric, expectation, threshold: { min, max }, observed, passed, reason, where: `${SPEC}:${line}:7` };
}

// Inferno, five anchors: dark low values, bright high ones, readable in greyscale too.
const INFERNO = [[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]];
function inferno(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t)) * (INFERNO.length - 1);
  const i = Math.min(Math.floor(x), INFERNO.length - 2);
  const f = x - i;
  return [0, 1, 2].map((c) => INFERNO[i][c] * (1 - f) + INFERNO[i + 1][c] * f) as [number, number, number];
}

function heatImage(values: Float32Array, w: number, h: number): RgbImage {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const data = new Float32Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set(inferno((values[i] - lo) / (hi - lo || 1)), i * 3);
  return { width: w, height: h, data };
}

function image(name: string, caption: string, img: RgbImage): Artifact {
  return { type: 'image', name, caption, pngBase64: encodePng(img).toString('base64'), width: img.width, height: img.height };
}

function entry(id: string, kind: EntryResult['kind'], line: number, t0: number, rest: Partial<EntryResult>): EntryResult {
  return { id, kind, where: `${SPEC}:${line}:5`, params: {}, seed: SEED, durationMs: performance.now() - t0, measurements: {}, checks: [], artifacts: [], ...rest };
}

export interface RealisticReport {
  report: RunReport;
  /** The folder holding the golden store and the report output (the caller removes it). */
  tmp: string;
}

/** `tmp` (emptied first) holds the goldens; give the same folder twice for byte-identical reports. */
export async function buildRealisticReport(opts: { tmp?: string } = {}): Promise<RealisticReport> {
  const started = new Date();
  const t00 = performance.now();
  const tmp = opts.tmp ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ng-report-'));
  fs.rmSync(path.join(tmp, 'golden'), { recursive: true, force: true });
  fs.rmSync(path.join(tmp, 'reports'), { recursive: true, force: true });
  const model = await loadModel(MODEL);
  const p = model.preprocess;

  // Line tuning: 24 orientations through one batched run, units read at the centre of a mid layer.
  let t0 = performance.now();
  const layer = '/Relu_1_output_0';
  const degs = Array.from({ length: 24 }, (_, i) => i * 15);
  const lineParams = { kind: 'line' as const, length: 60, width: 5 };
  const inputs = degs.map((orientation) => toModelInput(renderStimulus({ ...lineParams, orientation }, { width: p.width, height: p.height }), p));
  const acts = (await runBatched(model.net, model.input.name, inputs, [layer]))[layer];
  const [, C, H, W] = acts[0].dims;
  const centre = (t: { data: Float32Array }, c: number) => t.data[c * H * W + (H >> 1) * W + (W >> 1)];
  const curves = Array.from({ length: C }, (_, c) => acts.map((t) => centre(t, c)));
  const range = (ys: number[]) => Math.max(...ys) - Math.min(...ys);
  const units = curves.map((ys, c) => ({ c, r: range(ys) })).sort((a, b) => b.r - a.r || a.c - b.c).slice(0, 3).map((u) => u.c);
  const main = curves[units[0]];
  const peak = Math.max(...main);
  const peakDeg = degs[main.indexOf(peak)];
  const opposite = main[degs.indexOf((peakDeg + 180) % 360)];
  const tuning = entry('line-tuning', 'neurons', 12, t0, {
    params: { layer, units, position: 'centre', stimulus: { ...lineParams, orientation: { from: 0, to: 345, step: 15 } }, batchSize: 16 },
    measurements: { 'tuning.curve': main, 'tuning.peak': peak, 'tuning.peak_deg': peakDeg, 'tuning.echo': opposite / peak },
    checks: [
      bound('tuning.peak', peak, 0.1, undefined, 18),
      // A line looks the same turned by 180°: the echo of a line detector is near 1.
      bound('tuning.echo', opposite / peak, 0.8, 1.25, 19),
    ],
    artifacts: [
      { type: 'plot', name: 'tuning curve', caption: `units ${units.join(', ')} of ${layer} at the centre`, plot: { kind: 'polar', yLabel: 'activation', series: units.map((u) => ({ name: `unit ${u}`, x: degs, y: curves[u] })) } },
      { type: 'plot', name: 'tuning (linear)', plot: { kind: 'line', xLabel: 'orientation (°)', yLabel: 'activation', series: [{ name: `unit ${units[0]}`, x: degs, y: main }] } },
      image('stimulus at the peak', `line at ${peakDeg}°`, renderStimulus({ ...lineParams, orientation: peakDeg }, { width: p.width, height: p.height })),
    ],
  });

  // Scenes: logits for three classes, a heatmap of the last conv layer on the square scene.
  t0 = performance.now();
  const meta = JSON.parse(fs.readFileSync(path.join(fixtures, 'shapes_cnn.json'), 'utf8')) as { classes: string[]; images: { file: string; label: number; box_x0y0x1y1: number[] }[] };
  const scenes = meta.images.filter((m) => fs.existsSync(path.join(fixtures, m.file)));
  const photos = scenes.map((m) => readImage(path.join(fixtures, m.file)));
  const heatLayer = '/Relu_2_output_0';
  const out = await runBatched(model.net, model.input.name, photos.map((img) => toModelInput(img, p)), ['logits', heatLayer]);
  const logits = out.logits.map((t) => Array.from(t.data));
  const margins = logits.map((l, i) => l[scenes[i].label] - Math.max(...l.filter((_, k) => k !== scenes[i].label)));
  const store = openGoldenStore({ root: path.join(tmp, 'golden'), outDir: path.join(tmp, 'reports'), ci: false });
  const key = { suite: 'shapes-gate', entry: 'classify-scenes', name: 'logits', device: 'cpu' };
  compareOrBless(store, key, logits.flat(), toleranceFor('cpu'), 'bless');
  const golden = compareOrBless(store, key, logits.flat(), toleranceFor('cpu'), 'compare');
  const classify = entry('classify-scenes', 'neurons', 30, t0, {
    params: { images: scenes.map((s) => s.file), outputs: ['logits'], tolerance: toleranceFor('cpu') },
    measurements: Object.fromEntries(scenes.map((s, i) => [`margin.${s.file}`, margins[i]])),
    checks: [
      ...scenes.map((s, i) => bound(`margin.${s.file}`, margins[i], 0, undefined, 34 + i)),
      // Deliberately strict: the gate must show a failure with observed vs threshold.
      bound('margin.min', Math.min(...margins), 12, undefined, 37),
      { ...golden.check, where: `${SPEC}:38:7` },
    ],
    artifacts: [
      { type: 'plot', name: 'logits', caption: 'per scene', plot: { kind: 'bar', yLabel: 'logit', labels: meta.classes, series: scenes.map((s, i) => ({ name: s.file, x: [0, 1, 2], y: logits[i] })) } },
      { type: 'table', name: 'margins', columns: ['scene', 'class', 'margin'], rows: scenes.map((s, i) => [s.file, meta.classes[s.label], margins[i]]) },
    ],
  });

  t0 = performance.now();
  const sq = scenes.findIndex((s) => s.label === 1);
  const [, hc, hh, hw] = out[heatLayer][sq].dims;
  const heat = new Float32Array(hh * hw);
  for (let c = 0; c < hc; c++) for (let i = 0; i < hh * hw; i++) heat[i] += out[heatLayer][sq].data[c * hh * hw + i] / hc;
  const [x0, y0, x1, y1] = scenes[sq].box_x0y0x1y1.map((v) => (v * hw) / p.width);
  let inside = 0;
  let total = 0;
  for (let y = 0; y < hh; y++) for (let x = 0; x < hw; x++) {
    const v = Math.max(0, heat[y * hw + x]);
    total += v;
    if (x + 0.5 >= x0 && x + 0.5 <= x1 && y + 0.5 >= y0 && y + 0.5 <= y1) inside += v;
  }
  const small = heatImage(heat, hw, hh);
  const big = resize(small, p.width, p.height);
  const photo = resize(photos[sq], p.width, p.height);
  const overlay: RgbImage = { width: p.width, height: p.height, data: photo.data.map((v, i) => 0.45 * v + 0.55 * big.data[i]) };
  const heatEntry = entry('square-heatmap', 'masks', 44, t0, {
    params: { image: scenes[sq].file, layer: heatLayer, reduce: 'mean over channels', box: scenes[sq].box_x0y0x1y1 },
    measurements: { 'heat.in_box': inside / total },
    checks: [bound('heat.in_box', inside / total, 0.05, undefined, 49)],
    artifacts: [image('scene', scenes[sq].file, photos[sq]), image('heatmap', `${heatLayer}, ${hw}×${hh}`, small), image('overlay', 'heatmap over the scene', overlay)],
  });

  // An image golden that no longer matches: recorded at 90°, compared at 100°.
  t0 = performance.now();
  const curveAt = (orientation: number) => renderStimulus({ kind: 'curve', orientation, radius: 24, width: 4 }, { width: 96, height: 96 });
  const ikey = { suite: 'shapes-gate', entry: 'curve-render', name: 'curve' };
  compareOrBlessImage(store, ikey, curveAt(90), { maxDiffRatio: 0.002 }, 'bless');
  const img = compareOrBlessImage(store, ikey, curveAt(100), { maxDiffRatio: 0.002 }, 'compare');
  const render = entry('curve-render', 'neurons', 52, t0, {
    params: { stimulus: { kind: 'curve', orientation: 100, radius: 24, width: 4 }, size: [96, 96] },
    checks: [{ ...img.check, where: `${SPEC}:55:7` }],
    artifacts: img.artifacts,
  });

  // A real loading error: the entry could not run.
  t0 = performance.now();
  let error: EntryResult['error'];
  try {
    await loadModel(path.join(fixtures, 'no-such-model.onnx'));
  } catch (e) {
    if (!isNeurogateError(e)) throw e;
    error = { code: e.code, message: `${e.where ? `${path.relative(process.cwd(), e.where)}: ` : ''}${e.message}`, hint: e.hint };
  }
  const broken = entry('baseline-model', 'circuits', 60, t0, { params: { model: 'no-such-model.onnx' }, error });

  const suites: SuiteResult[] = [
    { file: SPEC, suite: 'shapes-neurons', model: { ref: 'test/fixtures/shapes_cnn/shapes_cnn.onnx', hash: model.net.hash }, entries: [tuning, heatEntry] },
    { file: SPEC, suite: 'shapes-gate', model: { ref: 'test/fixtures/shapes_cnn/shapes_cnn.onnx', hash: model.net.hash }, baseline: { ref: 'no-such-model.onnx', hash: 'unavailable' }, entries: [classify, render, broken] },
  ];
  const all = suites.flatMap((s) => s.entries);
  const checks = all.flatMap((e) => e.checks);
  const failed = checks.filter((c) => !c.passed).length;
  const errors = all.filter((e) => e.error).length;
  const report: RunReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'neurogate', version: '0.1.0' },
    startedAt: started.toISOString(),
    durationMs: performance.now() - t00,
    environment: { node: process.version, onnxruntime: ortVersion, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length },
    seed: SEED,
    device: { requested: 'cpu', used: 'cpu', reason: 'requested' },
    options: { filter: null, reportDir: 'reports' },
    suites,
    summary: { suites: suites.length, entries: all.length, checks: checks.length, passed: checks.length - failed, failed, errors },
    exitCode: errors ? 2 : failed ? 1 : 0,
  };
  return { report, tmp };
}
