import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCurveNet, LAYERS } from '../../src/reimpl/network.ts';
import { inhibitionAblation } from '../../src/reimpl/ablation.ts';
import { sweepModel, type SweepRequest } from '../../src/reimpl/measure.ts';
import { reimplCurvesEntry } from '../../src/reimpl/zoo.ts';
import { registerZooModel } from '../../src/models/zoo/index.ts';
import { loadModel } from '../../src/models/load.ts';
import { listLayers } from '../../src/models/catalog.ts';
import { exportCommand } from '../../src/cli/export.ts';
import { decodeModel, num } from '../../src/engine/onnx.ts';
import { makeNet } from '../../src/engine/net.ts';
import { run } from '../../src/engine/session.ts';
import { tuning2d } from '../../src/probes/neuron/tuning.ts';
import { circularDistance } from '../../src/probes/neuron/angles.ts';
import { measureTuning } from '../../src/probes/neuron/tuning-probe.ts';
import { createForwardEngine } from '../../src/probe/forward.ts';
import { createActivationCache } from '../../src/probe/cache.ts';
import { renderStimulus } from '../../src/stimuli/index.ts';
import { toModelInput } from '../../src/stimuli/image.ts';
import { makeRng } from '../../src/util/rng.ts';

// Curve detectors in InceptionV1 mixed3b echo 0.00–0.03 (Cammarata et al. 2020). The hand-built
// curves measure 0.000 for every unit (ReLU after the opposite-orientation inhibition); the bound
// is the published range's top.
const CURVE_ECHO_BOUND = 0.03;
// Early curves only inhibit perpendicular lines, so they keep some echo (InceptionV1 mixed3a: ≈0.25
// on average); measured 0.07–0.12 here at radius 12.
const EARLY_ECHO_BOUND = 0.3;

const net = buildCurveNet();
const sweep = (radius: number): SweepRequest => ({ stimulus: { kind: 'curve', width: 5 }, sweep: { orientation: { from: 0, to: 360, step: 5 }, radius: [radius] } });
const CURVES_REQ = sweep(24);
let curvesSweep: Awaited<ReturnType<typeof sweepModel>>;

test('the emitted graph runs on the engine and names its layers in the catalog', async () => {
  const layers = await listLayers(net.model);
  for (const name of ['gabor', 'lines', 'early_curves', 'curves']) {
    const l = layers.find((x) => x.name === name);
    assert.ok(l, `layer ${name} is listed`);
    assert.ok(layers.some((x) => x.name === `${name}:preact`), `${name}:preact is listed`);
  }
  for (const t of LAYERS) assert.ok(layers.some((x) => x.tensor === t), `tensor ${t}`);
  const curves = layers.find((x) => x.name === 'curves')!;
  assert.equal(curves.shape, [24, 32, 32]);
  const params = net.model.net.model.graph!.initializer.reduce((s, t) => s + t.dims.reduce((a: number, d) => a * num(d), 1), 0);
  console.log(`weights: ${params}`);
});

test('every curve unit peaks at its designed orientation ± half the family step, with echo ≤ the bound', async () => {
  curvesSweep = await sweepModel(net.model, 'curves', CURVES_REQ);
  const orientations = net.families.curves.orientations;
  const half = 360 / orientations.length / 2;
  let worstPeak = 0;
  let worstEcho = 0;
  orientations.forEach((designed, u) => {
    const t = tuning2d(curvesSweep.angles, curvesSweep.radii, curvesSweep.curves[u]).best;
    const err = circularDistance(t.peakDeg, designed);
    worstPeak = Math.max(worstPeak, err);
    assert.ok(err <= half, `unit ${u}: peak ${t.peakDeg.toFixed(2)}° vs designed ${designed}° (± ${half}°)`);
    assert.ok(t.echo !== null && t.echo <= CURVE_ECHO_BOUND, `unit ${u}: echo ${t.echo}`);
    worstEcho = Math.max(worstEcho, t.echo!);
    assert.ok(t.peak > 0 && t.selectivity > 0.5, `unit ${u}: a selective positive peak (${t.peak}, ${t.selectivity})`);
  });
  console.log(`curves: worst peak error ${worstPeak.toFixed(2)}° (bound ${half}°), worst echo ${worstEcho.toFixed(4)} (bound ${CURVE_ECHO_BOUND})`);
});

