// Occlusion (Zeiler & Fergus 2014; Captum's `Occlusion`): slide a window filled with a baseline
// value over the input; a pixel's attribution is the mean drop of the target over the windows
// that cover it. Forward-only and batched.
import type { Tensor } from '../../../engine/tensor.ts';
import { badInput } from '../../../errors.ts';
import { scoreMany, scoreOne } from '../forward.ts';
import { checkInput } from '../subject.ts';
import type { Attribution, Method } from '../types.ts';
import { z } from 'zod';
import { describeMethod } from '../method.ts';

export interface OcclusionOptions {
  /** Window height and width in input pixels. */
  window: [number, number];
  /** Step between window positions. */
  stride: [number, number];
  /** Value written into the window (in model-input units, i.e. after preprocessing). */
  baseline: number;
  /**
   * false (default): the window covers every channel and the map is [H, W]; true: each
   * channel is occluded on its own and the map is [C, H, W].
   */
  perChannel: boolean;
}

/** No library default exists for the window; 16 px with stride 8 resolves objects in 224² inputs. */
export const OCCLUSION_DEFAULTS: OcclusionOptions = { window: [16, 16], stride: [8, 8], baseline: 0, perChannel: false };

/** Window starts along one axis: 0, s, 2s … up to size − w (Captum's positions; the tail is covered only if it lines up). */
export function windowStarts(size: number, w: number, s: number): number[] {
  const out: number[] = [];
  for (let p = 0; p + w <= size; p += s) out.push(p);
  return out;
}

export const occlusion: Method<OcclusionOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const o: OcclusionOptions = { ...OCCLUSION_DEFAULTS, ...options };
  const [C, H, W] = subject.inputDims;
  const [wy, wx] = o.window;
  const [sy, sx] = o.stride;
  for (const [v, what, max] of [[wy, 'window height', H], [wx, 'window width', W], [sy, 'stride y', H], [sx, 'stride x', W]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > max) throw badInput('E_ATTR_OPTION', `occlusion ${what} ${v} must be an integer in 1…${max}`, undefined, 'window and stride are in input pixels');
  }
  const ys = windowStarts(H, wy, sy);
  const xs = windowStarts(W, wx, sx);
  const chans = o.perChannel ? C : 1;
  const count = chans * ys.length * xs.length;
  const { score } = await scoreOne(subject, target, input);
  const HW = H * W;
  const pos = (i: number) => {
    const c = Math.floor(i / (ys.length * xs.length));
    const r = i % (ys.length * xs.length);
    return { c, y0: ys[Math.floor(r / xs.length)], x0: xs[r % xs.length] };
  };
  const scores = await scoreMany(subject, target, count, (i, dst) => {
    dst.set(input.data);
    const { c, y0, x0 } = pos(i);
    const c0 = o.perChannel ? c : 0;
    const c1 = o.perChannel ? c + 1 : C;
    for (let cc = c0; cc < c1; cc++) {
      for (let y = y0; y < y0 + wy; y++) dst.fill(o.baseline, cc * HW + y * W + x0, cc * HW + y * W + x0 + wx);
    }
  });
  const sum = new Float64Array(chans * HW);
  const cnt = new Float64Array(chans * HW);
  for (let i = 0; i < count; i++) {
    const { c, y0, x0 } = pos(i);
    const drop = score - scores[i];
    for (let y = y0; y < y0 + wy; y++) {
      for (let x = x0; x < x0 + wx; x++) {
        sum[c * HW + y * W + x] += drop;
        cnt[c * HW + y * W + x] += 1;
      }
    }
  }
  const map = new Float32Array(chans * HW);
  for (let i = 0; i < map.length; i++) map[i] = cnt[i] > 0 ? sum[i] / cnt[i] : 0;
  const result: Attribution = {
    method: 'occlusion',
    target,
    map: { dims: o.perChannel ? [C, H, W] : [H, W], data: map } as Tensor,
    params: { window: [wy, wx], stride: [sy, sx], baseline: o.baseline, perChannel: o.perChannel, windows: count, aggregate: 'mean drop over covering windows' },
    score,
    evaluations: { forward: count + 1, backward: 0 },
  };
  return result;
};

const px = z.tuple([z.int().min(1), z.int().min(1)]);

export const occlusionDescriptor = describeMethod<OcclusionOptions>({
  name: 'occlusion',
  defaults: OCCLUSION_DEFAULTS,
  options: {
    window: { schema: px, description: '[height, width] in px' },
    stride: { schema: px, description: '[y, x] in px' },
    baseline: { schema: z.number(), description: 'Value in the window, model-input units' },
    per_channel: { schema: z.boolean(), description: 'Occlude channels separately, giving a [C,H,W] map' },
  },
  // One pass per window position, counted over a 224² input.
  passes: (o) => Math.ceil(224 / o.stride[0]) * Math.ceil(224 / o.stride[1]),
  run: occlusion,
});
