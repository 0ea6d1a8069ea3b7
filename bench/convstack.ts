// The conv-stack benchmark of issue #12: ten 3×3 convolutions, 64 → 64 channels, ReLU between,
// batch 8 at 224², built as an ONNX graph and timed on one device in GFLOP/s against cuDNN fp32.
//
// Three graphs, timed in interleaved rounds so machine load hits all alike:
// - host I/O: the stack as a probe sees it (input uploaded, every output value read back), run
//   both by raw onnxruntime and by the engine's run() — their ratio is the engine's overhead;
// - on-device: one image uploaded, Expand-ed to the batch on the device, outputs reduced to one
//   number per image, so the time is the convolutions' and not PCIe's — the figure compared with
//   cuDNN, which was timed on data already on the GPU;
// - on a GPU also the on-device graph under the WebGPU EP's preferred layout NHWC, and the host
//   I/O outputs checked against the CPU EP within the WebGPU tolerances of
//   ../shared/science/featureviz-and-gating.md (abs 1e-3 + rel 1e-5).
import { createRequire } from 'node:module';
import os from 'node:os';
import type * as OrtNs from 'onnxruntime-node';
import { createModel, node, floatTensorProto, int64TensorProto } from '../src/engine/graph.ts';
import { encodeModel, type ModelProto } from '../src/engine/onnx.ts';
import { makeNet } from '../src/engine/net.ts';
import { run, releaseAll, type ConcreteDevice } from '../src/engine/session.ts';
import { makeRng, normal, type Rng } from '../src/util/rng.ts';
import { summarize, ratio, type Figure, type Section } from './lib.ts';

const require = createRequire(import.meta.url);
const ort: typeof OrtNs = require('onnxruntime-node');

/**
 * PyTorch/cuDNN fp32 on this very stack on an H100, as issue #12 records it (≈ 38 TFLOP/s; the
 * WebGPU EP reached ≈ 1.5 there, DESIGN.md). A stored number, not measured in the run: no cuDNN
 * can run under Node, so this one ratio cannot have an in-run reference.
 */
export const CUDNN_FP32_GFLOPS = 38_000;
/** Issue #12's target: WebGPU at 25% or more of cuDNN fp32 on the same stack. */
export const WEBGPU_TARGET_OF_CUDNN = 0.25;

export interface ConvStackShape {
  layers: number;
  channels: number;
  batch: number;
  size: number;
}

export interface ConvStackOptions extends Partial<ConvStackShape> {
  device?: ConcreteDevice;
  /** Timed rounds (each times every configuration once). */
  repeats?: number;
  /** Seed of the weights and of the input. */
  seed?: number;
}

/** Multiply-adds × 2 of the convolutions (ReLU, Expand and the final mean are not counted). */
export function convStackFlops(s: ConvStackShape): number {
  return 2 * s.batch * s.channels * s.size * s.size * s.channels * 9 * s.layers;
}

/** He-normal 3×3 kernels (std √(2 / fan-in)) so ReLU activations keep their scale through the stack. */
function kernels(s: ConvStackShape, rng: Rng): Float32Array[] {
  const fanIn = s.channels * 9;
  const std = Math.sqrt(2 / fanIn);
  return Array.from({ length: s.layers }, () => Float32Array.from({ length: s.channels * fanIn }, () => std * normal(rng)));
}

/**
 * The stack as an ONNX graph. `onDevice`: input `x` is one image [1, C, S, S], Expand-ed to the
 * batch, and output `y` is each image's mean [B, 1, 1, 1]; otherwise `x` and `y` are both
 * [B, C, S, S].
 */
