// Score-CAM (Wang et al., CVPR-W 2020): each channel of a layer, upsampled to the input and
// min-max normalised to [0, 1], masks the input; the channel's weight is the target's increase of
// confidence f(x ⊙ H_k) − f(x_b); map = ReLU(Σ_k w_k A_k). Forward-only, batched.
import type { Tensor } from '../../../engine/tensor.ts';
import { badInput } from '../../../errors.ts';
import { scoreMany } from '../forward.ts';
import { extent, resizeBilinear } from '../maps.ts';
import { checkInput } from '../subject.ts';
import { probabilitiesOf, scoresOf } from '../target.ts';
import type { Attribution, Method, Target } from '../types.ts';
import { z } from 'zod';
import { describeMethod } from '../method.ts';
import { defaultCamLayer, GRAD_CAM_DEFAULTS } from './grad-cam.ts';
import { CAM_OPTIONS, layerActivations, weightedCam, type CamOptions } from './cam.ts';

export interface ScoreCamOptions extends CamOptions {
  /**
   * How a masked input is scored: `probability` (softmax of the class, the paper's normalisation
   * and its reference code) or the `raw` target value. Default: probability for class targets, else raw.
   */
  score: 'probability' | 'raw';
  /**
   * Subtract the score of the baseline x_b = x ⊙ 0 (the paper's "increase of confidence", Eq. 5);
   * false gives the reference code's plain score of each masked input.
   */
  increase: boolean;
}

export const SCORE_CAM_DEFAULTS: Omit<ScoreCamOptions, 'layer' | 'score'> = { ...GRAD_CAM_DEFAULTS, increase: true };

/**
 * The channel's mask H_k: A_k upsampled bilinearly to H×W, then (A − min)/(max − min). Null when
 * the upsampled channel is constant: it carries no spatial information (the reference code skips it).
 */
export function channelMask(value: Tensor, k: number, H: number, W: number): Float32Array | null {
  const [, , h, w] = value.dims;
  const up = resizeBilinear(value.data.subarray(k * h * w, (k + 1) * h * w), 1, h, w, H, W);
  const { lo, hi } = extent(up);
  if (!(hi > lo)) return null;
  const span = hi - lo;
  for (let i = 0; i < up.length; i++) up[i] = (up[i] - lo) / span;
  return up;
}

function reducerFor(score: ScoreCamOptions['score'], target: Target): (t: Tensor) => Float64Array {
  return score === 'probability' ? (t) => probabilitiesOf(target, t) : (t) => scoresOf(target, t);
}

export const scoreCam: Method<ScoreCamOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const layer = options.layer ?? (await defaultCamLayer(subject, target));
  const o: ScoreCamOptions = { ...SCORE_CAM_DEFAULTS, score: target.kind === 'class' ? 'probability' : 'raw', ...options, layer };
  if (o.score === 'probability' && target.kind !== 'class') throw badInput('E_ATTR_OPTION', 'score_cam score "probability" needs a class target', undefined, 'use score: raw');
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const { value, score } = await layerActivations(subject, input, layer, target);
  const [, K, h, w] = value.dims;
  // Constant channels are found first; masks are then remade as each batch is filled rather than
  // kept (K·H·W floats would be 400 MB for 2048 channels at 224²).
  const channels: number[] = [];
  for (let k = 0; k < K; k++) if (channelMask(value, k, H, W)) channels.push(k);
  const reduce = reducerFor(o.score, target);
  const masked = await scoreMany(subject, target, channels.length + (o.increase ? 1 : 0), (i, dst) => {
    // The last item is the baseline x ⊙ 0 (the zero mask), scored in the same batches.
    if (i === channels.length) {
      dst.fill(0);
      return;
    }
    const m = channelMask(value, channels[i], H, W)!;
    for (let c = 0; c < C; c++) for (let p = 0; p < HW; p++) dst[c * HW + p] = input.data[c * HW + p] * m[p];
  }, { reduce });
  const base = o.increase ? masked[channels.length] : 0;
  const weights = new Float64Array(K);
  for (let j = 0; j < channels.length; j++) weights[channels[j]] = masked[j] - base;
  const { map, upsample } = weightedCam(value, weights, subject, o);
  const result: Attribution = {
    method: 'score_cam',
    target,
    map,
    params: {
      layer, relu: o.relu, upsample, layerShape: [K, h, w], score: o.score, increase: o.increase,
      baselineScore: o.increase ? base : null, channelsScored: channels.length,
      masks: 'channel upsampled bilinearly to the input, then min-max normalised; constant channels skipped',
    },
    score,
    evaluations: { forward: 1 + channels.length + (o.increase ? 1 : 0), backward: 0 },
  };
  return result;
};

export const scoreCamDescriptor = describeMethod<ScoreCamOptions>({
  name: 'score_cam',
  defaults: SCORE_CAM_DEFAULTS,
  options: {
    ...CAM_OPTIONS,
    score: { schema: z.enum(['probability', 'raw']), description: 'Score of a masked input', defaultText: 'probability for classes, else raw' },
    increase: { schema: z.boolean(), description: 'Weight = score of the masked input minus the score of the all-zero baseline (the paper’s increase of confidence)' },
  },
  // One pass per channel; the usual last feature maps have a few hundred channels (512 counted).
  passes: () => 512,
  run: scoreCam,
});
