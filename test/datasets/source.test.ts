// Image sources and their pieces: seeded samples, glob patterns, CSV cells, header sizes,
// aggregates; folders, globs, JSONL manifests and scenes resolved from a spec.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FC_SEED } from '../seed.ts';
import { sampleOf, resolveImages } from '../../src/datasets/source.ts';
import { globToRegExp } from '../../src/datasets/walk.ts';
import { splitCsv } from '../../src/datasets/manifest.ts';
import { sizeOf } from '../../src/datasets/image-size.ts';
import { aggregate, quantile } from '../../src/datasets/aggregate.ts';
import { encodePng } from '../../src/stimuli/image.ts';
import { loadSpecText } from '../../src/kinds/load.ts';
import { SpecError } from '../../src/suite/issues.ts';
import { errorOf } from '../helpers.ts';

const params = { seed: FC_SEED, numRuns: 200 };

test('a sample keeps min(n, size) distinct items in source order, the same for the same seed', () => {
  fc.assert(fc.property(fc.array(fc.integer(), { maxLength: 60 }), fc.integer({ min: 1, max: 80 }), fc.nat(), (xs, n, seed) => {
    const items = xs.map((x, i) => ({ i, x }));
    const s = sampleOf(items, { n, seed });
    assert.is(s.length, Math.min(n, items.length));
    for (let k = 1; k < s.length; k++) assert.ok(s[k - 1].i < s[k].i);
    assert.equal(sampleOf(items, { n, seed }), s);
  }), params);
});

test('glob: * stays in a folder, ** crosses folders, ? is one character, {a,b} alternatives', () => {
  const re = globToRegExp('**/*.{png,jpg}');
  for (const p of ['a.png', 'x/y/b.jpg']) assert.ok(re.test(p), p);
  for (const p of ['a.jpeg', 'a.png.txt']) assert.not.ok(re.test(p), p);
  assert.ok(globToRegExp('img/s?.png').test('img/s1.png'));
  assert.not.ok(globToRegExp('img/*.png').test('img/sub/s1.png'));
  assert.not.ok(globToRegExp('s?.png').test('s12.png'));
  fc.assert(fc.property(fc.stringMatching(/^[a-z0-9_.]{1,12}$/), (name) => globToRegExp(name).test(name)), params);
});

test('CSV cells: quotes group commas and "" is a quote; joining plain cells back gives the line', () => {
  assert.equal(splitCsv('a,"b, c","d ""e"""'), ['a', 'b, c', 'd "e"']);
  fc.assert(fc.property(fc.array(fc.stringMatching(/^[^,"\n]*$/), { minLength: 1, maxLength: 8 }), (cells) => {
    assert.equal(splitCsv(cells.join(',')), cells);
  }), params);
});

test('a PNG header gives the size without decoding', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), (w, h) => {
    assert.equal(sizeOf(encodePng({ width: w, height: h, data: new Float32Array(w * h * 3) })), { width: w, height: h });
  }), { ...params, numRuns: 30 });
});

test('aggregates: quantile 0 / 0.5 / 1 are min / median / max; fraction_above counts; missing values skipped', () => {
  fc.assert(fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), (v) => {
    assert.is(quantile(v, 0), Math.min(...v));
    assert.is(quantile(v, 1), Math.max(...v));
    assert.is(aggregate(v, 'median'), quantile(v, 0.5));
    const m = aggregate(v, 'mean')!;
    assert.ok(m >= Math.min(...v) - 1e-6 && m <= Math.max(...v) + 1e-6);
    assert.is(aggregate([...v, null], { fraction_above: 0 }), v.filter((x) => x > 0).length / v.length);
  }), params);
  assert.is(aggregate([1, 2, 3, 4], 'median'), 2.5);
  assert.is(aggregate([null, null], 'mean'), null);
});

// A small project: images in folders, a JSONL manifest.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-sources-'));
fs.writeFileSync(path.join(dir, 'package.json'), '{}');
for (const f of ['a/1.png', 'a/2.png', 'a/sub/3.png', 'b/4.png']) {
  fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
  fs.writeFileSync(path.join(dir, f), encodePng({ width: 10, height: 6, data: new Float32Array(180) }));
}
fs.writeFileSync(path.join(dir, 'a/notes.txt'), 'not an image');

