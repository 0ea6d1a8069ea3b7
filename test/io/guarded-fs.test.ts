// The guarded opener refuses, before reading a byte, every kind of file a hostile checkout can
// plant: links out of the root, FIFOs (which would block the open), devices (endless reads),
// folders, files over the limit; each with its own code so a user knows which it was.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { FC_SEED } from '../seed.ts';
import { readGuarded, type ReadPolicy } from '../../src/io/guarded-fs.ts';
import { NeurogateError } from '../../src/errors.ts';

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ng-guard-')));
const root = path.join(dir, 'root');
const outside = path.join(dir, 'outside.txt');
fs.mkdirSync(root);
fs.writeFileSync(outside, 'secret');
fs.writeFileSync(path.join(root, 'ok.txt'), 'hello');
fs.symlinkSync(outside, path.join(root, 'link-out.txt'));
fs.symlinkSync(path.join(root, 'ok.txt'), path.join(root, 'link-in.txt'));
fs.symlinkSync('/dev/zero', path.join(root, 'zero'));
fs.symlinkSync(path.join(dir, 'nothing'), path.join(root, 'dangling'));
execFileSync('mkfifo', [path.join(root, 'fifo')]);
fs.mkdirSync(path.join(root, 'folder'));

const policy: ReadPolicy = { what: 'thing', code: 'THING', maxBytes: 100, root };

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof NeurogateError) return `${e.code}${e.kind === 'bad_input' ? '' : ' (internal)'}`;
    throw e;
  }
  return 'read';
}

test('regular files inside the root are read, links inside it followed', () => {
  assert.is(readGuarded(path.join(root, 'ok.txt'), policy).toString(), 'hello');
  assert.is(readGuarded(path.join(root, 'link-in.txt'), policy).toString(), 'hello');
  fs.writeFileSync(path.join(root, '..dots.txt'), 'dots');
  assert.is(readGuarded(path.join(root, '..dots.txt'), policy).toString(), 'dots', 'a name starting with .. is inside');
});

test('each refusal has its own code, and none of them reads or blocks', () => {
  const at = (n: string) => path.join(root, n);
  assert.is(codeOf(() => readGuarded(at('missing.txt'), policy)), 'E_THING_MISSING');
  assert.is(codeOf(() => readGuarded(at('dangling'), policy)), 'E_THING_MISSING');
  assert.is(codeOf(() => readGuarded(at('link-out.txt'), policy)), 'E_THING_OUTSIDE');
  assert.is(codeOf(() => readGuarded(outside, policy)), 'E_THING_OUTSIDE');
  assert.is(codeOf(() => readGuarded(at('fifo'), policy)), 'E_THING_NOT_FILE');
  assert.is(codeOf(() => readGuarded(at('folder'), policy)), 'E_THING_NOT_FILE');
  assert.is(codeOf(() => readGuarded(at('zero'), { ...policy, root: undefined })), 'E_THING_NOT_FILE');
  assert.is(codeOf(() => readGuarded(at('zero'), policy)), 'E_THING_OUTSIDE');
  assert.is(codeOf(() => readGuarded(at('link-out.txt'), { ...policy, allowOutside: true })), 'read');
  assert.match((() => { try { readGuarded(at('fifo'), policy); } catch (e) { return (e as Error).message; } return ''; })(), /named pipe/);
});

test('the size limit holds at every size: at most the limit is read, one byte more is refused', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), (size, limit) => {
    const f = path.join(root, 'sized.bin');
    fs.writeFileSync(f, Buffer.alloc(size, 7));
    const got = codeOf(() => readGuarded(f, { ...policy, maxBytes: limit }));
    assert.is(got, size <= limit ? 'read' : 'E_THING_TOO_BIG', `${size} bytes, limit ${limit}`);
    if (size <= limit) assert.is(readGuarded(f, { ...policy, maxBytes: limit }).length, size);
  }), { seed: FC_SEED, numRuns: 100 });
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
test.run();
