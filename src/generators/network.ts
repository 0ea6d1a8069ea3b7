// The clean-room generator as an ONNX graph: latent z → layout (which part in which cell, a
// sigmoid per unit) → parts (each part's stamp drawn into its cells by a ConvTranspose) → image
// (colours on white paper, plus coarse and fine noise). Every weight comes from rules.ts.
import { createModel, floatTensorProto, int64TensorProto, node } from '../engine/graph.ts';
import { makeNet } from '../engine/net.ts';
import type { Generator } from './types.ts';
import { bilinearTaps, COLOURS, DEFAULT_PARAMS, PARTS, slotDirections, stamp, type GeneratorParams, type Slot } from './rules.ts';
import { badInput } from '../errors.ts';

/** Tensor names a spec may name as layers, from the latent up. */
export const GENERATOR_LAYERS = ['layout', 'parts', 'noise_coarse_up', 'image'] as const;

export interface CleanRoomGenerator extends Generator {
  params: GeneratorParams;
  /** Latent direction (unit vector) that switches each slot on, in slot order. */
  directions: number[][];
}

function check(p: GeneratorParams, where: string): void {
  const bad = (msg: string, hint: string) => badInput('E_GENERATOR_PARAMS', msg, where, hint);
  if (!(Number.isInteger(p.grid) && p.grid >= 1 && Number.isInteger(p.size) && p.size % p.grid === 0)) throw bad(`size ${p.size} is not a multiple of grid ${p.grid}`, 'pick a size divisible by the grid');
  if (!(Number.isInteger(p.noiseFactor) && p.noiseFactor >= 1 && p.size % p.noiseFactor === 0)) throw bad(`size ${p.size} is not a multiple of noiseFactor ${p.noiseFactor}`, 'pick a noise factor that divides the size');
  if (p.slots.length > p.latent) throw bad(`${p.slots.length} slots need at least as many latent dimensions (latent: ${p.latent})`, 'raise latent or drop slots');
  const seen = new Set<string>();
  for (const s of p.slots) {
    if (!(s.row >= 0 && s.row < p.grid && s.col >= 0 && s.col < p.grid)) throw bad(`slot ${s.part} at (${s.row}, ${s.col}) is outside the ${p.grid}×${p.grid} grid`, 'rows and columns count from 0');
    const k = `${s.part}@${s.row},${s.col}`;
    if (seen.has(k)) throw bad(`slot ${k} is listed twice`, 'one slot per part and cell');
    seen.add(k);
  }
}

/** Index of layout unit (part, row, col) in the flattened [part, row, col] layout. */
export function layoutIndex(p: GeneratorParams, s: Slot): number {
  return (PARTS.indexOf(s.part) * p.grid + s.row) * p.grid + s.col;
}

