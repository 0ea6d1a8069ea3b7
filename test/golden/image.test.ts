import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FC_SEED } from '../seed.ts';
import { compareImages, compareOrBlessImage, openGoldenStore, type RgbaImage } from '../../src/golden/index.ts';
import { rgbToRgba, decodePngRgba, encodePngRgba } from '../../src/golden/image.ts';
import { renderStimulus } from '../../src/stimuli/index.ts';
import { readImage } from '../../src/stimuli/image.ts';
import { NeurogateError } from '../../src/errors.ts';

const images = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'images');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ng-golden-img-'));
const curve = (orientation: number, size = 96) => rgbToRgba(renderStimulus({ kind: 'curve', orientation, radius: 24, width: 4 }, { width: size, height: size }));

test('rendered curves: identical renders match exactly; a 10° turn differs in a few percent of pixels', () => {
  const same = compareImages(curve(90), curve(90));
  assert.equal([same.passed, same.diffPixels], [true, 0]);
  const turned = compareImages(curve(100), curve(90), { maxDiffRatio: 0.002 });
  assert.not.ok(turned.passed);
  assert.ok(turned.diffRatio > 0.002 && turned.diffRatio < 0.05, `ratio ${turned.diffRatio}`);
  assert.ok(compareImages(curve(100), curve(90), { maxDiffRatio: 0.05 }).passed);
});

test('sizes are checked before pixels', () => {
  const r = compareImages(curve(90, 64), curve(90, 96));
  assert.equal(r.sizeMismatch, { actual: [64, 64], expected: [96, 96] });
  assert.is(r.diff, undefined);
  assert.not.ok(r.passed);
});

test('with includeAA every pixel flipped black↔white counts, and passing means ratio ≤ maxDiffRatio', () => {
  fc.assert(fc.property(
    fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.uint8Array({ minLength: 144, maxLength: 144 }),
    fc.array(fc.nat(), { maxLength: 20 }), fc.double({ min: 0, max: 1, noNaN: true }),
    (w, h, grey, picks, maxDiffRatio) => {
      const base = new Uint8Array(w * h * 4);
      for (let i = 0; i < w * h; i++) base.set([grey[i] < 128 ? 0 : 255, grey[i] < 128 ? 0 : 255, grey[i] < 128 ? 0 : 255, 255], i * 4);
      const changed = new Set(picks.map((p) => p % (w * h)));
      const other = base.slice();
      for (const i of changed) for (let c = 0; c < 3; c++) other[i * 4 + c] = 255 - other[i * 4 + c];
      const r = compareImages({ width: w, height: h, data: other }, { width: w, height: h, data: base }, { includeAA: true, maxDiffRatio });
      assert.is(r.diffPixels, changed.size);
      assert.is(r.passed, changed.size / (w * h) <= maxDiffRatio);
    }), { seed: FC_SEED, numRuns: 150 });
});

test('a mismatching image golden writes actual and diff.png side by side in the report folder, never in the store', () => {
  const dir = tmp();
  const store = openGoldenStore({ root: path.join(dir, 'golden'), outDir: path.join(dir, 'reports'), ci: false });
  const key = { suite: 'stimuli', entry: 'curve', name: 'render', device: 'cpu' };
  compareOrBlessImage(store, key, curve(90), {}, 'bless');
  const goldenFile = path.join(dir, 'golden', 'stimuli', 'curve', 'render.cpu.png');
  const goldenBytes = fs.readFileSync(goldenFile);
  assert.ok(compareOrBlessImage(store, key, curve(90), {}, 'compare').passed);

  const ci = { ...store, ci: true };
  const r = compareOrBlessImage(ci, key, encodePngRgba(curve(100)), { maxDiffRatio: 0.001 }, 'compare');
  assert.equal([r.status, r.passed], ['mismatch', false]);
  const out = path.join(dir, 'reports', 'golden', 'stimuli', 'curve');
  assert.equal(fs.readdirSync(out).sort(), ['render.cpu.actual.png', 'render.cpu.diff.png']);
  const diff = decodePngRgba(fs.readFileSync(path.join(out, 'render.cpu.diff.png')), 'diff');
  // The diff marks differing pixels in pixelmatch's red; as many as it counted.
  let red = 0;
  for (let i = 0; i < diff.width * diff.height; i++) if (diff.data[i * 4] === 255 && diff.data[i * 4 + 1] === 0 && diff.data[i * 4 + 2] === 0) red++;
  assert.ok(red > 0 && Math.abs(red / (96 * 96) - r.check.observed!) < 1e-9, `${red} red vs ${r.check.observed}`);
  assert.equal(r.artifacts.map((a) => a.name), ['render (golden)', 'render (actual)', 'render (diff)']);
  assert.match(r.check.reason!, /pixels differ .* > 0\.1% allowed; actual and diff images in/);
  assert.ok(fs.readFileSync(goldenFile).equals(goldenBytes), 'the golden is untouched');
  assert.equal(fs.readdirSync(path.dirname(goldenFile)), ['render.cpu.png']);
});

test('a real photograph as a golden; a corrupt golden file fails its check with a reason naming it', () => {
  const dir = tmp();
  const store = openGoldenStore({ root: dir, ci: false });
  const key = { suite: 's', entry: 'e', name: 'photo' };
  const cat = readImage(path.join(images, 'chelsea.png'));
  compareOrBlessImage(store, key, cat, {}, 'bless');
  assert.ok(compareOrBlessImage(store, key, cat, {}, 'compare').passed);
  // Slight brightening stays under pixelmatch's default threshold.
  const brighter = { ...cat, data: cat.data.map((v) => Math.min(255, v + 2)) };
  assert.ok(compareOrBlessImage(store, key, brighter, {}, 'compare').passed);
  fs.writeFileSync(path.join(dir, 's', 'e', 'photo.png'), 'not a png');
  // A corrupt golden fails its own check with the reason; it does not end the run.
  const bad = compareOrBlessImage(store, key, cat, {}, 'compare');
  assert.is(bad.status, 'unreadable');
  assert.not.ok(bad.passed);
  assert.match(bad.check.reason ?? '', /golden cannot be used: image photo.png is not a PNG, JPEG or \.npy file/);
  const img: RgbaImage = curve(0);
  assert.throws(() => compareImages(img, img, { threshold: 2 }), /threshold must be in 0..1/);
});

test.run();
