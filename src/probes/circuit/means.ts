// The constant a mean ablation writes: each unit's mean activation over an image set (every image
// and every spatial position), measured on the model before any edit.
import { run } from '../../engine/session.ts';
import type { ImportedModel } from '../../models/types.ts';
import { toModelInput, type RgbImage } from '../../stimuli/image.ts';

export async function unitMeans(model: ImportedModel, tensor: string, units: readonly number[], images: readonly RgbImage[]): Promise<number[]> {
  const sums = new Float64Array(units.length);
  let count = 0;
  for (const img of images) {
    // One image at a time: models with a fixed batch of 1 run too, and memory stays flat.
    const y = (await run(model.net, { [model.input.name]: toModelInput(img, model.preprocess) }, [tensor]))[tensor];
    const plane = y.dims.slice(2).reduce((a, b) => a * b, 1);
    units.forEach((u, i) => {
      let s = 0;
      for (let p = 0; p < plane; p++) s += y.data[u * plane + p];
      sums[i] += s / plane;
    });
    count++;
  }
  return Array.from(sums, (s) => s / Math.max(1, count));
}
