// Every way a spec can be wrong is reported as file:line:col pointing at the offending text, with
// a code frame and, for typos, a "did you mean". Paths resolve from the spec file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSpecFile, loadSpecText, entriesOf } from '../../src/kinds/load.ts';
import type { NeuronEntry } from '../../src/probes/neuron/entry-schema.ts';
import { SpecError, type SpecIssue } from '../../src/suite/issues.ts';
import { discoverSpecs } from '../../src/suite/discover.ts';
import { errorOf } from '../helpers.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
// A virtual file beside the fixtures, so `../../images/chelsea.png` resolves to a real image.
const FILE = path.join(root, 'test', 'fixtures', 'specs', 'failing', 'virtual.yaml');
const HEAD = 'suite: s\nmodel: zoo:mobilenet_v2\n';
const ENTRY = (extra = '', expect = 'activation: { min: 0 }') => `${HEAD}neurons:\n  - id: a\n    layer: Conv1\n    unit: 0\n    image: ../../images/chelsea.png\n${extra}    expect:\n      ${expect}\n`;

function issues(text: string, overrides = {}): SpecIssue[] {
  const e = errorOf(() => loadSpecText(FILE, text, overrides));
  assert.instance(e, SpecError, `expected a SpecError, got ${e.code}: ${e.message}`);
  assert.is(e.kind, 'bad_input');
  return (e as SpecError).issues;
}

/** The issue's line and column (1-based), after checking it reads file:line:col. */
function at(i: SpecIssue): [number, number] {
  const m = /virtual\.yaml:(\d+):(\d+)$/.exec(i.where);
  assert.ok(m, `not file:line:col: ${i.where}`);
  return [Number(m![1]), Number(m![2])];
}

function one(text: string, line: number, col: number, message: RegExp, hint?: RegExp, overrides = {}): SpecIssue {
  const all = issues(text, overrides);
  const hit = all.find((i) => message.test(i.message));
  assert.ok(hit, `no issue matching ${message}; got:\n${all.map((i) => `${i.where}: ${i.message}`).join('\n')}`);
  assert.equal(at(hit!), [line, col], `${hit!.message}`);
  if (hint) assert.match(hit!.hint ?? '', hint);
  assert.ok(hit!.frame?.includes('^'), 'a code frame with a caret');
  return hit!;
}

test('a valid spec loads, with suite defaults and entries', () => {
  const s = loadSpecText(FILE, ENTRY('    position: [3, 4]\n'));
  assert.is(s.suite.suite, 's');
  const [e] = entriesOf(s.suite);
  assert.equal(e.path, ['neurons', 0]);
  assert.equal(e.kind === 'neurons' && (e.entry as NeuronEntry).position, [3, 4]);
  assert.match(s.where(['neurons', 0, 'layer']), /virtual\.yaml:5:12$/);
});

