// The zoo's disk cache: the first load converts and writes the IR, later processes read it
// back with the same identity; a damaged cache entry is rebuilt, never trusted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zooNames, zooEntry } from '../../src/models/zoo/index.ts';
import { errorOf } from '../helpers.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-zoo-'));

function loadInChild(): { hash: string; ms: number; logits: string } {
  const script = `import { loadZoo } from ${JSON.stringify(path.join(root, 'src/models/zoo/index.ts'))};
const t = performance.now(); const m = loadZoo('mobilenet_v2');
console.log(JSON.stringify({ hash: m.net.hash, ms: performance.now() - t, logits: m.logits }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, NEUROGATE_CACHE_DIR: cache }, encoding: 'utf8', cwd: root });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('first load writes the cache; a second process reads the same IR back', () => {
  const first = loadInChild();
  const files = fs.readdirSync(cache);
  assert.ok(files.some((f) => f.startsWith('mobilenet_v2-') && f.endsWith('.onnx')), files.join());
  const second = loadInChild();
  assert.is(second.hash, first.hash);
  assert.is(second.logits, first.logits);
});

test('a damaged cache entry is rebuilt', () => {
  const onnx = fs.readdirSync(cache).find((f) => f.endsWith('.onnx'))!;
  const before = loadInChild().hash;
  fs.writeFileSync(path.join(cache, onnx), 'garbage');
  assert.is(loadInChild().hash, before);
});

test('the zoo lists its models and refuses unknown names with the list', () => {
  assert.ok(['inception_v3', 'mobilenet_v2', 'mobilenet_v2_mid'].every((n) => zooNames().includes(n)));
  const e = errorOf(() => zooEntry('resnet50'));
  assert.is(e.code, 'E_ZOO_UNKNOWN');
  assert.match(e.hint!, /zoo:inception_v3/);
});

test.run();
