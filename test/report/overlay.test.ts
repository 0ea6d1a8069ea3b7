// Heatmap overlays for the report: colours follow the map (dark for low, bright for high; signed
// maps white at 0), the image shows through by alpha, and the artifact is a decodable PNG.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PNG } from 'pngjs';
import { colourMap, heatmapArtifact, overlay } from '../../src/report/overlay.ts';
import type { RgbImage } from '../../src/stimuli/image.ts';

const grey: RgbImage = { width: 4, height: 2, data: new Float32Array(24).fill(128) };
const map = { dims: [2, 4], data: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]) };
const brightness = (img: RgbImage, i: number) => img.data[i * 3] + img.data[i * 3 + 1] + img.data[i * 3 + 2];

test('magnitude ramp: brightness increases with the value; a constant map is uniform', () => {
  const c = colourMap(map, 'magnitude');
  for (let i = 1; i < 8; i++) assert.ok(brightness(c, i) > brightness(c, i - 1));
  const flat = colourMap({ dims: [2, 4], data: new Float32Array(8).fill(3) }, 'magnitude');
  for (let i = 1; i < 8; i++) assert.is(brightness(flat, i), brightness(flat, 0));
  // One extreme pixel saturates instead of turning every other pixel black.
  const spiky = Float32Array.from({ length: 400 }, (_, i) => (i === 0 ? 1e6 : i % 10));
  const s = colourMap({ dims: [20, 20], data: spiky }, 'magnitude');
  assert.ok(brightness(s, 9) > 0.5 * brightness(s, 0), `${brightness(s, 9)} vs ${brightness(s, 0)}`);
});

test('signed maps are white at 0, red for positive, blue for negative; [C,H,W] maps are summed over channels', () => {
  const c = colourMap({ dims: [2, 1, 3], data: Float32Array.from([-1, 0, 1, -1, 0, 1]) }, 'signed');
  assert.equal(Array.from(c.data.subarray(3, 6)), [255, 255, 255]);
  assert.ok(c.data[6] === 255 && c.data[8] < 1);
  assert.ok(c.data[2] === 255 && c.data[0] < 1);
});

test('overlay blends by alpha and the artifact is a PNG no larger than maxSide', () => {
  const none = overlay(grey, map, { alpha: 0 });
  assert.equal(Array.from(none.data), Array.from(grey.data));
  const big: RgbImage = { width: 400, height: 200, data: new Float32Array(400 * 200 * 3).fill(90) };
  const bigMap = { dims: [200, 400], data: Float32Array.from({ length: 80_000 }, (_, i) => i % 400) };
  const a = heatmapArtifact('x', big, bigMap, 'caption', { maxSide: 100 });
  assert.ok(a.type === 'image');
  const png = PNG.sync.read(Buffer.from(a.pngBase64, 'base64'));
  assert.equal([png.width, png.height, a.width, a.height], [100, 50, 100, 50]);
});

test.run();
