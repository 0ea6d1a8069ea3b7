// Every place src/ opens or reads a file, found by grep: a new reader must go through
// src/io/guarded-fs.ts, or be added below with the reason it needs no guard. Folder listings are
// listed too (they read names, not contents) so that the list is the whole truth.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';

const src = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'src');

/** `file: call` → why it is not the guarded opener. */
const ALLOWED: Record<string, string> = {
  'io/guarded-fs.ts: fs.openSync': 'the guarded opener itself',
  'io/guarded-fs.ts: fs.readSync': 'the guarded opener itself (bounded read on its descriptor)',
  'util/atomic.ts: fs.openSync': 'the guarded writer: an exclusive (wx) temp file, and the folder opened for fsync',
  'util/atomic.ts: fs.readdirSync': 'the guarded writer lists its folder for stale temp files (names only)',
  'util/find-files.ts: fs.readdirSync': 'spec and report discovery lists folders; links are followed under the root policy',
  'cli/scan.ts: fs.readdirSync': 'lists a folder named on the command line; each image is then read through readImage',
  'datasets/walk.ts: fs.readdirSync': 'lists a dataset folder a spec names (names only); each image is then read through readImage under the root policy',
  'run/shard.ts: fs.readdirSync': 'lists a model folder to estimate its cost (names and sizes, no contents)',
  'io/reads.ts: fs.openSync': 'hashes a file a run read through the guarded opener, to tell whether a cached result still holds; only a digest comes out, and anything but a regular file hashes as absent',
  'io/reads.ts: fs.readSync': 'the same digest, read in bounded pieces on that descriptor',
  'io/reads.ts: fs.readdirSync': 'digests a folder a dataset walk listed (names and types only)',
  'run/result-cache.ts: fs.readdirSync': 'lists the --cache folder to evict its own oldest files (names and sizes only)',
  'engine/session.ts: fs.readdirSync': "looks for onnxruntime's CUDA provider in its own package",
};

// Calls that open or read a file, and the imports that would reach them without `fs.`.
const CALL = /\bfs\.(read\w*|open\w*|create\w*|promises)\b/g;
const IMPORT = /from\s+'(node:)?fs(\/promises)?'|require\(\s*'(node:)?fs/g;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

function inventory(): { calls: Set<string>; badImports: string[] } {
  const calls = new Set<string>();
  const badImports: string[] = [];
  for (const f of files(src)) {
    const rel = path.relative(src, f).split(path.sep).join('/');
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(CALL)) calls.add(`${rel}: fs.${m[1]}`);
    for (const line of text.split('\n')) {
      if (!IMPORT.test(line)) continue;
      IMPORT.lastIndex = 0;
      // Only the default import keeps every call visible as `fs.<name>` to the scan above.
      if (!/^import fs from 'node:fs';$/.test(line.trim())) badImports.push(`${rel}: ${line.trim()}`);
    }
  }
  return { calls, badImports };
}

test('every file read in src/ goes through the guarded opener or is listed with its reason', () => {
  const { calls, badImports } = inventory();
  const unlisted = [...calls].filter((c) => !(c in ALLOWED));
  assert.equal(unlisted, [], `read without src/io/guarded-fs.ts:\n${unlisted.join('\n')}`);
  assert.equal(badImports, [], 'import fs as `import fs from \'node:fs\'` so every call is seen');
});

test('the list holds no entry that is no longer true', () => {
  const { calls } = inventory();
  const stale = Object.keys(ALLOWED).filter((k) => !calls.has(k));
  assert.equal(stale, []);
});

test('the scan sees what it is meant to see', () => {
  const sample = "const a = fs.readFileSync(f); fs.createReadStream(x); fs.promises.readFile(y); fs.openSync(z, 'r');";
  assert.equal([...sample.matchAll(CALL)].map((m) => m[1]), ['readFileSync', 'createReadStream', 'promises', 'openSync']);
});

test.run();