test('early curves: peaks at the designed orientation ± half a step, echo below the bound but not zero', async () => {
  const s = await sweepModel(net.model, 'early_curves', sweep(12));
  const orientations = net.families.early_curves.orientations;
  const half = 360 / orientations.length / 2;
  const echoes: number[] = [];
  orientations.forEach((designed, u) => {
    const t = tuning2d(s.angles, s.radii, s.curves[u]).best;
    assert.ok(circularDistance(t.peakDeg, designed) <= half, `unit ${u}: peak ${t.peakDeg} vs ${designed}`);
    echoes.push(t.echo ?? 1);
  });
  console.log(`early curves: echo ${Math.min(...echoes).toFixed(3)}–${Math.max(...echoes).toFixed(3)}`);
  assert.ok(Math.max(...echoes) <= EARLY_ECHO_BOUND);
  assert.ok(Math.min(...echoes) > 0.02, 'without opposite-orientation inhibition the early curves do echo');
});

test('ablation, measured: without the inhibition the echo comes back, by parameter and by the keep-positive edit alike', async () => {
  const a = await inhibitionAblation(net.params, CURVES_REQ, 'cpu', curvesSweep);
  const [built, off, kept] = a.variants;
  console.log(`mean echo: built ${built.meanEcho.toFixed(4)}, curves.inhibition 0 → ${off.meanEcho.toFixed(4)}, keep-positive → ${kept.meanEcho.toFixed(4)}; mean peak ${built.meanPeak.toExponential(3)} → ${off.meanPeak.toExponential(3)}`);
  assert.ok(a.echoIncrease >= 0.15, `echo increase ${a.echoIncrease}`);
  assert.ok(a.keepPositiveEchoIncrease >= 0.15, `keep-positive echo increase ${a.keepPositiveEchoIncrease}`);
  assert.ok(a.editVsParameter <= 0.02, `edit vs parameter ${a.editVsParameter}`);
  // Every unit, not just the mean: the inhibition is what suppressed its echo.
  off.echo.forEach((e, u) => assert.ok(e !== null && e > built.echo[u]! + 0.1, `unit ${u}: ${built.echo[u]} → ${e}`));
});

test('the tuning probe of the neuron probes applies to the hand-built network unchanged', async () => {
  const engine = createForwardEngine(net.model, 'cpu', { cache: createActivationCache(), batchSize: 32 });
  const layer = (await listLayers(net.model)).find((l) => l.name === 'curves')!;
  const out = await measureTuning({ layer, units: [0, 6, 12, 18], stimulus: { kind: 'curve', width: 5 }, sweep: { orientation: { from: 0, to: 360, step: 10 }, radius: [24] } }, engine, makeRng(3));
  const peaks = out.measurements['tuning.peak_deg'] as number[];
  [0, 90, 180, 270].forEach((d, i) => assert.ok(circularDistance(peaks[i], d) < 7.5, `unit ${i * 6}: ${peaks[i]}`));
  assert.ok(Math.abs((out.measurements['family.largest_gap_deg'] as number) - 90) < 10);
});

test('zoo:reimpl-curves loads through the zoo and `neurogate export` writes a model that gives the same outputs', async () => {
  registerZooModel(reimplCurvesEntry);
  const m = await loadModel('zoo:reimpl-curves');
  assert.is(m.net.hash, net.model.net.hash, 'the zoo builds the default network');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reimpl-'));
  const file = path.join(dir, 'curves.onnx');
  const log = console.log;
  console.log = () => {};
  try {
    assert.is(await exportCommand(['zoo:reimpl-curves', file]), 0);
  } finally {
    console.log = log;
  }
  const back = makeNet(decodeModel(fs.readFileSync(file)), file);
  const x = toModelInput(renderStimulus({ kind: 'curve', orientation: 30, radius: 20, width: 5 }, { width: 128, height: 128 }), m.preprocess);
  const a = await run(m.net, { image: x }, ['curves']);
  const b = await run(back, { image: x }, ['curves']);
  assert.equal(a.curves.dims, b.curves.dims);
  let worst = 0;
  a.curves.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b.curves.data[i]))));
  assert.ok(worst === 0, `exported model differs by ${worst}`);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('grey inside the graph: a stimulus in any colour gives the response of its luminance', async () => {
  const size = { width: 128, height: 128 };
  const colour = renderStimulus({ kind: 'curve', orientation: 90, radius: 20, width: 5, ink: '#204080', background: '#f0e0c0' }, size);
  const grey = renderStimulus({ kind: 'curve', orientation: 90, radius: 20, width: 5, ink: 0.299 * 0x20 + 0.587 * 0x40 + 0.114 * 0x80, background: 0.299 * 0xf0 + 0.587 * 0xe0 + 0.114 * 0xc0 }, size);
  const a = await run(net.model.net, { image: toModelInput(colour, net.model.preprocess) }, ['curves']);
  const b = await run(net.model.net, { image: toModelInput(grey, net.model.preprocess) }, ['curves']);
  let worst = 0;
  let scale = 0;
  a.curves.data.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - b.curves.data[i])); scale = Math.max(scale, Math.abs(v)); });
  assert.ok(worst <= 1e-4 * scale + 1e-7, `colour vs grey: ${worst} (scale ${scale})`);
});

test.run();
