// Hostile images: every PNG colour type and depth, grey / CMYK / YCCK / RGB / progressive JPEGs
// decode to what libjpeg and libpng see (test/fixtures/images/hostile/, each with a reference
// decode); zero-size, bomb headers, deflate bombs, unsupported codings and any truncation or bit
// flip of real photographs are refused as bad input with a code — never a crash, never an
// allocation the header asked for.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { decodeImage, readImage, DEFAULT_IMAGE_LIMITS, MAX_IMAGE_SIDE, imageLimits, setImageLimits, type RgbImage } from '../../src/stimuli/image.ts';
import { isNeurogateError } from '../../src/errors.ts';
import { FC_SEED } from '../seed.ts';
import { errorOf } from '../helpers.ts';
import { repo } from './workspace.ts';
import { interlacedBomb } from '../fixtures/images/hostile/make.ts';

const hostile = path.join(repo, 'test', 'fixtures', 'images', 'hostile');
const fixture = (f: string) => path.join(hostile, f);

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

/** Largest and mean absolute difference over all samples of two same-size images. */
function diff(a: RgbImage, b: RgbImage): { max: number; mean: number } {
  assert.equal([a.width, a.height], [b.width, b.height]);
  let max = 0, sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.data.length };
}

// Measured: PNGs match libpng within 1.6 (16-bit scaling and alpha rounding), JPEGs match libjpeg
// within 3 (its integer IDCT vs jpeg-js's); the bounds leave a little room and nothing more.
const READ = ['rgba.png', 'grey-alpha.png', 'rgb16.png', 'rgba16.png', 'palette.png', 'palette-trns.png', 'grey-1bit.png', 'interlaced.png',
  'grey.jpg', 'progressive.jpg', 'cmyk-ycck.jpg', 'cmyk-adobe.jpg', 'rgb-adobe.jpg', 'rgb-ids.jpg'];

test('fixtures: every readable variant decodes as libjpeg / libpng decode it (flattened onto white)', () => {
  for (const f of READ) {
    const got = readImage(fixture(f));
    const ref = readImage(fixture(f.replace(/\.\w+$/, '.ref.png')));
    const d = diff(got, ref);
    const [maxTol, meanTol] = f.endsWith('.png') ? [2, 0.6] : [4, 0.6];
    assert.ok(d.max <= maxTol && d.mean <= meanTol, `${f}: max ${d.max}, mean ${d.mean.toFixed(3)} from the reference`);
  }
});

test('fixtures: colour variants show the same picture as the source (CMYK not inverted, RGB not taken for YCbCr)', () => {
  const source = readImage(fixture('source.png'));
  for (const f of ['cmyk-adobe.jpg', 'cmyk-ycck.jpg', 'progressive.jpg', 'rgb-adobe.jpg', 'rgb-ids.jpg', 'rgb16.png', 'palette.png', 'interlaced.png']) {
    const d = diff(readImage(fixture(f)), source);
    assert.ok(d.mean <= 4, `${f}: mean ${d.mean.toFixed(2)} from the source picture`);
  }
  // The RGB fixtures would catch the mistake they guard against: jpeg-js on its own decodes them as YCbCr.
  const naive = jpeg.decode(fs.readFileSync(fixture('rgb-adobe.jpg')), { useTArray: true });
  const asRgb: RgbImage = { width: naive.width, height: naive.height, data: Float32Array.from({ length: naive.width * naive.height * 3 }, (_, i) => naive.data[Math.floor(i / 3) * 4 + (i % 3)]) };
  assert.ok(diff(asRgb, source).mean > 30, 'jpeg-js without the colour-transform decision is far off');
});

test('fixtures: grey variants have equal channels; alpha is composited over white', () => {
  for (const f of ['grey.jpg', 'grey-alpha.png', 'grey-1bit.png']) {
    const img = readImage(fixture(f));
    for (let i = 0; i < img.width * img.height; i++) assert.ok(img.data[i * 3] === img.data[i * 3 + 1] && img.data[i * 3] === img.data[i * 3 + 2], `${f} pixel ${i}`);
  }
  const source = readImage(fixture('source.png'));
  for (const f of ['rgba.png', 'rgba16.png']) {
    const img = readImage(fixture(f));
    for (let y = 0; y < img.height; y++) {
      const left = (y * img.width) * 3, right = (y * img.width + img.width - 1) * 3;
      for (let c = 0; c < 3; c++) {
        assert.ok(Math.abs(img.data[left + c] - source.data[left + c]) <= 1, `${f}: opaque left edge keeps the picture`);
        assert.ok(img.data[right + c] >= 254, `${f}: transparent right edge is white, got ${img.data[right + c]}`);
      }
    }
  }
});

