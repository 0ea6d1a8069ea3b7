// --max-image-pixels: `neurogate run` refuses a spec image over the limit before decoding it
// (exit 2, naming the image, the limit and the flag, nothing written); the limit reaches the image
// reader through the run limits and goes back to the default when they are reset.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { limitOptions } from '../../src/cli/run.ts';
import { applyImageLimits } from '../../src/probe/limits.ts';
import { DEFAULT_IMAGE_LIMITS, imageLimits, readImage } from '../../src/stimuli/image.ts';
import { errorOf } from '../helpers.ts';
import { shapesSpec, workspace } from './workspace.ts';

const ws = workspace('image-limits');
// The shapes scenes are 224×224 = 50176 pixels.
const disk = path.join(ws.dir, 'images', 'shape_0_disk.png');

test('CLI: an image one pixel over --max-image-pixels exits 2 naming the image, the limit and the flag', () => {
  ws.write('specs/ok.yaml', shapesSpec());
  const r = ws.cli('run', 'specs/ok.yaml', '--max-image-pixels', '50175', '--report-dir', 'r-over', '--quiet');
  assert.is(r.code, 2, r.out + r.err);
  assert.match(r.err, /specs\/ok\.yaml:8:12: image shape_0_disk\.png is 224×224 = 50176 pixels, over the limit of 50175 \(--max-image-pixels\)/);
  assert.match(r.err, /raise the limit with `neurogate run --max-image-pixels <n>`/);
  assert.not.ok(fs.existsSync(path.join(ws.dir, 'r-over')), 'nothing ran, nothing written');
  const ok = ws.cli('run', 'specs/ok.yaml', '--max-image-pixels', '50176', '--report-dir', 'r-at', '--quiet');
  assert.is(ok.code, 0, ok.out + ok.err);
});

test('CLI: a bad --max-image-pixels value exits 2 with usage; every malformed value is refused', () => {
  ws.write('specs/ok.yaml', shapesSpec());
  const b = ws.cli('run', 'specs/ok.yaml', '--max-image-pixels=many', '--quiet');
  assert.is(b.code, 2, b.out + b.err);
  assert.match(b.err, /--max-image-pixels must be a positive whole number of pixels \(width × height\), got "many"/);
  assert.match(b.err, /usage: neurogate run .*\[--max-image-pixels <n>\]/);
  for (const bad of ['0', '-1', '1e6', '1.5', '', ' 7', '9007199254740993']) assert.is(errorOf(() => limitOptions({ 'max-image-pixels': bad }, 'usage')).code, 'E_ARGS', JSON.stringify(bad));
  assert.is(limitOptions({ 'max-image-pixels': '123' }, 'usage').maxImagePixels, 123);
  assert.is(limitOptions({}, 'usage').maxImagePixels, undefined);
});

test('the run limit reaches every image read and is undone by applying the defaults', () => {
  try {
    applyImageLimits({ maxImagePixels: 50175 });
    assert.is(imageLimits().maxPixels, 50175);
    const e = errorOf(() => readImage(disk));
    assert.is(e.code, 'E_IMAGE_TOO_BIG');
    assert.is(e.where, disk);
  } finally {
    applyImageLimits({});
  }
  assert.is(imageLimits().maxPixels, DEFAULT_IMAGE_LIMITS.maxPixels);
  assert.is(readImage(disk).width, 224);
});

test.run();
