// UpscalerJS's default super-resolution model (@upscalerjs/default-model, MIT): a slim RDN
// (residual dense network) that doubles an image's size, shipped as a Keras layers model.
import type { ZooEntry } from './entry.ts';
import { packageModelFiles } from './npm-package.ts';
import { importLayersModel } from '../tfjs/layers.ts';

const PACKAGE = '@upscalerjs/default-model';
const NAME = 'upscaler_x2';

/**
 * The model takes any size; the zoo fixes 64×64 (small enough for quick probes, output 128×128).
 * It reads raw 0…255 pixels and writes 0…255 pixels (UpscalerJS's inputRange/outputRange).
 */
export const UPSCALER_SIZE = { height: 64, width: 64 };

const files = () => packageModelFiles(PACKAGE, 'models/model.json', NAME);

export const upscalerEntries: ZooEntry[] = [{
  name: NAME,
  description: `RDN super-resolution ×2 (Keras, 64² → 128² RGB, pixels 0…255) from ${PACKAGE} (MIT)`,
  sources: () => files().files,
  load: () => importLayersModel(files(), `zoo:${NAME}`, { size: UPSCALER_SIZE, preprocess: { scale: 1 } }),
}];