test('fixtures: unsupported, empty, bomb and truncated files are refused with a reason naming the file', () => {
  const cases: [string, string, RegExp][] = [
    ['cmyk-plain.jpg', 'E_IMAGE_UNSUPPORTED', /4-channel \(CMYK\) JPEG without an Adobe APP14 marker/],
    ['arithmetic.jpg', 'E_IMAGE_UNSUPPORTED', /JPEG is arithmetic-coded \(SOF9\), which neurogate cannot decode/],
    ['zero-width.jpg', 'E_IMAGE_EMPTY', /has zero size \(0×32\)/],
    ['zero-height.png', 'E_IMAGE_EMPTY', /has zero size \(48×0\)/],
    ['bomb.jpg', 'E_IMAGE_TOO_BIG', /is 65535×65535 = 4294836225 pixels, over the limit of 40000000 \(--max-image-pixels\)/],
    ['bomb.png', 'E_IMAGE_TOO_BIG', /is 100000×100000 = 10000000000 pixels, over the limit of 40000000 \(--max-image-pixels\)/],
    ['bomb-interlaced.png', 'E_IMAGE_TOO_BIG', /PNG data decompresses to more than the 286 bytes its 16×16 header needs/],
    ['truncated.jpg', 'E_IMAGE_CORRUPT', /JPEG is truncated/],
    ['truncated.png', 'E_IMAGE_CORRUPT', /PNG is truncated/],
  ];
  for (const [f, code, message] of cases) {
    const e = errorOf(() => readImage(fixture(f)));
    assert.is(e.code, code, `${f}: ${e.message}`);
    assert.is(e.kind, 'bad_input');
    assert.match(e.message, new RegExp(`^image ${f.replace('.', '\\.')}\\b`), 'the message names the file');
    assert.match(e.message, message);
    assert.ok(e.hint && e.hint.length > 10, `${f}: a hint`);
    assert.is(e.where, fixture(f));
  }
});

test('bombs are refused from the header, before any allocation: 300 MiB of zeros behind a 16×16 interlaced PNG', () => {
  const bomb = interlacedBomb(16, 300); // ~310 KB
  for (const [name, bytes] of [['bomb.jpg', fs.readFileSync(fixture('bomb.jpg'))], ['bomb.png', fs.readFileSync(fixture('bomb.png'))], ['bomb-300mib.png', bomb]] as const) {
    const rss = process.memoryUsage().rss;
    const t0 = performance.now();
    assert.is(errorOf(() => decodeImage(bytes, name)).code, 'E_IMAGE_TOO_BIG', name);
    const ms = performance.now() - t0;
    const grew = (process.memoryUsage().rss - rss) / 2 ** 20;
    assert.ok(grew < 32 && ms < 500, `${name}: RSS grew ${grew.toFixed(1)} MiB in ${ms.toFixed(0)} ms`);
  }
});

test('the pixel limit is configurable per call and process-wide, for PNG and JPEG alike', () => {
  const grey = fs.readFileSync(fixture('grey.jpg')); // 48×32 = 1536 pixels
  const png = fs.readFileSync(fixture('palette.png'));
  for (const bytes of [grey, png]) {
    assert.is(errorOf(() => decodeImage(bytes, 'x', { ...DEFAULT_IMAGE_LIMITS, maxPixels: 1535 })).code, 'E_IMAGE_TOO_BIG');
    assert.is(decodeImage(bytes, 'x', { ...DEFAULT_IMAGE_LIMITS, maxPixels: 1536 }).width, 48);
  }
  const before = imageLimits();
  try {
    setImageLimits({ maxPixels: 1000 });
    assert.match(errorOf(() => readImage(fixture('grey.jpg'))).message, /over the limit of 1000/);
  } finally {
    setImageLimits(before);
  }
  assert.is(readImage(fixture('grey.jpg')).width, 48);
});

test('property: the size decision depends only on the declared JPEG frame size (fast-check)', () => {
  const grey = fs.readFileSync(fixture('grey.jpg'));
  const sof = grey.indexOf(Buffer.from([0xff, 0xc0]));
  const limits = { ...DEFAULT_IMAGE_LIMITS, maxPixels: 200_000 };
  const seen = new Map<string, number>();
  fc.assert(fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), (w, h) => {
    const b = Buffer.from(grey);
    b.writeUInt16BE(h, sof + 5);
    b.writeUInt16BE(w, sof + 7);
    let outcome: string;
    try {
      const img = decodeImage(b, 'patched.jpg', limits);
      assert.equal([img.width, img.height], [w, h]);
      outcome = 'decoded';
    } catch (e) {
      if (!isNeurogateError(e) || e.kind !== 'bad_input') throw e;
      outcome = e.code;
    }
    const want = w === 0 || h === 0 ? 'E_IMAGE_EMPTY' : w * h > limits.maxPixels || w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE ? 'E_IMAGE_TOO_BIG' : undefined;
    if (want) assert.is(outcome, want, `${w}×${h}`);
    else assert.ok(outcome !== 'E_IMAGE_TOO_BIG' && outcome !== 'E_IMAGE_EMPTY', `${w}×${h}: ${outcome}`);
    seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
  }), { seed: FC_SEED, numRuns: 150, examples: [[48, 32], [0, 32], [1, 1], [65535, 65535], [447, 447], [448, 447]] });
  assert.ok(seen.has('E_IMAGE_TOO_BIG') && seen.has('decoded'), JSON.stringify([...seen]));
});

test('fixtures are small and each one is described in the folder README', () => {
  const readme = fs.readFileSync(fixture('README.md'), 'utf8');
  const files = fs.readdirSync(hostile).filter((f) => /\.(png|jpg)$/.test(f));
  assert.ok(files.length >= 30, `${files.length} files`);
  for (const f of files) {
    assert.ok(fs.statSync(fixture(f)).size < 20 * 1024, `${f} is under 20 KB`);
    if (!f.endsWith('.ref.png')) assert.ok(readme.includes(`\`${f}\``), `README.md describes ${f}`);
    else assert.ok(files.includes(f.replace('.ref.png', '.png')) || files.includes(f.replace('.ref.png', '.jpg')), `${f} has its fixture`);
  }
  for (const named of readme.matchAll(/`([\w-]+\.(?:png|jpg))`/g)) assert.ok(files.includes(named[1]), `README.md names ${named[1]}, which exists`);
});

test.run();
