// Image strips for reports: rows of generated images (0..1, NCHW) side by side, as one PNG artifact.
import type { Tensor } from '../engine/tensor.ts';
import type { Artifact } from '../probe/measurement.ts';
import { encodePng } from '../stimuli/image.ts';

/** Rows of images (each row a [n, C, H, W] tensor, first `max` items), 2 px white gaps. */
export function stripArtifact(name: string, caption: string, rows: Tensor[], max = 8): Artifact {
  const [, c, h, w] = rows[0].dims;
  const n = Math.min(max, ...rows.map((r) => r.dims[0]));
  const gap = 2;
  const width = n * w + (n - 1) * gap;
  const height = rows.length * h + (rows.length - 1) * gap;
  const data = new Float32Array(width * height * 3).fill(255);
  rows.forEach((t, r) => {
    for (let i = 0; i < n; i++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const o = ((r * (h + gap) + y) * width + i * (w + gap) + x) * 3;
          for (let k = 0; k < 3; k++) data[o + k] = 255 * t.data[((i * c + (c === 1 ? 0 : k)) * h + y) * w + x];
        }
      }
    }
  });
  return { type: 'image', name, caption, pngBase64: encodePng({ width, height, data }).toString('base64'), width, height };
}
