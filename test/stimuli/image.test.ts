import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import path from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { readImage, decodeImage, resize, toModelInput, fromModelInput, encodePng } from '../../src/stimuli/image.ts';
import { NeurogateError } from '../../src/errors.ts';

const images = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'images');
const p = { height: 8, width: 8, scale: 1 / 255, mean: [0.5, 0.4, 0.3] as [number, number, number], std: [0.2, 0.25, 0.3] as [number, number, number], channelOrder: 'RGB' as const, sourceLayout: 'NHWC' as const };

function code(fn: () => unknown): string {
  try { fn(); } catch (e) { return e instanceof NeurogateError ? e.code : `not a NeurogateError: ${e}`; }
  return 'no error';
}

test('real photographs decode at their documented sizes (PNG and JPEG)', () => {
  const cat = readImage(path.join(images, 'chelsea.png'));
  assert.equal([cat.width, cat.height], [451, 300]);
  const rocket = readImage(path.join(images, 'rocket.jpg'));
  assert.equal([rocket.width, rocket.height], [640, 427]);
  // A photograph is not flat: its channels vary.
  const mean = cat.data.reduce((s, v) => s + v, 0) / cat.data.length;
  assert.ok(mean > 20 && mean < 235, `mean ${mean}`);
});

test('toModelInput and fromModelInput are inverses at the model size', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 192, maxLength: 192 }), (px) => {
    const img = { width: 8, height: 8, data: Float32Array.from(px) };
    const back = fromModelInput(toModelInput(img, p), p);
    for (let i = 0; i < px.length; i++) assert.ok(Math.abs(back.data[i] - px[i]) < 1e-3);
  }));
});

test('resizing a constant image keeps it constant; PNG encode/decode round-trips', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 255 }), (w, h, v) => {
    const img = { width: 7, height: 5, data: new Float32Array(7 * 5 * 3).fill(v) };
    const r = resize(img, w, h);
    assert.ok(r.data.every((x) => Math.abs(x - v) < 1e-3));
    const back = decodeImage(encodePng(r), 'mem');
    assert.ok(back.data.every((x) => Math.abs(x - v) < 1e-3));
  }));
});

test('grey+alpha PNG: transparent pixels become white background', () => {
  const png = new PNG({ width: 2, height: 1, colorType: 6 });
  png.data.set([0, 0, 0, 255, 0, 0, 0, 0]);
  const img = decodeImage(PNG.sync.write(png), 'mem');
  assert.equal([...img.data], [0, 0, 0, 255, 255, 255]);
});

test('bad images are refused with a named reason', () => {
  assert.is(code(() => readImage(path.join(images, 'nope.png'))), 'E_IMAGE_MISSING');
  assert.is(code(() => decodeImage(new Uint8Array(0), 'x')), 'E_IMAGE_EMPTY');
  assert.is(code(() => decodeImage(new TextEncoder().encode('hello world'), 'x')), 'E_IMAGE_FORMAT');
  const good = encodePng({ width: 4, height: 4, data: new Float32Array(48) });
  assert.is(code(() => decodeImage(good.subarray(0, 40), 'x')), 'E_IMAGE_CORRUPT');
  // A header that claims 100000×100000 pixels is refused before any decoding.
  const bomb = Buffer.from(good);
  bomb.writeUInt32BE(100000, 16);
  bomb.writeUInt32BE(100000, 20);
  assert.is(code(() => decodeImage(bomb, 'x')), 'E_IMAGE_TOO_BIG');
  const j = jpeg.encode({ width: 64, height: 64, data: Buffer.alloc(64 * 64 * 4, 128) }, 90).data;
  assert.is(code(() => decodeImage(j, 'x', { maxPixels: 100, maxBytes: 1e9 })), 'E_IMAGE_TOO_BIG');
  assert.is(code(() => decodeImage(j.subarray(0, 200), 'x')), 'E_IMAGE_CORRUPT');
});

test.run();
