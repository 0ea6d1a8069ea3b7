// Resize modes (stretch, torchvision's Resize + CenterCrop, letterbox) and EXIF orientation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { FC_SEED } from '../seed.ts';
import { fitGeometry, place } from '../../src/stimuli/fit.ts';
import { decodeImage, fitToInput, resize, type RgbImage } from '../../src/stimuli/image.ts';
import { applyOrientation, exifOrientation } from '../../src/stimuli/exif.ts';
import { mapBox } from '../../src/probes/attribution/dataset.ts';
import path from 'node:path';
import { importOnnxFile } from '../../src/models/onnx-file.ts';
import { preprocessKey, withPreprocess } from '../../src/models/preprocess.ts';
import { toModelInput } from '../../src/stimuli/image.ts';

const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn');

const params = { seed: FC_SEED, numRuns: 100 };

test('center_crop is torchvision Resize(256) + CenterCrop(224): 500×375 → 341×256, crop from (58, 16)', () => {
  const g = fitGeometry(500, 375, 224, 224, { mode: 'center_crop', shortSide: 256 });
  assert.equal([g.rw, g.rh, -g.ox, -g.oy], [341, 256, 58, 16]);
  const p = fitGeometry(375, 500, 224, 224, { mode: 'center_crop', shortSide: 256 });
  assert.equal([p.rw, p.rh, -p.ox, -p.oy], [256, 341, 16, 58]);
});

test('letterbox keeps the aspect, centres the image and fills the rest', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 2, max: 60 }), fc.integer({ min: 0, max: 255 }), (w, h, fill) => {
    const img: RgbImage = { width: w, height: h, data: new Float32Array(w * h * 3).fill(fill === 255 ? 0 : 255) };
    const g = fitGeometry(w, h, 32, 32, { mode: 'letterbox', fill });
    assert.ok(g.rw === 32 || g.rh === 32);
    assert.ok(Math.abs(g.rw / g.rh - w / h) <= Math.max(1 / g.rh, 1 / g.rw) * (w / h + 1) + 1e-9);
    const out = fitToInput(img, { width: 32, height: 32, resize: { mode: 'letterbox', fill } });
    let filled = 0;
    for (let i = 0; i < 32 * 32; i++) if (out.data[i * 3] === fill) filled++;
    assert.is(filled, 32 * 32 - g.rw * g.rh);
  }), params);
});

test('stretch is the old resize; a whole-image box maps to the whole input in every mode but letterbox', () => {
  const img: RgbImage = { width: 7, height: 5, data: Float32Array.from({ length: 105 }, (_, i) => i) };
  assert.equal(fitToInput(img, { width: 4, height: 3 }).data, resize(img, 4, 3).data);
  fc.assert(fc.property(fc.integer({ min: 2, max: 400 }), fc.integer({ min: 2, max: 400 }), (w, h) => {
    for (const mode of [{ mode: 'stretch' as const }, { mode: 'center_crop' as const }]) {
      assert.equal(mapBox([0, 0, w - 1, h - 1], fitGeometry(w, h, 64, 48, mode), { width: 64, height: 48 }), [0, 0, 63, 47]);
    }
    const g = fitGeometry(w, h, 64, 48, { mode: 'letterbox', fill: 0 });
    assert.equal(mapBox([0, 0, w - 1, h - 1], g, { width: 64, height: 48 }), [g.ox, g.oy, g.ox + g.rw - 1, g.oy + g.rh - 1]);
  }), params);
  assert.is(place({ width: 2, height: 2, data: new Float32Array(12) }, fitGeometry(2, 2, 2, 2), 2, 2).width, 2);
});

/** A JPEG of an image with an APP1 Exif segment carrying `orientation`, right after SOI. */
function jpegWithOrientation(img: RgbImage, orientation: number): Uint8Array {
  const rgba = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    for (let c = 0; c < 3; c++) rgba[i * 4 + c] = img.data[i * 3 + c];
    rgba[i * 4 + 3] = 255;
  }
  const j = jpeg.encode({ data: rgba, width: img.width, height: img.height }, 100).data;
  // TIFF little-endian: header, IFD0 at 8 with one entry (0x0112, SHORT, 1, value).
  const tiff = [0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0, 0, 0, 0, 0];
  const body = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const seg = [0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 255, ...body];
  return new Uint8Array([0xff, 0xd8, ...seg, ...j.subarray(2)]);
}

test('EXIF orientation: a JPEG tagged 6 (rotate 90° clockwise) decodes upright, its sides swapped', () => {
  // 32×16: left half black, right half white.
  const w = 32, h = 16;
  const img: RgbImage = { width: w, height: h, data: new Float32Array(w * h * 3) };
  for (let y = 0; y < h; y++) for (let x = w / 2; x < w; x++) img.data.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
  const bytes = jpegWithOrientation(img, 6);
  assert.is(exifOrientation(bytes), 6);
  const up = decodeImage(bytes, 'rotated.jpg');
  assert.equal([up.width, up.height], [16, 32]);
  // Rotated clockwise, the left (black) half is now on top.
  assert.ok(up.data[(2 * 16 + 8) * 3] < 40 && up.data[(29 * 16 + 8) * 3] > 215);
  assert.is(exifOrientation(jpegWithOrientation(img, 1)), 1);
});

test('the eight orientations: each is a bijection, and applying 6 four times… as turns compose', () => {
  const img: RgbImage = { width: 3, height: 2, data: Float32Array.from({ length: 18 }, (_, i) => i) };
  for (let o = 1; o <= 8; o++) {
    const r = applyOrientation(img, o);
    assert.equal([...r.data].sort((a, b) => a - b), [...img.data]);
  }
  // 3 is a half turn: twice is the identity; 6 and 8 undo each other.
  assert.equal(applyOrientation(applyOrientation(img, 3), 3).data, img.data);
  assert.equal(applyOrientation(applyOrientation(img, 6), 8).data, img.data);
});

test('preprocess.resize reaches the model: its input and its hash change, and preprocess keys keep nested modes apart', () => {
  const model = importOnnxFile(path.join(shapes, 'shapes_cnn.onnx'));
  const crop = withPreprocess(model, { resize: { center_crop: { short_side: 256 } } });
  const box = withPreprocess(model, { resize: { letterbox: { fill: 114 } } });
  assert.equal(crop.preprocess.resize, { mode: 'center_crop', shortSide: 256 });
  assert.equal(box.preprocess.resize, { mode: 'letterbox', fill: 114 });
  assert.is.not(crop.net.hash, model.net.hash);
  assert.is(withPreprocess(model, { resize: 'stretch' }), model);
  assert.is.not(preprocessKey({ resize: { center_crop: { short_side: 256 } } }), preprocessKey({ resize: { center_crop: { short_side: 300 } } }));
  // A wide image letterboxed: the top rows are the fill.
  const wide: RgbImage = { width: 448, height: 224, data: new Float32Array(448 * 224 * 3).fill(255) };
  const x = toModelInput(wide, box.preprocess);
  assert.is(x.data[0], Math.fround((114 * box.preprocess.scale - box.preprocess.mean[0]) / box.preprocess.std[0]));
  assert.is(x.data[112 * 224 + 112], Math.fround((255 * box.preprocess.scale - box.preprocess.mean[0]) / box.preprocess.std[0]));
});

test.run();
