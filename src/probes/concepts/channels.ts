// Channel attribution (Fong's "attributing channels"; Fong, Patrick & Vedaldi, ICCV 2019, §4.4):
// which of a layer's channels a class logit rests on, ranked two ways over a set of inputs —
// gradient × activation summed over positions, and an extremal perturbation over channels: a
// mask m ∈ [0,1]^C multiplying the layer, optimised to keep the logit with a fixed number of
// channels on (TorchRay's preserve game: reward − λ·mean((sort(m) − r_a)²), λ growing per step,
// SGD with momentum 0.9 and dampening 0.9; λ rescaled for few elements). The mask enters the graph as one Mul and one input,
// so the engine's autodiff gives ∂logit/∂m directly.
import { gradient, logit } from '../../engine/autodiff/index.ts';
import { node, valueInfo } from '../../engine/graph.ts';
import { makeNet } from '../../engine/net.ts';
import { cloneModel } from '../../engine/onnx.ts';
import { run, type ConcreteDevice, type Net } from '../../engine/session.ts';
import type { Tensor } from '../../engine/tensor.ts';
import { badInput } from '../../errors.ts';
import { areaPenalty, referenceZeros } from '../attribution/extremal/area.ts';

export const MASK_INPUT = 'neurogate_channel_mask';

/** The net with the layer multiplied by a per-item channel mask input [N, C, 1, 1]. */
export function maskedNet(net: Net, layer: string, C: number): Net {
  const model = cloneModel(net.model);
  const g = model.graph;
  const masked = `${layer}/neurogate_masked`;
  let consumers = 0;
  for (const n of g.node) {
    n.input.forEach((name, i) => {
      if (name === layer) {
        n.input[i] = masked;
        consumers++;
      }
    });
  }
  if (consumers === 0) throw badInput('E_CHANNELS_LAYER', `nothing in ${net.where} reads layer "${layer}"`, undefined, 'pick a layer between the input and the logits');
  g.node.push(node('Mul', [layer, MASK_INPUT], [masked]));
  g.input.push(valueInfo(MASK_INPUT, ['N', C, 1, 1]));
  return makeNet(model, `${net.where} (channel mask on ${layer})`);
}

export interface ChannelSubject {
  net: Net;
  input: string;
  logits: string;
  device: ConcreteDevice;
}

export interface ExtremalChannelOptions {
  /** Channels to keep on. */
  keep: number;
  iterations: number;
  lr: number;
  lambda: number;
  growth: number;
}

// TorchRay's λ = 300 pulls each of ~50k mask pixels by 2λ/N; a mask over tens of channels needs a
// far smaller start for the reward to move it before the area term freezes it (every channel
// starts at ½, tied), and a faster growth to end as binary within the iterations.
export const EXTREMAL_CHANNEL_DEFAULTS: Omit<ExtremalChannelOptions, 'keep'> = { iterations: 300, lr: 0.05, lambda: 0.5, growth: 1.02 };

function repeatMask(m: ArrayLike<number>, n: number): Tensor {
  const C = m.length;
  const data = new Float32Array(n * C);
  for (let i = 0; i < n; i++) for (let k = 0; k < C; k++) data[i * C + k] = m[k];
  return { dims: [n, C, 1, 1], data };
}

/** Mean logit of `cls` over the inputs with the channel mask `m`. */
export async function maskedLogit(s: ChannelSubject, masked: Net, inputs: Tensor, cls: number, m: ArrayLike<number>): Promise<number> {
  const n = inputs.dims[0];
  const out = await run(masked, { [s.input]: inputs, [MASK_INPUT]: repeatMask(m, n) }, [s.logits], { device: s.device });
  const t = out[s.logits];
  const per = t.data.length / n;
  let acc = 0;
  for (let i = 0; i < n; i++) acc += t.data[i * per + cls];
  return acc / n;
}

/** Σ over positions of ∂logit/∂a · a per channel, averaged over the inputs. */
export async function gradTimesActivation(s: ChannelSubject, layer: string, inputs: Tensor, cls: number): Promise<Float64Array> {
  const r = await gradient(s.net, { input: { [s.input]: inputs }, objective: logit(s.logits, cls), wrt: [layer], outputs: [layer] }, { device: s.device });
  const g = r.grads[layer];
  const a = r.outputs[layer];
  const [n, C] = g.dims;
  const plane = g.data.length / (n * C);
  const score = new Float64Array(C);
  for (let i = 0; i < n; i++) for (let k = 0; k < C; k++) {
    const o = (i * C + k) * plane;
    for (let p = 0; p < plane; p++) score[k] += g.data[o + p] * a.data[o + p];
  }
  return score.map((v) => v / n);
}

/**
 * The channel mask that keeps the mean logit with `keep` channels on (one mask shared by all
 * inputs), and ∂(mean logit)/∂m at the last step: channels the clamp saturated at the same value
 * are told apart by it (what the logit loses per unit of mask).
 */
export async function extremalChannels(s: ChannelSubject, masked: Net, C: number, inputs: Tensor, cls: number, o: ExtremalChannelOptions): Promise<{ mask: Float32Array; reward: Float64Array }> {
  const n = inputs.dims[0];
  const m = new Float32Array(C).fill(0.5);
  const buf = new Float64Array(C);
  const zeros = referenceZeros(C, o.keep / C);
  let lambda = o.lambda;
  const reward = new Float64Array(C);
  for (let it = 0; it < o.iterations; it++) {
    const r = await gradient(masked, { input: { [s.input]: inputs, [MASK_INPUT]: repeatMask(m, n) }, objective: logit(s.logits, cls), wrt: [MASK_INPUT] }, { device: s.device });
    const gm = r.grads[MASK_INPUT].data;
    // Loss = −mean logit + λ·area penalty; its gradient, then torch SGD (momentum 0.9, dampening 0.9).
    const g = new Float64Array(C);
    reward.fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < C; k++) reward[k] += gm[i * C + k] / n;
    for (let k = 0; k < C; k++) g[k] = -reward[k];
    // The penalty ranks through a float32 copy: hand it float32 values so its threshold ties stay exact.
    areaPenalty(Float32Array.from(m), zeros, g, lambda);
    for (let k = 0; k < C; k++) {
      buf[k] = it === 0 ? g[k] : 0.9 * buf[k] + 0.1 * g[k];
      m[k] = Math.min(1, Math.max(0, m[k] - o.lr * buf[k]));
    }
    // The area term's step lr·2λ/C must stay below 1 or the mask oscillates between the clamps.
    lambda = Math.min(lambda * o.growth, C / (4 * o.lr));
  }
  return { mask: m, reward };
}

/** Channel ids by score, highest first; ties by `then` (highest first), then lower id first. */
export function ranking(score: ArrayLike<number>, then?: ArrayLike<number>): number[] {
  return Array.from({ length: score.length }, (_, k) => k).sort((a, b) => score[b] - score[a] || (then ? then[b] - then[a] : 0) || a - b);
}

/** A hard mask keeping `channels`. */
export function keepOnly(C: number, channels: readonly number[]): Float64Array {
  const m = new Float64Array(C);
  for (const k of channels) m[k] = 1;
  return m;
}
