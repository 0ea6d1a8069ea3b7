// Every number that sizes an allocation is bounded where it enters, with a bad-input error naming
// the value and its limit: a model's declared input, each side of an image (a 1 × 39,999,999
// strip is under the pixel limit), so nothing reaches "Invalid typed array length" or the heap limit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { FC_SEED } from '../seed.ts';
import { decodeModel, encodeModel } from '../../src/engine/onnx.ts';
import { valueInfo } from '../../src/engine/graph.ts';
import { importOnnxFile } from '../../src/models/onnx-file.ts';
import { INPUT_LIMITS } from '../../src/models/input-size.ts';
import { decodeImage, MAX_IMAGE_SIDE } from '../../src/stimuli/image.ts';
import { errorOf } from '../helpers.ts';
import { shapesSpec, workspace } from './workspace.ts';
import { pngHeader } from './hostile-gen.ts';

const ws = workspace('bounds');
const base = fs.readFileSync(path.join(ws.dir, 'models', 'shapes_cnn.onnx'));

/** The shapes CNN with its input declared as `dims`. */
function declared(dims: (number | string)[]): string {
  const m = decodeModel(base);
  const g = m.graph;
  g.input[0] = valueInfo(g.input[0].name, dims);
  return ws.write(`models/declared-${dims.join('x')}.onnx`, encodeModel(m));
}

test('declared input sizes beyond the limits are bad input naming the value and the limit', () => {
  for (const dims of [['N', 3, 2 ** 40, 2 ** 40], ['N', 3, 20000, 20000], ['N', 3, 0, 224], ['N', 3, 5000, 5000], [1, 3000, 224, 224], ['N', 2 ** 40, 2 ** 40, 3]]) {
    const e = errorOf(() => importOnnxFile(declared(dims)));
    assert.is(e.code, 'E_MODEL_INPUT_SIZE', `${dims}: ${e.message}`);
    assert.match(e.message, /must be a whole number 1 … \d+|over the limit of \d+/);
  }
  // ONNX reads a negative dim as unknown: refused as a symbolic size, still bad input.
  const negative = errorOf(() => importOnnxFile(declared(['N', 3, -5, 224])));
  assert.is(negative.kind, 'bad_input');
  assert.match(negative.code, /^E_MODEL_INPUT_(SIZE|DYNAMIC)$/);
  assert.is(importOnnxFile(declared(['N', 3, 224, 224])).input.height, 224);
});

test('CLI: a model declaring [N,3,2^40,2^40] is exit 2 in layers, validate and run, never exit 3', () => {
  const model = declared(['N', 3, 2 ** 40, 2 ** 40]);
  ws.write('specs/huge-input.yaml', shapesSpec({ model: `../models/${path.basename(model)}` }));
  for (const args of [['layers', `models/${path.basename(model)}`], ['validate', 'specs/huge-input.yaml'], ['run', 'specs/huge-input.yaml', '--report-dir', 'r-huge', '--quiet']]) {
    const r = ws.cli(...args);
    assert.is(r.code, 2, `${args[0]}: ${r.out}${r.err}`);
    assert.match(r.err, /E_MODEL_INPUT_SIZE|declares an input height of 1099511627776/, `${args[0]}: ${r.err}`);
  }
});

test('each side of an image is bounded, not only its pixel count', () => {
  for (const [w, h] of [[1, 39_999_999], [39_999_999, 1], [MAX_IMAGE_SIDE + 1, 2]]) {
    const e = errorOf(() => decodeImage(pngHeader(w, h), 'strip.png'));
    assert.is(e.code, 'E_IMAGE_TOO_BIG', `${w}×${h}`);
    assert.match(e.message, new RegExp(`at most ${MAX_IMAGE_SIDE} pixels`));
  }
  fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (w, h) => {
    const over = w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE || w * h > 40_000_000;
    if (over) assert.is(errorOf(() => decodeImage(pngHeader(w, h), 'x.png')).code, 'E_IMAGE_TOO_BIG', `${w}×${h}`);
  }), { seed: FC_SEED, numRuns: 200 });
  assert.ok(INPUT_LIMITS.maxSide <= MAX_IMAGE_SIDE, 'a model input can always be fed from an image');
});

test.run();
