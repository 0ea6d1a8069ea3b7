// `--cache DIR` end to end on the real shapes CNN, in a copy of its files: nothing changed → every
// entry from the cache with a byte-identical stable report; one byte of an image, one byte of the
// model, an option, the seed or a new file in a dataset folder → the entries that read it run again;
// damaged, truncated and foreign cache files are ignored with one warning line and recomputed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpecs, type RunRequest } from '../../src/run/index.ts';
import { stableJson, formatSummary } from '../../src/report/index.ts';
import type { RunReport } from '../../src/report/model.ts';
import { evictOldest } from '../../src/run/result-cache.ts';
import { decodeValue, encodeValue } from '../../src/run/result-codec.ts';
import { loadModel } from '../../src/models/load.ts';

const fixtures = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neurogate-result-cache-'));
const cacheDir = path.join(dir, '.cache');
fs.writeFileSync(path.join(dir, 'package.json'), '{}\n'); // the project the spec's files must stay in
for (const f of ['shapes_cnn.onnx', 'shapes_cnn_dynamo.onnx', 'shapes_cnn_dynamo.onnx.data', 'shape_0_disk.png']) fs.copyFileSync(path.join(fixtures, f), path.join(dir, f));
// The square gets a text chunk nobody reads: one byte of it can change while the pixels stay the
// same, so a miss there shows the key is the file's bytes, not what a decoder makes of them.
const square = fs.readFileSync(path.join(fixtures, 'shape_1_square.png'));
fs.writeFileSync(path.join(dir, 'shape_1_square.png'), Buffer.concat([square.subarray(0, 33), pngChunk('tEXt', 'Comment\u0000version 0'), square.subarray(33)]));
fs.mkdirSync(path.join(dir, 'set'));
fs.copyFileSync(path.join(fixtures, 'shape_3_triangle.png'), path.join(dir, 'set', 'a.png'));

// disk: model + baseline + one image; square: the model + one image; set: the model + a folder.
const SPEC = (std: number) => `suite: cached
model: shapes_cnn.onnx
baseline: shapes_cnn_dynamo.onnx
engine: { device: cpu, batch: 4 }
seed: 5
neurons:
  - id: disk
    layer: logits
    unit: 0
    image: shape_0_disk.png
    noise: { std: 16 }
    repeat: 2
    expect:
      activation.mean: { change: { direction: none, absolute: 0.001 } }
  - id: square
    layer: logits
    unit: 1
    image: shape_1_square.png
    noise: { std: ${std} }
    expect:
      activation: { min: -1000 }
  - id: set
    layer: logits
    unit: 2
    images: { folder: set }
    expect:
      activation: { min: -1000 }
`;
const spec = path.join(dir, 'cached.yaml');
fs.writeFileSync(spec, SPEC(8));

const warnings: string[] = [];
async function run(extra: Partial<RunRequest> = {}, cache = true): Promise<RunReport> {
  const { report } = await runSpecs({ paths: [spec], ...(cache && { resultCache: { dir: cacheDir, warn: (l) => warnings.push(l) } }), ...extra });
  assert.is(report.exitCode, 0, JSON.stringify(report.suites[0].entries.map((e) => e.error ?? e.checks)));
  return report;
}
const fromCache = (r: RunReport) => Object.fromEntries(r.suites[0].entries.map((e) => [e.id, e.cached === true]));
const ALL = { disk: true, square: true, set: true };
const NONE = { disk: false, square: false, set: false };

test('nothing changed → every entry from the cache, the stable report byte-identical; the summary line counts them', async () => {
  const cold = await run();
  assert.equal(fromCache(cold), NONE);
  assert.is(fs.readdirSync(cacheDir).filter((n) => n.endsWith('.ngc')).length, 3, 'one file per entry');
  const warm = await run();
  assert.equal(fromCache(warm), ALL);
  assert.ok(stableJson(warm) === stableJson(cold), 'hit and miss give the same stable JSON');
  assert.ok(stableJson(warm) === stableJson(await run({}, false)), 'and the same as a run without the cache');
  assert.match(formatSummary(warm), /3 of 3 entries from the cache/);
  assert.equal(warnings, []);
});

test('one byte of an image → only the entry that reads it runs again, and its result is what a fresh run gives', async () => {
  const f = path.join(dir, 'shape_1_square.png');
  const bytes = fs.readFileSync(f);
  const at = bytes.indexOf('version 0', 0, 'latin1') + 8;
  bytes[at] = '1'.charCodeAt(0);
  fs.writeFileSync(f, withCrc(bytes, 33)); // the chunk's CRC follows its text, so that is a second byte
  const r = await run();
  assert.equal(fromCache(r), { disk: true, square: false, set: true });
  assert.ok(stableJson(r) === stableJson(await run({}, false)));
  assert.equal(fromCache(await run()), ALL, 'stored again under the new bytes');
});

test('a new image in a dataset folder → the folder\'s entry runs again and sees it', async () => {
  fs.copyFileSync(path.join(fixtures, 'shape_0_disk.png'), path.join(dir, 'set', 'b.png'));
  const r = await run();
  assert.equal(fromCache(r), { disk: true, square: true, set: false });
  assert.is((r.suites[0].entries[2].measurements.activation as number[]).length, 2, 'two images now');
});