export function convStackModel(s: ConvStackShape, weights: Float32Array[], onDevice: boolean): ModelProto {
  const { layers, channels: c, batch: b, size } = s;
  const nodes = [];
  const inits = weights.map((w, i) => floatTensorProto(`w${i}`, { dims: [c, c, 3, 3], data: w }));
  let cur = 'x';
  if (onDevice) {
    inits.push(int64TensorProto('batch_shape', [4], [b, c, size, size]));
    nodes.push(node('Expand', ['x', 'batch_shape'], ['xb']));
    cur = 'xb';
  }
  for (let i = 0; i < layers; i++) {
    const conv = i === layers - 1 && !onDevice ? 'y' : `conv${i}`;
    nodes.push(node('Conv', [cur, `w${i}`], [conv], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }));
    cur = conv;
    if (i < layers - 1) {
      nodes.push(node('Relu', [cur], [`relu${i}`]));
      cur = `relu${i}`;
    }
  }
  if (onDevice) nodes.push(node('ReduceMean', [cur], ['y'], { axes: { ints: [1, 2, 3] }, keepdims: { i: 1 } }));
  return createModel({
    name: `convstack_${layers}x${c}_${onDevice ? 'on_device' : 'host_io'}`,
    inputs: [{ name: 'x', dims: onDevice ? [1, c, size, size] : [b, c, size, size] }],
    outputs: [{ name: 'y', dims: onDevice ? [b, 1, 1, 1] : [b, c, size, size] }],
    nodes,
    initializers: inits,
  });
}

/** Session options as the engine's own sessions use them (session.ts), so raw vs engine differ only in the engine. */
function sessionOptions(device: ConcreteDevice, layout?: 'NCHW' | 'NHWC'): OrtNs.InferenceSession.SessionOptions {
  const threads = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const gpu = layout ? { name: device, preferredLayout: layout } : device;
  return {
    executionProviders: (device === 'cpu' ? ['cpu'] : [gpu, 'cpu']) as never,
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  };
}

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

interface Config {
  name: string;
  call: () => Promise<unknown>;
}

/** Largest |a − e| and whether every element is within atol + rtol·|e|. */
function agreement(actual: Float32Array, expected: Float32Array, atol: number, rtol: number): { maxAbs: number; within: boolean; scale: number } {
  let maxAbs = 0;
  let within = true;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= atol + rtol * Math.abs(expected[i]))) within = false;
    if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? NaN : d;
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return { maxAbs, within, scale };
}