test('YAML syntax errors point at the broken spot', () => {
  one('suite: s\nneurons: [1, 2\n', 3, 1, /YAML syntax/);
  one('suite: "open\n', 2, 1, /YAML syntax: missing closing "quote/);
  one('suite: s\n\tmodel: x\n', 2, 1, /YAML syntax/, /spaces, not tabs/);
});

test('unknown keys say "did you mean" at the key itself', () => {
  const i = one(`${HEAD}modle: zoo:mobilenet_v2\nneurons: []\n`, 3, 1, /unknown key `modle`/, /did you mean `model`\?/);
  assert.match(i.frame!, /> 3 \| modle: zoo:mobilenet_v2/);
  one(ENTRY('', 'activation: { mni: 1 }'), 9, 21, /unknown key `mni`/, /did you mean `min`/);
  one(ENTRY('    reduse: max\n'), 8, 5, /unknown key `reduse`/, /did you mean `reduce`/);
});

test('wrong types and out-of-range values name the key, what was expected and what was given', () => {
  one(ENTRY().replace('unit: 0', 'unit: 1.5'), 6, 11, /`unit`: expected an integer, got a number \(1\.5\)/);
  one(ENTRY().replace('unit: 0', 'unit: -1'), 6, 11, /`unit`: must be ≥ 0, got -1/);
  one(ENTRY('', 'activation: { min: "high" }'), 9, 26, /`min`: expected a number, got a string/);
  one(ENTRY('', 'activation: { min: .nan }'), 9, 26, /expected a finite number, got NaN/);
  one(ENTRY('', 'activation: { max: .inf }'), 9, 26, /expected a finite number, got infinity/);
  one(ENTRY('', 'activation: { min: 0, mostly: 1.5 }'), 9, 37, /`mostly`: must be ≤ 1, got 1\.5/);
  one(`${HEAD}seed: 99999999999\nneurons: []\n`, 3, 7, /`seed`: must be ≤ 4294967295/);
  one(`${HEAD}engine: { device: gpu }\nneurons: []\n`, 3, 19, /"gpu" is not one of "auto", "cpu", "webgpu", "cuda"/, /did you mean "cpu"/);
  one(ENTRY('    position: left\n'), 8, 15, /position must be "center" or \[y, x\]/);
});

test('missing required keys point at the mapping that lacks them', () => {
  one('model: zoo:mobilenet_v2\nneurons: []\n', 1, 1, /missing required key `suite`/);
  one(`${HEAD}neurons:\n  - id: a\n    unit: 0\n    image: x.png\n    expect: { activation: { min: 0 } }\n`, 4, 5, /missing required key `layer`/);
});

test('duplicate keys are refused where the second one stands', () => {
  one(`${HEAD}suite: t\nneurons: []\n`, 3, 1, /duplicate key/);
});

test('cross-field rules: one input, one unit form, position xor reduce, tolerance for near, k ≤ repeat, baseline for change', () => {
  one(ENTRY('    images: [../../images/chelsea.png]\n'), 8, 13, /give either `image:` or `images:`, not both/);
  one(ENTRY('    reduce: max\n    position: center\n'), 8, 13, /`reduce:` reads the whole map/);
  one(ENTRY('', 'activation: { near: 3 }'), 9, 27, /near needs a tolerance/, /add `tol:`/);
  assert.ok(loadSpecText(FILE, ENTRY('', 'activation: { near: 3 }').replace('model:', 'tol: 0.1\nmodel:')));
  one(ENTRY('', 'activation: { min: 0, k: 3 }'), 9, 32, /k = 3 but the entry runs 1 time/, /repeat/);
  one(ENTRY('', 'activation: { change: { direction: increase, absolute: 0.1 } }'), 9, 21, /change compares against a baseline model, but none is set/);
  assert.ok(loadSpecText(FILE, ENTRY('', 'activation: { change: { direction: increase, absolute: 0.1 } }'), { baseline: 'zoo:mobilenet_v2_mid' }));
  one(ENTRY('', 'activation: { change: { direction: none, absolute: -1 } }'), 9, 58, /largest change allowed and must be ≥ 0/);
  one(ENTRY('', 'activation: { min: 2, max: 1 }'), 9, 34, /max \(1\) is below min \(2\)/);
  one(ENTRY('', 'activation: { tol: 1, min: 0 }'), 9, 26, /tol only applies to near/);
  one(ENTRY('', '"not a name": { min: 0 }'), 9, 7, /key `not a name`: a metric name is dotted words/);
  one(ENTRY('', '{}').replace('expect:\n      {}', 'expect: {}'), 8, 13, /at least one expectation/);
});

test('ids are unique within a suite; every entry needs a model', () => {
  const two = `${HEAD}neurons:\n  - { id: a, layer: L, unit: 0, image: ../../images/chelsea.png, expect: { activation: { min: 0 } } }\n  - { id: a, layer: L, unit: 0, image: ../../images/chelsea.png, expect: { activation: { min: 0 } } }\n`;
  one(two, 5, 11, /duplicate id "a"/);
  one(ENTRY().replace('model: zoo:mobilenet_v2\n', ''), 3, 5, /entry "a" has no model/, /--model/);
  assert.ok(loadSpecText(FILE, ENTRY().replace('model: zoo:mobilenet_v2\n', ''), { model: 'zoo:mobilenet_v2' }));
});

test('a missing image or model file is reported at its path, resolved from the spec file', () => {
  one(ENTRY().replace('../../images/chelsea.png', 'chelsea.png'), 7, 12, /image file not found: .*failing\/chelsea\.png/, /relative to the spec file/);
  one(ENTRY().replace('zoo:mobilenet_v2', './net.onnx'), 2, 8, /model file not found: .*failing\/net\.onnx/);
  // The same spec loaded from another working directory still finds its image.
  const cwd = process.cwd();
  try {
    process.chdir(os.tmpdir());
    assert.ok(loadSpecText(FILE, ENTRY()));
  } finally {
    process.chdir(cwd);
  }
});

test('alias bombs, deep nesting, several documents, custom tags and empty files are refused', () => {
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 8; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
  const bomb = issues(`suite: s\n${levels.join('\n')}\n`);
  assert.match(bomb[0].message, /aliases expand to too many nodes/);
  at(bomb[0]);
  const deep = issues(`suite: s\nx: ${'['.repeat(40)}${']'.repeat(40)}\n`);
  assert.match(deep[0].message, /nesting deeper than 32 levels/);
  at(deep[0]);
  const deeper = issues(`suite: s\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
  at(deeper[0]);
  one('suite: s\n---\nsuite: t\n', 2, 1, /several \(`---`\)/);
  one('suite: !!binary aGVsbG8=\n', 1, 17, /tag tag:yaml.org,2002:binary is not allowed/);
  one('', 1, 1, /the spec is empty/);
  one('suite: s\n? [a, b]\n: 1\n', 2, 3, /keys must be strings/);
});

test('a file over the size limit is refused before parsing', () => {
  one(`suite: s\n# ${'x'.repeat(1024 * 1024)}\n`, 1, 1, /over the limit/);
});

test('discoverSpecs: directories recurse in sorted order, files pass as given, missing paths are bad input', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-specs-'));
  try {
    fs.mkdirSync(path.join(dir, 'b'));
    fs.mkdirSync(path.join(dir, '.hidden'));
    for (const f of ['z.yaml', 'a.yml', 'b/c.yaml', 'notes.txt', '.hidden/x.yaml']) fs.writeFileSync(path.join(dir, f), '');
    assert.equal(discoverSpecs([dir]).map((f) => path.relative(dir, f)), ['a.yml', 'b/c.yaml', 'z.yaml']);
    assert.equal(discoverSpecs([dir, path.join(dir, 'a.yml')]).length, 3, 'a file named twice runs once');
    assert.is(errorOf(() => discoverSpecs([path.join(dir, 'nope')])).code, 'E_SPEC_MISSING');
    fs.mkdirSync(path.join(dir, 'empty'));
    assert.is(errorOf(() => discoverSpecs([path.join(dir, 'empty')])).code, 'E_SPEC_NONE');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the shipped specs and the failing fixture load', () => {
  for (const f of discoverSpecs([path.join(root, 'specs'), path.join(root, 'test', 'fixtures', 'specs', 'failing')])) assert.ok(loadSpecFile(f), f);
});

test.run();