test('an option of one entry, then the seed → the entries they shape run again', async () => {
  fs.writeFileSync(spec, SPEC(9));
  assert.equal(fromCache(await run()), { disk: true, square: false, set: true });
  assert.equal(fromCache(await run({ seed: 6 })), NONE);
  assert.equal(fromCache(await run({ seed: 6 })), ALL);
});

test('one byte of the model (or of the baseline\'s external weights) → every entry on it runs again', async () => {
  flipByte(path.join(dir, 'shapes_cnn_dynamo.onnx.data'), 1000);
  assert.equal(fromCache(await run()), { disk: false, square: true, set: true });
  flipByte(path.join(dir, 'shapes_cnn.onnx'), 100_000);
  const r = await run();
  assert.equal(fromCache(r), NONE);
  assert.ok(stableJson(r) === stableJson(await run({}, false)));
});

test('a truncated, damaged, foreign or misplaced cache file → one warning line, computed again, never a wrong result', async () => {
  fs.rmSync(cacheDir, { recursive: true });
  const fresh = stableJson(await run());
  const [a, b, c] = fs.readdirSync(cacheDir).filter((n) => n.endsWith('.ngc')).map((n) => path.join(cacheDir, n));
  const textA = fs.readFileSync(a);
  fs.writeFileSync(a, textA.subarray(0, textA.length >> 1)); // truncated
  fs.writeFileSync(b, fs.readFileSync(c)); // another entry's file under this name
  const textC = fs.readFileSync(c);
  textC[textC.length - 20] ^= 1; // one bit flipped inside
  fs.writeFileSync(c, textC);
  warnings.length = 0;
  const r = await run();
  assert.equal(fromCache(r), NONE);
  assert.is(warnings.length, 3, warnings.join('\n'));
  assert.match(warnings.join('\n'), /checksum mismatch/);
  assert.match(warnings.join('\n'), /another key/);
  assert.ok(stableJson(r) === fresh);
  fs.writeFileSync(a, 'not a cache file at all\n');
  warnings.length = 0;
  await run();
  assert.is(warnings.length, 1);
  assert.match(warnings[0], /not a neurogate result cache file/);
});

test('a model loaded earlier in the process, while nothing recorded its files, keeps its entries out of the cache', async () => {
  fs.copyFileSync(path.join(fixtures, 'shapes_cnn.onnx'), path.join(dir, 'other.onnx'));
  await loadModel('other.onnx', dir);
  const other = path.join(dir, 'other.yaml');
  fs.writeFileSync(other, SPEC(8).replace('suite: cached', 'suite: other').replace('model: shapes_cnn.onnx', 'model: other.onnx').replace(/baseline: .*\n/, '').replace(/      activation\.mean: .*\n/, '      activation: { min: -1000 }\n'));
  const before = fs.readdirSync(cacheDir).length;
  const r = await run({ paths: [other] });
  assert.equal(fromCache(r), NONE);
  assert.is(fs.readdirSync(cacheDir).length, before, 'nothing stored: what the model read is unknown');
});

test('eviction removes the least recently used cache files first and never a file the cache did not write', () => {
  const d = fs.mkdtempSync(path.join(dir, 'evict-'));
  const name = (i: number) => path.join(d, `${String(i).repeat(64)}.ngc`);
  for (let i = 1; i <= 4; i++) {
    fs.writeFileSync(name(i), Buffer.alloc(100));
    fs.utimesSync(name(i), new Date(), new Date(1_000_000 * i)); // 1 oldest … 4 newest
  }
  fs.writeFileSync(path.join(d, 'notes.txt'), Buffer.alloc(1000));
  assert.is(evictOldest(d, 250), 2);
  assert.equal(fs.readdirSync(d).sort(), [path.basename(name(3)), path.basename(name(4)), 'notes.txt']);
});

test('the codec gives back exactly what it was given: NaN, ±Infinity, −0, typed arrays, nesting', () => {
  const value = fc.letrec((tie) => ({
    leaf: fc.oneof(fc.double(), fc.constantFrom(NaN, -0, Infinity, -Infinity), fc.string(), fc.boolean(), fc.constant(null),
      fc.float32Array(), fc.uint8Array().map((a) => new Uint8Array(a))),
    node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 })),
  })).node;
  fc.assert(fc.property(value, (v) => {
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(v))));
    assert.ok(sameValue(back, v));
  }));
  assert.throws(() => encodeValue({ m: new Map() }));
  assert.throws(() => encodeValue([1, , 3])); // eslint-disable-line no-sparse-arrays
});

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a && typeof a === 'object') {
    const o = b as Record<string, unknown>;
    const keys = Object.keys(a);
    return !!o && typeof o === 'object' && !Array.isArray(o) && keys.length === Object.keys(o).length && keys.every((k) => k in o && sameValue((a as Record<string, unknown>)[k], o[k]));
  }
  return a === b;
}

function flipByte(file: string, at: number): void {
  const b = fs.readFileSync(file);
  b[at] ^= 1;
  fs.writeFileSync(file, b);
}

/** A PNG chunk (length, type, data, CRC-32 over type and data). */
function pngChunk(type: string, data: string): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), Buffer.from(data, 'latin1')]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length - 4);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** The PNG with the CRC of the chunk starting at `at` recomputed. */
function withCrc(png: Buffer, at: number): Buffer {
  const len = png.readUInt32BE(at);
  png.writeUInt32BE(crc32(png.subarray(at + 4, at + 8 + len)), at + 8 + len);
  return png;
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
test.run();
