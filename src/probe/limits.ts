// Run limits set from the command line (--allow-outside, --timeout, --max-model-bytes,
// --max-image-pixels), passed as a value to each stage they shape: spec loading, model and image
// loading, probe tasks. No module state: two runs in one process may use different limits.
import { DEFAULT_IMAGE_LIMITS, setImageLimits } from '../stimuli/image.ts';

export interface RunLimits {
  /** Let spec files name models and images outside their project root. */
  allowOutside: boolean;
  /** Seconds one probe task may take before it fails its entry; 0 = no limit. */
  timeoutS: number;
  /** Largest model (with external data or weight shards) that loads, in bytes; undefined = the loader's default. */
  maxModelBytes?: number;
  /** Largest image (width × height, read from its header before decoding) that loads; undefined = the image reader's default. */
  maxImagePixels?: number;
  /** Most bytes `--save-activations` writes in one run; undefined = its default (4 GiB). */
  maxSaveBytes?: number;
}

export const DEFAULT_LIMITS: Readonly<RunLimits> = { allowOutside: false, timeoutS: 0 };

/**
 * Images are read in many places (spec images, circuit means, goldens); the image reader keeps the
 * pixel limit itself, so a command pushes its limit there once instead of every caller passing it.
 */
export function applyImageLimits(l: Pick<RunLimits, 'maxImagePixels'>): void {
  setImageLimits({ maxPixels: l.maxImagePixels ?? DEFAULT_IMAGE_LIMITS.maxPixels });
}
