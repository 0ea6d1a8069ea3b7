import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FC_SEED } from '../seed.ts';
import { openGoldenStore, compareOrBless, goldenRelPath, isCI, toleranceFor, formatBlessSummary, blessHint, type GoldenKey } from '../../src/golden/index.ts';
import { formatNumericGolden, parseNumericGolden, encodeComponent, writeGoldenBytes } from '../../src/golden/store.ts';
import { blessCommand } from '../../src/cli/bless.ts';
import { NeurogateError } from '../../src/errors.ts';
import { loadModel } from '../../src/models/load.ts';
import { readImage, toModelInput } from '../../src/stimuli/image.ts';
import { run } from '../../src/engine/session.ts';

const fixtures = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ng-golden-'));
const key: GoldenKey = { suite: 'shapes', entry: 'square-logits', name: 'logits', device: 'cpu' };

/** Every file under a folder with its bytes: what "nothing was written" is checked against. */
function snapshot(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) out[f] = fs.readFileSync(p, 'base64');
  }
  return out;
}

function errCode(fn: () => unknown): string {
  try { fn(); } catch (e) { return e instanceof NeurogateError ? e.code : `not a NeurogateError: ${e}`; }
  return 'no error';
}

test('real logits: missing → fail with a bless command; bless records; compare matches; a perturbed model output fails', async () => {
  const model = await loadModel(path.join(fixtures, 'shapes_cnn.onnx'));
  const input = toModelInput(readImage(path.join(fixtures, 'shape_1_square.png')), model.preprocess);
  const logits = Array.from((await run(model.net, { [model.input.name]: input }, ['logits'])).logits.data);
  const dir = tmp();
  const store = openGoldenStore({ root: path.join(dir, 'golden'), ci: false });
  const tol = toleranceFor('cpu');

  const missing = compareOrBless(store, key, logits, tol, 'compare');
  assert.is(missing.status, 'missing');
  assert.not.ok(missing.passed);
  assert.is(missing.check.observed, null);
  assert.match(missing.check.reason!, "npx neurogate bless --filter '^shapes/square-logits$'");
  assert.match(blessHint({ ...key, spec: 'my specs/a.yaml' }), "npx neurogate bless 'my specs/a.yaml' --filter '^shapes/square-logits$'");
  assert.equal(snapshot(dir), {}, 'compare never writes');

  const blessed = compareOrBless(store, key, logits, tol, 'bless');
  assert.equal([blessed.status, blessed.passed], ['blessed', true]);
  assert.equal(Object.keys(snapshot(dir)), ['golden/shapes/square-logits/logits.cpu.json']);
  assert.match(formatBlessSummary(store), 'logits.cpu.json');

  // The same model run again, on a fresh session: within the CPU tolerance.
  const again = Array.from((await run(model.net, { [model.input.name]: input }, ['logits'])).logits.data);
  const match = compareOrBless(store, key, again, tol, 'compare');
  assert.equal([match.status, match.passed], ['match', true]);
  assert.ok(match.check.observed !== null && match.check.observed <= tol.atol + tol.rtol * Math.max(...logits.map(Math.abs)));

  // One logit off by 1e-3 (ten times the CPU allowance): fails, naming the element and both values.
  const off = again.slice();
  off[1] += 1e-3;
  const bad = compareOrBless(store, key, off, tol, 'compare');
  assert.equal([bad.status, bad.passed], ['mismatch', false]);
  assert.match(bad.check.reason!, /1 of 3 values differ; worst \[1\]: actual/);
  assert.ok(Math.abs(bad.check.observed! - 1e-3) < 1e-6);
});

