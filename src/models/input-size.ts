// Bounds on the image input a model declares, checked as it is imported: every probe allocates
// tensors of this size (times batch, times stimuli), so a declared [N,3,2^40,2^40] must be bad
// input here rather than an "Invalid typed array length" deep inside a probe.
import { badInput } from '../errors.ts';

export const INPUT_LIMITS = {
  /** Each side, in pixels: four times the largest vision model input in common use. */
  maxSide: 8192,
  /** Height × width: a 4096 × 4096 input is already 200 MB per float32 batch of one. */
  maxPixels: 4096 * 4096,
  /** Channels of an image input (RGB is fed; `layers` and `export` also read others). */
  maxChannels: 64,
} as const;

/** Refuses a declared input size that is not a positive whole number within INPUT_LIMITS. */
export function checkInputSize(size: { channels: unknown; height: unknown; width: unknown }, where: string): void {
  const hint = 'export the model with an image input of ordinary size (e.g. [1, 3, 224, 224])';
  const one = (what: string, v: unknown, max: number) => {
    if (typeof v !== 'number') return; // symbolic sizes are refused by the importer with their own message
    if (!Number.isSafeInteger(v) || v < 1 || v > max) {
      throw badInput('E_MODEL_INPUT_SIZE', `the model declares an input ${what} of ${v}; it must be a whole number 1 … ${max}`, where, hint);
    }
  };
  one('height', size.height, INPUT_LIMITS.maxSide);
  one('width', size.width, INPUT_LIMITS.maxSide);
  one('channel count', size.channels, INPUT_LIMITS.maxChannels);
  if (typeof size.height === 'number' && typeof size.width === 'number' && size.height * size.width > INPUT_LIMITS.maxPixels) {
    throw badInput('E_MODEL_INPUT_SIZE', `the model declares an input of ${size.height} × ${size.width} = ${size.height * size.width} pixels, over the limit of ${INPUT_LIMITS.maxPixels}`, where, hint);
  }
}