/** Build the generator; `where` names it in messages. */
export function buildGenerator(overrides: Partial<GeneratorParams> = {}, where = 'zoo:reimpl-generator'): CleanRoomGenerator {
  const p: GeneratorParams = { ...DEFAULT_PARAMS, ...overrides };
  check(p, where);
  const P = PARTS.length;
  const G = p.grid;
  const cell = p.size / G;
  const cells = P * G * G;
  const directions = slotDirections(p.slots.length, p.latent, p.seed);

  // Layout: z · W + b, W[:, slot unit] = gain · q_s; units no slot drives get the off bias.
  const w = new Float32Array(p.latent * cells);
  const b = new Float32Array(cells).fill(p.offBias);
  p.slots.forEach((s, k) => {
    const u = layoutIndex(p, s);
    b[u] = 0;
    for (let d = 0; d < p.latent; d++) w[d * cells + u] = p.gain * directions[k][d];
  });

  // Parts: one stamp per part, depthwise (group = parts), stride = kernel = cell, so cells never overlap.
  const stamps = new Float32Array(P * cell * cell);
  PARTS.forEach((part, i) => stamps.set(stamp(part, cell), i * cell * cell));

  // Coarse noise: bilinear upsampling by noiseFactor (the triangle taps, outer product).
  const f = p.noiseFactor;
  const taps = bilinearTaps(f);
  const up = new Float32Array(4 * f * f);
  for (let y = 0; y < 2 * f; y++) for (let x = 0; x < 2 * f; x++) up[y * 2 * f + x] = taps[y] * taps[x];

  // Image: paper + Σ_p parts_p · (colour_p − paper) + coarse noise, per RGB channel (a 1×1 conv).
  const mix = new Float32Array(3 * (P + 1));
  for (let c = 0; c < 3; c++) {
    PARTS.forEach((part, i) => { mix[c * (P + 1) + i] = COLOURS[part][c] - p.paper; });
    mix[c * (P + 1) + P] = p.noiseGain.coarse;
  }

  const nodes = [
    node('MatMul', ['z', 'layout.weight'], ['layout_mm']),
    node('Add', ['layout_mm', 'layout.bias'], ['layout_flat']),
    node('Reshape', ['layout_flat', 'layout.shape'], ['layout_pre']),
    node('Sigmoid', ['layout_pre'], ['layout'], {}, 'layout'),
    node('ConvTranspose', ['layout', 'parts.weight'], ['parts'], { kernel_shape: { ints: [cell, cell] }, strides: { ints: [cell, cell] }, group: { i: P } }, 'parts'),
    node('ConvTranspose', ['noise_coarse', 'noise_coarse.weight'], ['noise_coarse_up'], { kernel_shape: { ints: [2 * f, 2 * f] }, strides: { ints: [f, f] }, pads: { ints: [f / 2, f / 2, f / 2, f / 2] } }, 'noise_coarse_up'),
    node('Concat', ['parts', 'noise_coarse_up'], ['mix_in'], { axis: { i: 1 } }),
    node('Conv', ['mix_in', 'image.weight', 'image.bias'], ['paint'], { kernel_shape: { ints: [1, 1] } }, 'paint'),
    node('Mul', ['noise_fine', 'noise_fine.gain'], ['fine']),
    node('Add', ['paint', 'fine'], ['image_raw']),
    node('Clip', ['image_raw', 'image.min', 'image.max'], ['image'], {}, 'image'),
  ];
  const initializers = [
    floatTensorProto('layout.weight', { dims: [p.latent, cells], data: w }),
    floatTensorProto('layout.bias', { dims: [cells], data: b }),
    int64TensorProto('layout.shape', [4], [-1, P, G, G]),
    floatTensorProto('parts.weight', { dims: [P, 1, cell, cell], data: stamps }),
    floatTensorProto('noise_coarse.weight', { dims: [1, 1, 2 * f, 2 * f], data: up }),
    floatTensorProto('image.weight', { dims: [3, P + 1, 1, 1], data: mix }),
    floatTensorProto('image.bias', { dims: [3], data: Float32Array.of(p.paper, p.paper, p.paper) }),
    floatTensorProto('noise_fine.gain', { dims: [], data: Float32Array.of(p.noiseGain.fine) }),
    floatTensorProto('image.min', { dims: [], data: Float32Array.of(0) }),
    floatTensorProto('image.max', { dims: [], data: Float32Array.of(1) }),
  ];
  const coarse = [1, p.size / f, p.size / f];
  const model = createModel({
    name: 'reimpl-generator',
    inputs: [{ name: 'z', dims: ['N', p.latent] }, { name: 'noise_coarse', dims: ['N', ...coarse] }, { name: 'noise_fine', dims: ['N', 1, p.size, p.size] }],
    outputs: [{ name: 'image', dims: ['N', 3, p.size, p.size] }],
    nodes,
    initializers,
    docString: `neurogate clean-room generator: weights written from drawing rules (src/generators/rules.ts), no training. Parameters: ${JSON.stringify(p)}`,
  });
  return {
    net: makeNet(model, where),
    latent: { name: 'z', size: p.latent },
    noise: [{ name: 'noise_coarse', dims: coarse }, { name: 'noise_fine', dims: [1, p.size, p.size] }],
    image: { name: 'image', channels: 3, height: p.size, width: p.size },
    range: [0, 1],
    params: p,
    directions,
  };
}
