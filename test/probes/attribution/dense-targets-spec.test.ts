// Dense targets written in a spec: a region of a segmenter's map by a mask image and by a
// fractional box, and a regression direction, run through `masks` entries; a wrong shape or range
// stops preparation with exit 2 at the target's spec line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeModel } from '../../../src/engine/onnx.ts';
import { run } from '../../../src/engine/session.ts';
import { makeRng } from '../../../src/util/rng.ts';
import { encodePng, readImage, toModelInput } from '../../../src/stimuli/image.ts';
import { importOnnxFile } from '../../../src/models/onnx-file.ts';
import { runSpecs } from '../../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../../src/probe/limits.ts';
import { SpecError } from '../../../src/suite/issues.ts';
import { EXIT, exitCodeFor } from '../../../src/errors.ts';
import { asyncErrorOf } from '../../helpers.ts';
import { regressor, segmenter } from './dense-targets.ts';

const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-dense-targets-'));
const rng = makeRng(2025);
const [H, W] = [12, 16];
fs.writeFileSync(path.join(dir, 'seg.onnx'), encodeModel(segmenter(3, 4, H, W, rng).model));
fs.writeFileSync(path.join(dir, 'reg.onnx'), encodeModel(regressor([3, H, W], 5, rng).model));
const image = { width: W, height: H, data: Float32Array.from({ length: H * W * 3 }, (_, i) => (i * 37) % 256) };
fs.writeFileSync(path.join(dir, 'img.png'), encodePng(image));
// A mask at twice the map's resolution: white on the left half of rows 0–5 (the output's rows 0–2).
const mask = { width: 2 * W, height: 2 * H, data: Float32Array.from({ length: 4 * H * W * 3 }, (_, i) => (Math.floor(i / 3 / (2 * W)) < 6 && (Math.floor(i / 3) % (2 * W)) < W ? 255 : 0)) };
fs.writeFileSync(path.join(dir, 'mask.png'), encodePng(mask));

const spec = (name: string, model: string, target: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, `suite: dense\nmodel: ${model}\nengine: { device: cpu }\nmasks:\n  - id: t\n    image: img.png\n    target: ${target}\n    method: { gradient: {} }\n    expect: { score: { min: -1e9 } }\n`);
  return f;
};

test('region targets by a mask image and by a fractional box score the sum and mean of the class map over their cells', async () => {
  const model = importOnnxFile(path.join(dir, 'seg.onnx'));
  const input = toModelInput(readImage(path.join(dir, 'img.png')), model.preprocess);
  const seg = (await run(model.net, { [model.input.name]: input }, ['seg'])).seg;
  const over = (c: number, inside: (y: number, x: number) => boolean) => {
    let s = 0;
    let n = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (inside(y, x)) [s, n] = [s + seg.data[(c * H + y) * W + x], n + 1];
    return { sum: s, mean: s / n };
  };
  const cases: [string, number][] = [
    ['{ tensor: seg, channel: 1, region: { mask: mask.png } }', over(1, (y, x) => y < 3 && x < 8).sum],
    ['{ tensor: seg, channel: 2, region: { box: [0.25, 0.5, 0.75, 1], units: fraction }, reduce: mean }', over(2, (y, x) => y >= 3 && y < 9 && x >= 8).mean],
  ];
  for (const [i, [target, want]] of cases.entries()) {
    const { report } = await runSpecs({ paths: [spec(`ok-${i}.yaml`, 'seg.onnx', target)], limits });
    const e = report.suites[0].entries[0];
    assert.is(e.error, undefined, JSON.stringify(e.error));
    const score = e.measurements.score as number;
    assert.ok(Math.abs(score - want) <= 1e-4 * (1 + Math.abs(want)), `${target}: ${score} vs ${want}`);
  }
});

test('a wrong direction length, index, channel, box or mask file: exit 2 at the target line', async () => {
  const cases: [string, string, RegExp][] = [
    ['reg.onnx', '{ tensor: y, direction: [1, 2, 3] }', /the direction has 3 entries, and one item of "y" \(shape \[5\]\) has 5 elements/],
    ['reg.onnx', '{ tensor: y, index: [0, 1] }', /index \[0,1\] has 2 coordinates/],
    ['seg.onnx', '{ tensor: seg, channel: 4, region: { box: [0, 0, 2, 2] } }', /channel 4 is out of range for "seg" \(0…3\)/],
    ['seg.onnx', '{ tensor: seg, channel: 0, region: { box: [0, 0, 13, 2] } }', /box \[0,0,13,2\] leaves the 12×16 map/],
    ['seg.onnx', '{ tensor: seg, channel: 0, region: { mask: none.png } }', /none\.png/],
    ['seg.onnx', '{ tensor: sge, channel: 0, region: { box: [0, 0, 2, 2] } }', /"sge" does not exist/],
    ['seg.onnx', '{ detection: { boxes: seg, scores: seg, class: 0, box: [0, 0, 1, 1] } }', /detection scores "seg" have item shape \[4,12,16\]/],
  ];
  for (const [i, [model, target, re]] of cases.entries()) {
    const e = await asyncErrorOf(() => runSpecs({ paths: [spec(`bad-${i}.yaml`, model, target)], limits }));
    assert.instance(e, SpecError, target);
    assert.is(exitCodeFor(e), EXIT.badInput);
    const text = (e as SpecError).issues.map((x) => `${x.where} ${x.message}`).join('\n');
    assert.match(text, re);
    assert.match(text, new RegExp(`bad-${i}\\.yaml:7:\\d+`), text);
  }
});

test.run();
