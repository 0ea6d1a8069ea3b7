import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { FC_SEED } from '../seed.ts';
import { resolveInside, ensureParentInside, writeFileAtomic, writeInside } from '../../src/util/atomic.ts';
import { NeurogateError } from '../../src/errors.ts';

const here = path.dirname(new URL(import.meta.url).pathname);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ng-atomic-'));

function code(fn: () => unknown): string {
  try { fn(); } catch (e) { return e instanceof NeurogateError ? e.code : `not a NeurogateError: ${e}`; }
  return 'no error';
}

test('a path with a `..` segment, or one outside the root, is refused; every other relative path lands inside', () => {
  const root = path.resolve('/srv/reports');
  const seg = fc.oneof(fc.constantFrom('..', '.', '', 'a', 'b.json', '..json', '...'), fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !s.includes('\0')));
  fc.assert(fc.property(fc.array(seg, { minLength: 1, maxLength: 5 }), fc.constantFrom('/', '\\'), fc.boolean(), (parts, sep, absolute) => {
    const name = (absolute ? '/' : '') + parts.join(sep);
    let got: string;
    try {
      got = resolveInside(root, name);
    } catch (e) {
      assert.is((e as NeurogateError).code, 'E_OUTPUT_PATH');
      return;
    }
    assert.not.ok(name.split(/[\\/]+/).includes('..'), `accepted ${name}`);
    assert.ok(got.startsWith(root + path.sep), `${name} → ${got}`);
  }), { seed: FC_SEED, numRuns: 500, examples: [[['..', 'x'], '/', false], [['a', '..', 'b'], '/', false], [['..'], '\\', false], [['etc', 'passwd'], '/', true]] });
  assert.is(resolveInside(root, path.join(root, 'x', 'r.html')), path.join(root, 'x', 'r.html'));
  assert.is(code(() => resolveInside(root, '/etc/passwd')), 'E_OUTPUT_PATH');
  assert.is(code(() => resolveInside(root, root)), 'E_OUTPUT_PATH');
  assert.is(code(() => resolveInside(root, 'dir/')), 'E_OUTPUT_PATH');
  assert.is(code(() => resolveInside(root, '')), 'E_OUTPUT_PATH');
});

test('folders are created inside the root; a symlinked folder is refused (nothing written through it); a root linked out of its project is refused, its real path is the user\'s choice', () => {
  const root = tmp();
  const outside = tmp();
  writeInside(root, 'a/b/c.txt', 'x');
  assert.is(fs.readFileSync(path.join(root, 'a', 'b', 'c.txt'), 'utf8'), 'x');
  fs.symlinkSync(outside, path.join(root, 'link'));
  assert.is(code(() => writeInside(root, 'link/evil.txt', 'x')), 'E_OUTPUT_SYMLINK');
  assert.is(code(() => writeInside(root, 'link/deeper/evil.txt', 'x')), 'E_OUTPUT_SYMLINK');
  assert.equal(fs.readdirSync(outside), []);
  // A symlink planted at the file name is replaced, never followed.
  fs.writeFileSync(path.join(outside, 'target.txt'), 'keep');
  fs.symlinkSync(path.join(outside, 'target.txt'), path.join(root, 'report.json'));
  writeInside(root, 'report.json', 'new');
  assert.is(fs.readFileSync(path.join(outside, 'target.txt'), 'utf8'), 'keep');
  assert.not.ok(fs.lstatSync(path.join(root, 'report.json')).isSymbolicLink());
  // A root that is itself a link out of its project (a committed `reports` link) is refused;
  // the same folder named by its real path is the user's choice, and a link inside is fine.
  const linkedRoot = path.join(tmp(), 'reports');
  fs.symlinkSync(outside, linkedRoot);
  assert.is(code(() => writeInside(linkedRoot, 'ok.txt', 'fine')), 'E_OUTPUT_SYMLINK');
  assert.not.ok(fs.existsSync(path.join(outside, 'ok.txt')));
  writeInside(outside, 'ok.txt', 'fine');
  assert.is(fs.readFileSync(path.join(outside, 'ok.txt'), 'utf8'), 'fine');
  fs.symlinkSync(path.join(root, 'a'), path.join(root, 'reports-in'));
  writeInside(path.join(root, 'reports-in'), 'ok.txt', 'fine');
  assert.is(fs.readFileSync(path.join(root, 'a', 'ok.txt'), 'utf8'), 'fine');
  fs.mkdirSync(path.join(root, 'isdir'));
  assert.is(code(() => ensureParentInside(root, path.join(root, 'isdir'))), 'E_OUTPUT_PATH');
});

test('a failed write leaves the old file and no temp file', () => {
  const root = tmp();
  const dir = path.join(root, 'taken');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'keep.txt'), 'old');
  assert.throws(() => writeFileAtomic(dir, 'new'));
  assert.equal(fs.readdirSync(root), ['taken']);
  assert.is(fs.readFileSync(path.join(dir, 'keep.txt'), 'utf8'), 'old');
});

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

test('readers and a killed writer only ever see the old or the new file, never a part', async () => {
  const dir = tmp();
  const a = Buffer.alloc(2 * 1024 * 1024, 'a');
  const b = Buffer.alloc(3 * 1024 * 1024, 'b');
  fs.writeFileSync(path.join(dir, 'A'), a);
  fs.writeFileSync(path.join(dir, 'B'), b);
  const target = path.join(dir, 'report.json');
  const ok = (buf: Buffer) => buf.equals(a) || buf.equals(b);
  let reads = 0;
  let sawNew = 0;
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 120 }), async (killAfterMs) => {
    fs.writeFileSync(target, a);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'atomic-writer.ts'), target, path.join(dir, 'A'), path.join(dir, 'B')], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    // Read while the writer works: at least until it has replaced the file once (so reads and
    // writes really overlapped, however loaded the machine), then until the kill time.
    const until = Date.now() + killAfterMs;
    const giveUp = Date.now() + 20_000;
    let replaced = false;
    do {
      const got = fs.readFileSync(target);
      reads++;
      assert.ok(ok(got), `a reader saw ${got.length} bytes that are neither version`);
      if (got.equals(b)) replaced = true;
      await sleep(0);
    } while ((Date.now() < until || !replaced) && Date.now() < giveUp);
    if (replaced) sawNew++;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    assert.ok(ok(fs.readFileSync(target)), 'the file left by a killed writer is neither version');
  }), { seed: FC_SEED, numRuns: 4 });
  assert.is(sawNew, 4, 'the writer replaced the file while it was being read');
  assert.ok(reads >= 8, `only ${reads} reads`);
});

test.run();
