// Hostile images: every PNG colour type and depth decodes to the same picture; zero-size and
// bomb headers, and any truncation or bit flip of real photographs, are decoded or refused as
// bad input with a code — never a crash, never an allocation the header asked for.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { decodeImage, DEFAULT_IMAGE_LIMITS } from '../../src/stimuli/image.ts';
import { isNeurogateError } from '../../src/errors.ts';
import { FC_SEED } from '../seed.ts';
import { errorOf } from '../helpers.ts';
import { repo } from './workspace.ts';

const photos = ['chelsea.png', 'rocket.jpg'].map((f) => fs.readFileSync(path.join(repo, 'test', 'fixtures', 'images', f)));

/** An 8×6 grey ramp with a half-transparent right half, as RGBA. */
function ramp(): Buffer {
  const w = 8, h = 6;
  const rgba = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4;
    rgba.fill(x * 32, i, i + 3);
    rgba[i + 3] = x < 4 ? 255 : 0;
  }
  return rgba;
}

test('PNG grey, grey+alpha, RGB and RGBA decode to the same picture (alpha over white)', () => {
  const png = new PNG({ width: 8, height: 6 });
  png.data = ramp();
  const want = decodeImage(PNG.sync.write(png, { colorType: 6 }), 'rgba');
  for (const colorType of [0, 2, 4, 6] as const) {
    for (const bitDepth of [8] as const) {
      const bytes = PNG.sync.write(png, { colorType, bitDepth, inputColorType: 6, inputHasAlpha: true });
      const got = decodeImage(bytes, `type ${colorType}/${bitDepth}`);
      assert.is(got.width, 8);
      assert.is(got.height, 6);
      // Without an alpha channel pngjs flattens onto white when writing, as neurogate does when reading.
      for (let i = 0; i < got.data.length; i++) {
        assert.ok(Math.abs(got.data[i] - want.data[i]) <= 1, `type ${colorType}/${bitDepth} at ${i}: ${got.data[i]} vs ${want.data[i]}`);
      }
      assert.is(want.data[0], 0, 'opaque black stays black');
      assert.is(want.data[7 * 3], 255, 'transparent turns white');
    }
  }
});

test('zero-size and bomb headers are refused before decoding; the pixel limit is configurable', () => {
  const png = new PNG({ width: 8, height: 6 });
  png.data = ramp();
  const good = PNG.sync.write(png);
  for (const [w, h, code] of [[0, 6, 'E_IMAGE_EMPTY'], [8, 0, 'E_IMAGE_EMPTY'], [0x7fffffff, 0x7fffffff, 'E_IMAGE_TOO_BIG'], [70000, 70000, 'E_IMAGE_TOO_BIG']] as const) {
    const b = Buffer.from(good);
    b.writeUInt32BE(w, 16);
    b.writeUInt32BE(h, 20);
    const before = process.memoryUsage().rss;
    const e = errorOf(() => decodeImage(b, 'bomb.png'));
    assert.is(e.code, code, `${w}×${h}`);
    assert.ok(process.memoryUsage().rss - before < 64 * 2 ** 20, 'nothing large was allocated');
  }
  assert.is(errorOf(() => decodeImage(good, 'x', { ...DEFAULT_IMAGE_LIMITS, maxPixels: 47 })).code, 'E_IMAGE_TOO_BIG');
  assert.is(decodeImage(good, 'x', { ...DEFAULT_IMAGE_LIMITS, maxPixels: 48 }).width, 8);
});

test('property: truncated or bit-flipped photographs (PNG and JPEG) decode or are refused as bad input', () => {
  const seen = new Map<string, number>();
  fc.assert(fc.property(
    fc.nat({ max: photos.length - 1 }),
    fc.array(fc.record({ at: fc.nat(), bit: fc.nat({ max: 7 }) }), { maxLength: 8 }),
    fc.option(fc.nat(), { freq: 2 }),
    (which, flips, cut) => {
      const src = photos[which];
      const b = Buffer.from(src);
      // Flips land mostly in the first 2 KB (headers, tables) where they do the most damage.
      for (const f of flips) b[f.at % (f.bit < 5 ? 2048 : b.length)] ^= 1 << f.bit;
      const bytes = cut === null ? b : b.subarray(0, cut % b.length);
      try {
        const img = decodeImage(bytes, 'photo');
        assert.ok(img.width > 0 && img.height > 0 && img.data.length === img.width * img.height * 3);
        assert.ok(img.data.every((v) => v >= 0 && v <= 255), 'pixel values stay in range');
        seen.set('decoded', (seen.get('decoded') ?? 0) + 1);
      } catch (e) {
        if (!isNeurogateError(e) || e.kind !== 'bad_input') throw e;
        seen.set(e.code, (seen.get(e.code) ?? 0) + 1);
      }
    },
  ), { seed: FC_SEED, numRuns: 120 });
  assert.ok(seen.size >= 2, JSON.stringify([...seen]));
});

test.run();