test('bless leaves a golden that still matches byte-identical, and rewrites one that does not', () => {
  const dir = tmp();
  const store = openGoldenStore({ root: dir, ci: false });
  const tol = { atol: 1e-3, rtol: 0 };
  compareOrBless(store, key, [1, 2, 3], tol, 'bless');
  const file = path.join(dir, goldenRelPath(key, 'json'));
  const before = fs.readFileSync(file, 'utf8');
  const kept = compareOrBless(store, key, [1.0001, 2, 3], tol, 'bless');
  assert.is(kept.status, 'kept');
  assert.is(fs.readFileSync(file, 'utf8'), before);
  const changed = compareOrBless(store, key, [1.5, 2, 3], tol, 'bless');
  assert.is(changed.status, 'blessed');
  assert.match(changed.check.reason!, 'golden updated');
  assert.equal(parseNumericGolden(fs.readFileSync(file, 'utf8'), file).value, [1.5, 2, 3]);
  assert.equal(store.written.length, 2);
  assert.match(formatBlessSummary(store), /^bless: 1 golden new — untracked/);

  // The next bless run finds the file there: it is listed as updated (git diff shows it), not as new.
  const next = openGoldenStore({ root: dir, ci: false });
  compareOrBless(next, key, [2.5, 2, 3], tol, 'bless');
  assert.equal(next.created, []);
  assert.match(formatBlessSummary(next), /^bless: 1 golden updated — review with `git diff /);
  assert.not.match(formatBlessSummary(next), 'new');
});

test('CI=true: nothing is ever written; a missing golden fails saying how to bless; bless is refused', async () => {
  assert.ok(isCI({ CI: 'true' }));
  assert.ok(isCI({ CI: '1' }));
  assert.not.ok(isCI({ CI: 'false' }));
  assert.not.ok(isCI({}));
  const dir = tmp();
  const store = openGoldenStore({ root: path.join(dir, 'golden'), ci: true });
  const r = compareOrBless(store, key, [1, 2], toleranceFor('cpu'), 'compare');
  assert.not.ok(r.passed);
  assert.match(r.check.reason!, 'CI=true never writes goldens');
  assert.match(r.check.reason!, 'neurogate bless');
  assert.is(errCode(() => compareOrBless(store, key, [1, 2], toleranceFor('cpu'), 'bless')), 'E_GOLDEN_CI');
  assert.equal(snapshot(dir), {});

  const saved = process.env.CI;
  process.env.CI = 'true';
  try {
    await blessCommand(['specs/']);
    assert.unreachable('bless ran under CI');
  } catch (e) {
    assert.is((e as NeurogateError).code, 'E_GOLDEN_CI');
    assert.is((e as NeurogateError).kind, 'bad_input');
  } finally {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  }
});

test('golden files round-trip every float64, NaN and ±Infinity, and compare NaN only when asked', () => {
  const dir = tmp();
  const store = openGoldenStore({ root: dir, ci: false });
  fc.assert(fc.property(fc.array(fc.double(), { maxLength: 20 }), (values) => {
    const text = formatNumericGolden(key, values);
    const back = parseNumericGolden(text, 'mem').value as number[];
    assert.is(back.length, values.length);
    back.forEach((v, i) => assert.ok(Object.is(v, values[i]) || (v === 0 && values[i] === 0), `${v} vs ${values[i]}`));
  }), { seed: FC_SEED, numRuns: 200 });
  // bless refuses them; a golden holding them (hand-written or from an old version) never matches.
  const refused = compareOrBless(store, key, [1, Infinity], { atol: 0, rtol: 0 }, 'bless');
  assert.is(refused.status, 'refused');
  assert.not.ok(refused.passed);
  assert.match(refused.check.reason ?? '', /non-finite value: value \[1\] is Infinity/);
  assert.is(store.written.length, 0);
  fs.mkdirSync(path.join(dir, 'suite'), { recursive: true });
  writeGoldenBytes(store, key, 'json', formatNumericGolden(key, [NaN, Infinity]));
  assert.not.ok(compareOrBless(store, key, [NaN, Infinity], { atol: 1, rtol: 1 }, 'compare').passed);
  assert.is(errCode(() => parseNumericGolden('{"neurogateGolden":1,"value":["x"]}', 'g.json')), 'E_GOLDEN_FORMAT');
  assert.is(errCode(() => parseNumericGolden('{"value":[1]}', 'g.json')), 'E_GOLDEN_FORMAT');
  assert.is(errCode(() => parseNumericGolden('{', 'g.json')), 'E_GOLDEN_FORMAT');
});

test('any suite/entry/name maps to one file inside the store, distinct keys to distinct files', () => {
  const root = path.resolve('/golden-root');
  const part = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' });
  const seen = new Map<string, string>();
  fc.assert(fc.property(part, part, part, fc.constantFrom(undefined, 'cpu', 'webgpu'), (suite, entry, name, device) => {
    let rel: string;
    try {
      rel = goldenRelPath({ suite, entry, name, device }, 'json');
    } catch (e) {
      // Refused only: names that would collide with a device suffix, and ids too long for a file name.
      assert.is((e as NeurogateError).code, 'E_GOLDEN_KEY');
      const tooLong = [suite, entry, name].some((p) => Buffer.byteLength(p) * 3 > 120);
      assert.ok(/\.(cpu|webgpu|cuda)$/.test(name) || tooLong, (e as Error).message);
      return;
    }
    const abs = path.resolve(root, rel);
    assert.ok(abs.startsWith(root + path.sep), `${rel} escapes`);
    assert.is(rel.split('/').length, 3);
    assert.not.ok(rel.split('/').some((c) => c === '' || c.startsWith('.')));
    const id = JSON.stringify([suite, entry, name, device]);
    const prev = seen.get(rel);
    assert.ok(prev === undefined || prev === id, `${id} and ${prev} share ${rel}`);
    seen.set(rel, id);
  }), { seed: FC_SEED, numRuns: 500, examples: [['..', '..', 'x', undefined], ['a/b', 'c', 'd', 'cpu'], ['a', 'b/c', 'd', 'cpu'], ['.', '~2F', 'n', undefined]] });
  assert.is(encodeComponent('../etc', 'suite'), '~2E.~2Fetc');
  assert.is(errCode(() => goldenRelPath({ ...key, device: 'auto' }, 'json')), 'E_GOLDEN_KEY');
});

test('a symlink inside the store is never written through', () => {
  const dir = tmp();
  const outside = tmp();
  fs.mkdirSync(path.join(dir, 'shapes'), { recursive: true });
  fs.symlinkSync(outside, path.join(dir, 'shapes', 'square-logits'));
  const store = openGoldenStore({ root: dir, ci: false });
  assert.is(errCode(() => compareOrBless(store, key, [1], toleranceFor('cpu'), 'bless')), 'E_OUTPUT_SYMLINK');
  assert.equal(snapshot(outside), {});
});

test.run();
