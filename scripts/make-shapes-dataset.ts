// Writes the small labelled dataset docs/datasets.md runs on: generated shape scenes (the task
// shapes_cnn was trained on) stored at half size as PNGs, each with its ground-truth mask, and a
// manifest with label, box, mask and tags. Reproducible: `node --import tsx scripts/make-shapes-dataset.ts`.
import fs from 'node:fs';
import path from 'node:path';
import { encodePng, resize, type RgbImage } from '../src/stimuli/image.ts';
import { SHAPE_CLASSES, shapeScene } from '../src/stimuli/scenes.ts';
import { makeRng } from '../src/util/rng.ts';

const OUT = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'docs', 'examples', 'shapes-dataset');
const N = 24;
const S = 224;
const HALF = S / 2;

fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(path.join(OUT, 'images'), { recursive: true });
fs.mkdirSync(path.join(OUT, 'masks'), { recursive: true });
const rows = ['path,label,boxes,mask,tags,difficult'];
for (let i = 0; i < N; i++) {
  const s = shapeScene(makeRng(9000 + i), S);
  const hw = S * S;
  const rgb = new Float32Array(hw * 3);
  for (let c = 0; c < 3; c++) for (let k = 0; k < hw; k++) rgb[k * 3 + c] = s.input.data[c * hw + k] * 255;
  const small = resize({ width: S, height: S, data: rgb }, HALF, HALF);
  const mask: RgbImage = { width: HALF, height: HALF, data: new Float32Array(HALF * HALF * 3) };
  let inside = 0;
  let shade = 0;
  for (let y = 0; y < HALF; y++) {
    for (let x = 0; x < HALF; x++) {
      // Nearest sample of the full-size mask at the half-size pixel's centre.
      const v = s.mask.data[(2 * y + 1) * S + 2 * x + 1];
      for (let c = 0; c < 3; c++) mask.data[(y * HALF + x) * 3 + c] = v * 255;
      if (v) {
        inside++;
        shade += small.data[(y * HALF + x) * 3];
      }
    }
  }
  const [x0, y0, x1, y1] = s.box;
  const box = [Math.floor(x0 / 2), Math.floor(y0 / 2), Math.min(HALF - 1, Math.floor(x1 / 2)), Math.min(HALF - 1, Math.floor(y1 / 2))];
  const name = `${String(i).padStart(2, '0')}_${SHAPE_CLASSES[s.label]}`;
  fs.writeFileSync(path.join(OUT, 'images', `${name}.png`), encodePng(small));
  fs.writeFileSync(path.join(OUT, 'masks', `${name}.png`), encodePng(mask));
  // "difficult": the shape covers under 1.5% of the image (TorchRay's subset is small objects among others).
  const difficult = inside / (HALF * HALF) < 0.015 ? 1 : 0;
  rows.push(`images/${name}.png,${SHAPE_CLASSES[s.label]},${box.join(' ')},masks/${name}.png,${shade / inside < 128 ? 'dark' : 'light'},${difficult}`);
}
fs.writeFileSync(path.join(OUT, 'manifest.csv'), `${rows.join('\n')}\n`);
fs.writeFileSync(path.join(OUT, 'labels.txt'), `${SHAPE_CLASSES.join('\n')}\n`);
console.log(`wrote ${N} scenes to ${path.relative(process.cwd(), OUT)}`);