function load(images: string, extra = '') {
  const file = path.join(dir, 'spec.yaml');
  return loadSpecText(file, `suite: s\nmodel: zoo:mobilenet_v2\n${extra}masks:\n  - id: e\n    images: ${images}\n    method: { gradient: {} }\n    expect: { score: { min: 0 } }\n`);
}
const names = (images: string) => {
  const spec = load(images);
  const e = (spec.suite.masks as { images: Parameters<typeof resolveImages>[2] }[])[0];
  return resolveImages(spec, ['masks', 0, 'images'], e.images).items.map((i) => i.name);
};

test('folders (sorted, recursive unless told), globs and samples', () => {
  assert.equal(names('{ folder: a }'), ['a/1.png', 'a/2.png', 'a/sub/3.png']);
  assert.equal(names('{ folder: a, recursive: false }'), ['a/1.png', 'a/2.png']);
  assert.equal(names('{ glob: "*/*.png" }'), ['a/1.png', 'a/2.png', 'b/4.png']);
  assert.equal(names('{ glob: "a/**/*.png" }'), ['a/1.png', 'a/2.png', 'a/sub/3.png']);
  assert.is(names('{ folder: a, sample: { n: 2, seed: 5 } }').length, 2);
});

test('an empty folder, a glob matching nothing, a folder outside the project: errors at the spec line', () => {
  fs.mkdirSync(path.join(dir, 'empty'), { recursive: true });
  for (const [src, re] of [['{ folder: empty }', /no PNG or JPEG image/], ['{ glob: "c/*.png" }', /no PNG or JPEG image matches/], ['{ folder: ../.. }', /outside the spec's project root/]] as const) {
    const err = errorOf(() => load(src)) as SpecError;
    assert.instance(err, SpecError);
    assert.match(err.issues[0].where, /spec\.yaml:5:/);
    assert.match(err.issues[0].message, re);
  }
});

test('a JSONL manifest: labels by name or index, boxes, tags; an unknown key or bad JSON at its line', () => {
  fs.writeFileSync(path.join(dir, 'm.jsonl'), '{"path": "a/1.png", "label": "cat", "boxes": [[0, 0, 9, 5]], "tags": ["x"]}\n{"path": "b/4.png", "label": 1, "difficult": true}\n');
  const spec = load('{ manifest: m.jsonl }', 'labels: [cat, dog]\n');
  const e = (spec.suite.masks as { images: Parameters<typeof resolveImages>[2] }[])[0];
  const items = resolveImages(spec, [], e.images, ['cat', 'dog']).items;
  assert.equal(items.map((i) => [i.label, i.boxes, i.tags, i.difficult]), [['cat', [[0, 0, 9, 5]], ['x'], false], [1, [], [], true]]);
  fs.writeFileSync(path.join(dir, 'm.jsonl'), '{"path": "a/1.png"}\n{"path": "a/2.png", "colour": 1}\n{nope\n');
  const err = errorOf(() => load('{ manifest: m.jsonl }')) as SpecError;
  assert.equal(err.issues.map((i) => i.where.replace(/^.*m\.jsonl/, 'm.jsonl')), ['m.jsonl:2:1', 'm.jsonl:3:1']);
});

test('labels: a file of names; a duplicate name is an error at labels:', () => {
  fs.writeFileSync(path.join(dir, 'labels.txt'), 'cat\ndog\n');
  fs.writeFileSync(path.join(dir, 'm.csv'), 'path,label\na/1.png,dog\na/2.png,cow\n');
  const err = errorOf(() => load('{ manifest: m.csv }', 'labels: labels.txt\n')) as SpecError;
  assert.is(err.issues.length, 1);
  assert.match(err.issues[0].where, /m\.csv:3:1$/);
  const dup = errorOf(() => load('{ manifest: m.csv }', 'labels: [cat, cat]\n')) as SpecError;
  assert.match(dup.issues[0].message, /"cat" appears twice/);
  assert.match(dup.issues[0].where, /spec\.yaml:3:/);
});

test.run();
