// Weight views: the kernel from one unit to a unit of the next conv, a unit's strongest inputs,
// and expanded weights through a linear path (1×1 bottleneck → 5×5), rendered as PNG artifacts.
import type { ModelProto } from '../../engine/onnx.ts';
import { readWeight } from '../../engine/graph.ts';
import { badInput } from '../../errors.ts';
import type { Artifact } from '../../probe/measurement.ts';
import { encodePng, type RgbImage } from '../../stimuli/image.ts';
import { convGroup, sourceOf } from './resolve.ts';

export interface Kernel {
  kh: number;
  kw: number;
  data: Float32Array;
}

/** The kernels into unit `unit` of `tensor`, one per input channel of its Conv. */
export function kernelsInto(m: ModelProto, tensor: string, unit: number): { conv: string; input: string; channel: number; kernels: Kernel[] } {
  const s = sourceOf(m, tensor, unit);
  if (convGroup(s.conv) !== 1) throw badInput('E_CIRCUIT_GROUPED', `unit ${unit} of "${tensor}" comes from a grouped Conv`, undefined, 'weight views of grouped convolutions are not supported');
  const w = readWeight(m, s.conv.input[1]);
  const [, cin, kh, kw] = w.dims;
  const kernels = Array.from({ length: cin }, (_, i) => ({ kh, kw, data: w.data.slice((s.channel * cin + i) * kh * kw, (s.channel * cin + i + 1) * kh * kw) }));
  return { conv: s.conv.name || s.conv.output[0], input: s.conv.input[0], channel: s.channel, kernels };
}

export interface InputStrength {
  /** Input channel of the Conv (a unit of the Conv's input tensor). */
  input: number;
  positive: number;
  negative: number;
}

/** Every input of a unit with the sum of its positive and of its negative weights, strongest positive first. */
export function strongestInputs(m: ModelProto, tensor: string, unit: number): InputStrength[] {
  const { kernels } = kernelsInto(m, tensor, unit);
  return kernels
    .map((k, input) => {
      let positive = 0;
      let negative = 0;
      for (const v of k.data) {
        if (v > 0) positive += v;
        else negative += v;
      }
      return { input, positive, negative };
    })
    .sort((a, b) => b.positive - a.positive || a.input - b.input);
}

/**
 * Expanded weights from the input of a 1×1 Conv (bottleneck) through it to a unit of a following
 * k×k Conv: E[i] = Σ_j W2[unit, j] · s_j · W1[j, i], where s_j folds the bottleneck's BatchNorm
 * scale γ/√(var+ε) (its shift only adds a constant, dropped). A ReLU between them is not linear:
 * the result is then marked approximate (exact where the bottleneck units are positive).
 */
export function expandedThroughBottleneck(m: ModelProto, tensor: string, unit: number): { kernels: Kernel[]; input: string; notes: string[]; approximate: boolean } {
  const top = sourceOf(m, tensor, unit);
  const w2 = readWeight(m, top.conv.input[1]);
  const [, mid, kh, kw] = w2.dims;
  const bottom = sourceOf(m, top.conv.input[0], 0);
  const w1 = readWeight(m, bottom.conv.input[1]);
  const [m1, cin, h1, w1w] = w1.dims;
  if (m1 !== mid || h1 !== 1 || w1w !== 1) throw badInput('E_CIRCUIT_EXPAND', `the Conv before "${top.conv.name}" is not a 1×1 bottleneck of ${mid} channels`, undefined, 'expanded weights need a 1×1 Conv feeding the unit’s Conv');
  const notes: string[] = [];
  const scale = new Float32Array(mid).fill(1);
  if (bottom.bn) {
    const g = readWeight(m, bottom.bn.input[1]).data;
    const v = readWeight(m, bottom.bn.input[4]).data;
    const epsAttr = bottom.bn.attribute.find((a) => a.name === 'epsilon');
    const eps = epsAttr?.f ?? 1e-5;
    for (let j = 0; j < mid; j++) scale[j] = g[j] / Math.sqrt(v[j] + eps);
    notes.push(`BatchNorm ${bottom.bn.name} folded: scale γ/√(var+ε) per channel, shift dropped (a constant)`);
  }
  const approximate = bottom.after.length > 0;
  if (approximate) notes.push(`${bottom.after.join(', ')} between the two convs treated as identity: approximate (exact where the bottleneck units are positive)`);
  const kernels = Array.from({ length: cin }, () => ({ kh, kw, data: new Float32Array(kh * kw) }));
  for (let j = 0; j < mid; j++) {
    const s = scale[j];
    const k2 = w2.data.subarray((top.channel * mid + j) * kh * kw, (top.channel * mid + j + 1) * kh * kw);
    for (let i = 0; i < cin; i++) {
      const a = s * w1.data[j * cin + i];
      if (a === 0) continue;
      const out = kernels[i].data;
      for (let p = 0; p < kh * kw; p++) out[p] += a * k2[p];
    }
  }
  return { kernels, input: bottom.conv.input[0], notes, approximate };
}