export async function benchConvStack(o: ConvStackOptions = {}): Promise<Section> {
  const shape: ConvStackShape = { layers: o.layers ?? 10, channels: o.channels ?? 64, batch: o.batch ?? 8, size: o.size ?? 224 };
  const device = o.device ?? 'cpu';
  const repeats = Math.max(1, o.repeats ?? 5);
  const rng = makeRng(o.seed ?? 12);
  const weights = kernels(shape, rng);
  const { batch: b, channels: c, size } = shape;
  const x = Float32Array.from({ length: b * c * size * size }, rng);
  const one = x.subarray(0, c * size * size);
  const flops = convStackFlops(shape);

  const hostModel = convStackModel(shape, weights, false);
  const deviceModel = convStackModel(shape, weights, true);
  const hostBytes = encodeModel(hostModel);
  const deviceBytes = encodeModel(deviceModel);
  const net = makeNet(hostModel, 'bench:convstack');
  const xHost = new ort.Tensor('float32', x, [b, c, size, size]);
  const xOne = new ort.Tensor('float32', one, [1, c, size, size]);

  const sessions: OrtNs.InferenceSession[] = [];
  const open = async (bytes: Uint8Array, layout?: 'NCHW' | 'NHWC') => {
    const s = await ort.InferenceSession.create(bytes, sessionOptions(device, layout));
    sessions.push(s);
    return s;
  };
  const notes: string[] = [
    `${shape.layers} × Conv 3×3 ${c}→${c} (pad 1) with ReLU between, batch ${b}, ${size}²: ${(flops / 1e9).toFixed(1)} GFLOP per run (2 × multiply-adds; ReLU, Expand and the mean not counted)`,
    'host I/O: the input uploaded and every output value read back (what a probe pays); on-device: one image uploaded and Expand-ed to the batch, one mean per image read back',
  ];
  try {
    const rawHost = await open(hostBytes);
    const rawDevice = await open(deviceBytes);
    const configs: Config[] = [
      { name: `raw onnxruntime ${device}, host I/O`, call: () => rawHost.run({ x: xHost }) },
      { name: `engine run() ${device}, host I/O`, call: () => run(net, { x: { dims: [b, c, size, size], data: x } }, ['y'], { device }) },
      { name: `raw onnxruntime ${device}, on-device`, call: () => rawDevice.run({ x: xOne }) },
    ];
    if (device === 'webgpu') {
      const nhwc = await open(deviceBytes, 'NHWC');
      configs.push({ name: `raw onnxruntime ${device}, on-device, preferredLayout NHWC`, call: () => nhwc.run({ x: xOne }) });
    }
    // Warm-up: session caches, and on a GPU the shader compilation and buffer pools.
    for (const cfg of configs) for (let i = 0; i < (device === 'cpu' ? 1 : 2); i++) await cfg.call();
    const times = configs.map(() => [] as number[]);
    for (let r = 0; r < repeats; r++) {
      for (let i = 0; i < configs.length; i++) times[i].push(await seconds(configs[i].call));
    }
    const figures = configs.map((cfg, i) => summarize(cfg.name, 'GFLOP/s', times[i].map((t) => flops / t / 1e9)));
    const [rawF, engineF, onDeviceF] = figures;
    const cudnn: Figure = {
      name: 'PyTorch/cuDNN fp32, H100 (issue #12; stored, not measured in this run)',
      unit: 'GFLOP/s', min: CUDNN_FP32_GFLOPS, median: CUDNN_FP32_GFLOPS, max: CUDNN_FP32_GFLOPS, repeats: 0,
    };
    const ratios = [
      ratio('engine run() ÷ raw onnxruntime, host I/O (GFLOP/s)', engineF, rawF, { min: 1 / 1.3, text: 'overhead ≤ 30% (≥ 0.77)' }),
      ratio('on-device ÷ host I/O (raw onnxruntime)', onDeviceF, rawF),
      ratio(`${device} on-device ÷ cuDNN fp32 reference`, onDeviceF, cudnn,
        device === 'webgpu' ? { min: WEBGPU_TARGET_OF_CUDNN, text: `≥ ${WEBGPU_TARGET_OF_CUDNN} (webgpu)` } : undefined),
    ];
    if (figures[3]) ratios.push(ratio('NHWC ÷ NCHW layout, on-device (webgpu)', figures[3], onDeviceF));
    if (device !== 'cpu') {
      const cpuSession = await ort.InferenceSession.create(hostBytes, sessionOptions('cpu'));
      sessions.push(cpuSession);
      const expected = (await cpuSession.run({ x: xHost })).y.data as Float32Array;
      const actual = (await rawHost.run({ x: xHost })).y.data as Float32Array;
      const a = agreement(actual, expected, 1e-3, 1e-5);
      notes.push(`${device} vs cpu on the host I/O output (${expected.length} values, largest |cpu| ${a.scale.toPrecision(3)}): max |Δ| ${a.maxAbs.toExponential(2)}, ${a.within ? 'within' : 'OUTSIDE'} the WebGPU tolerance abs 1e-3 + rel 1e-5`);
      const diff = summarize(`max |${device} − cpu| on the host I/O output`, 'abs', [a.maxAbs]);
      figures.push(diff);
      // Not a speed ratio: the largest difference in units of the absolute tolerance; `met` is the element-wise check.
      ratios.push({ name: `max |${device} − cpu| ÷ abs tolerance 1e-3`, value: a.maxAbs / 1e-3, subject: diff.name, reference: 'abs 1e-3 + rel 1e-5 per element', target: 'every element within tolerance', met: a.within });
    } else {
      notes.push('the cuDNN ratio has a target only on webgpu (issue #12); on cpu it shows how far the CPU is from a GPU. DESIGN.md: onnxruntime CPU ≈ 70–115 GFLOP/s on 2 cores');
    }
    figures.push(cudnn);
    return { title: `Conv stack: ${shape.layers} × 3×3 ${c}→${c}, batch ${b}, ${size}² (${device})`, figures, ratios, notes };
  } finally {
    for (const s of sessions) await s.release();
    await releaseAll(); // the engine's cached session of the stack holds ~200 MB of buffers the next sections need
  }
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const s = await benchConvStack({ device: (process.argv[2] as ConcreteDevice | undefined) ?? 'cpu' });
  console.log(JSON.stringify(s, null, 2));
}