/**
 * Kernels as one image: a grid of tiles, each kernel entry a square of `cell` pixels, red for
 * positive and blue for negative weights on white, all on one shared scale (largest |w| = full colour).
 */
export function kernelGridImage(kernels: readonly Kernel[], cell = 8, columns = 8): RgbImage {
  const { kh, kw } = kernels[0];
  const cols = Math.min(columns, kernels.length);
  const rows = Math.ceil(kernels.length / cols);
  const gap = 2;
  const width = cols * (kw * cell + gap) + gap;
  const height = rows * (kh * cell + gap) + gap;
  const data = new Float32Array(width * height * 3).fill(200);
  let max = 0;
  for (const k of kernels) for (const v of k.data) max = Math.max(max, Math.abs(v));
  kernels.forEach((k, n) => {
    const ox = gap + (n % cols) * (kw * cell + gap);
    const oy = gap + Math.floor(n / cols) * (kh * cell + gap);
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
      const v = max > 0 ? k.data[y * kw + x] / max : 0;
      const a = Math.min(1, Math.abs(v));
      // White → red (positive) or white → blue (negative).
      const rgb = v >= 0 ? [255, 255 * (1 - a), 255 * (1 - a)] : [255 * (1 - a), 255 * (1 - a), 255];
      for (let dy = 0; dy < cell; dy++) for (let dx = 0; dx < cell; dx++) {
        const p = ((oy + y * cell + dy) * width + ox + x * cell + dx) * 3;
        data[p] = rgb[0];
        data[p + 1] = rgb[1];
        data[p + 2] = rgb[2];
      }
    }
  });
  return { width, height, data };
}

export function imageArtifact(name: string, caption: string, img: RgbImage): Artifact {
  return { type: 'image', name, caption, pngBase64: encodePng(img).toString('base64'), width: img.width, height: img.height };
}

/** The report's weight views of one unit: its kernels (strongest positive first) and, through a bottleneck, its expanded weights. */
export function weightArtifacts(m: ModelProto, tensor: string, unit: number, label: string, top = 16): Artifact[] {
  const into = kernelsInto(m, tensor, unit);
  const order = strongestInputs(m, tensor, unit).slice(0, top);
  const out: Artifact[] = [
    imageArtifact(`weights-${unit}-${label}`, `${label}: kernels into ${tensor} unit ${unit} (${into.conv} channel ${into.channel}) from its ${top} inputs with the largest positive weight sum — ${order.map((o) => `${into.input}:${o.input}`).join(', ')}; red positive, blue negative, one scale`,
      kernelGridImage(order.map((o) => into.kernels[o.input]))),
  ];
  try {
    const ex = expandedThroughBottleneck(m, tensor, unit);
    const strength = ex.kernels.map((k, i) => ({ i, s: k.data.reduce((a, v) => a + Math.max(v, 0), 0) })).sort((a, b) => b.s - a.s).slice(0, top);
    out.push(imageArtifact(`expanded-${unit}-${label}`, `${label}: expanded weights ${ex.input} → ${tensor} unit ${unit} through the 1×1 bottleneck, ${top} strongest inputs (${strength.map((s) => s.i).join(', ')}); ${ex.notes.join('; ')}`,
      kernelGridImage(strength.map((s) => ex.kernels[s.i]))));
  } catch {
    // not behind a bottleneck: only the direct kernels
  }
  return out;
}
