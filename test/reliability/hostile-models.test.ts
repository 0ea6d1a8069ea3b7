// Hostile and broken models never crash the harness: bit-flipped and truncated ONNX files,
// mutated TF.js manifests and topologies (wrong shapes, dtypes, names), unknown ops — each one
// either loads and runs or ends in a bad-input error (exit 2) with a code; nothing raw escapes.
// TF.js weight shards must be regular files inside the model's folder, symlinks followed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadModel } from '../../src/models/load.ts';
import { run } from '../../src/engine/session.ts';
import { encodeModel } from '../../src/engine/onnx.ts';
import { createModel, node } from '../../src/engine/graph.ts';
import { isNeurogateError } from '../../src/errors.ts';
import { nsfwjsFiles } from '../../src/models/zoo/nsfwjs.ts';
import { tfjsFilesFromDisk } from '../../src/models/tfjs/files.ts';
import { spawnSync } from 'node:child_process';
import { FC_SEED } from '../seed.ts';
import { asyncErrorOf } from '../helpers.ts';
import { pathsOf, shapesDir } from './workspace.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-rel-models-'));
/** RELIABILITY_SCALE=10 for a long fuzz run (the README records one); 1 in `npm test`. */
const SCALE = Number(process.env.RELIABILITY_SCALE ?? 1);
let serial = 0;

/** Load (fresh path each time: the loader caches by path) and run once on a grey image. */
async function loadAndRun(file: string): Promise<string> {
  try {
    const m = await loadModel(file);
    const { channels, height, width } = m.input;
    // An imported model promises a usable NCHW input: a NaN or negative size is an importer bug.
    for (const d of [channels, height, width]) if (!Number.isSafeInteger(d) || d <= 0) throw new Error(`imported with input size ${channels}×${height}×${width}`);
    const out = m.logits ?? m.probabilities;
    if (!out || channels * height * width > 2 ** 24) return 'loaded';
    await run(m.net, { [m.input.name]: { dims: [1, channels, height, width], data: new Float32Array(channels * height * width).fill(0.5) } }, [out]);
    return 'ran';
  } catch (e) {
    if (isNeurogateError(e) && e.kind === 'bad_input' && e.message.length > 0) return e.code;
    throw e; // internal error or raw exception: the property fails and prints it
  }
}

const onnx = fs.readFileSync(path.join(shapesDir, 'shapes_cnn.onnx'));

test('ONNX: bit flips and truncations load and run, or are refused as bad input (fast-check)', async () => {
  const seen = new Map<string, number>();
  await fc.assert(fc.asyncProperty(
    fc.array(fc.record({ at: fc.nat({ max: onnx.length - 1 }), bit: fc.nat({ max: 7 }) }), { minLength: 1, maxLength: 6 }),
    fc.option(fc.nat({ max: onnx.length - 1 }), { freq: 3 }),
    fc.boolean(),
    async (flips, cut, headerOnly) => {
      const b = Buffer.from(onnx);
      // Half the flips aim at the first 4 KB, where the graph structure lives, not the weights.
      for (const f of flips) b[headerOnly ? f.at % 4096 : f.at] ^= 1 << f.bit;
      const file = path.join(tmp, `flip-${serial++}.onnx`);
      fs.writeFileSync(file, cut === null ? b : b.subarray(0, cut));
      const r = await loadAndRun(file);
      seen.set(r, (seen.get(r) ?? 0) + 1);
      fs.rmSync(file);
    },
  ), { seed: FC_SEED, numRuns: 100 * SCALE });
  // The property is only meaningful if it hit both outcomes.
  assert.ok(seen.has('ran') && [...seen.keys()].some((k) => k !== 'ran'), JSON.stringify([...seen]));
});

/** mobilenet_v2_mid from the zoo, written as model.json + shards in a fresh folder. */
function writeTfjs(json: any, shards: Map<string, Uint8Array>): string {
  const dir = path.join(tmp, `tfjs-${serial++}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  for (const [p, bytes] of shards) fs.writeFileSync(path.join(dir, p), bytes);
  return path.join(dir, 'model.json');
}
const zoo = nsfwjsFiles('mobilenet_v2_mid');
const zooShards = new Map<string, Uint8Array>();
zoo.modelJson.weightsManifest.forEach((g, i) => {
  const bytes = zoo.shards(i);
  g.paths.forEach((p, j) => zooShards.set(p, bytes[j]));
});

const manifestPaths = pathsOf(zoo.modelJson.weightsManifest, ['weightsManifest']).filter((p) => p.length > 1);
const topologyPaths = pathsOf(zoo.modelJson.modelTopology, ['modelTopology']).filter((p) => p.length > 1);

const junk = fc.oneof(
  fc.integer({ min: -3, max: 2000 }), fc.constantFrom(NaN, Infinity, -0, 1e12, null, '', 'float16', 'int8', 'uint8', 'complex64', 'string', 'Conv2D', 'NoSuchOp', '../../etc/passwd'),
  fc.array(fc.integer({ min: -1, max: 64 }), { maxLength: 5 }), fc.string({ maxLength: 6 }), fc.boolean(),
);

test('TF.js: mutated manifests and topologies (shapes, dtypes, ops, names) and damaged shards are refused or run (fast-check)', async () => {
  const seen = new Map<string, number>();
  await fc.assert(fc.asyncProperty(
    fc.oneof(
      fc.record({ kind: fc.constant('manifest' as const), pick: fc.nat(), value: junk }),
      fc.record({ kind: fc.constant('topology' as const), pick: fc.nat(), value: junk }),
      fc.record({ kind: fc.constant('shard' as const), pick: fc.nat(), cut: fc.nat(), flips: fc.array(fc.nat(), { maxLength: 4 }) }),
      fc.record({ kind: fc.constant('text' as const), cut: fc.nat() }),
    ),
    async (m) => {
      const json = structuredClone(zoo.modelJson) as any;
      const shards = new Map(zooShards);
      let file: string;
      if (m.kind === 'shard') {
        const names = [...shards.keys()];
        const name = names[m.pick % names.length];
        const b = Buffer.from(shards.get(name)!);
        for (const f of m.flips) b[f % b.length] ^= 0x5a;
        shards.set(name, b.subarray(0, m.cut % (b.length + 1)));
        file = writeTfjs(json, shards);
      } else if (m.kind === 'text') {
        file = writeTfjs(json, shards);
        const text = fs.readFileSync(file, 'utf8');
        fs.writeFileSync(file, text.slice(0, m.cut % text.length));
      } else {
        const paths = m.kind === 'manifest' ? manifestPaths : topologyPaths;
        const p = paths[m.pick % paths.length];
        let at = json;
        for (const k of p.slice(0, -1)) at = at[k];
        at[p[p.length - 1]] = m.value;
        file = writeTfjs(json, shards);
      }
      const r = await loadAndRun(file);
      seen.set(`${m.kind}:${r}`, (seen.get(`${m.kind}:${r}`) ?? 0) + 1);
      fs.rmSync(path.dirname(file), { recursive: true });
    },
  ), { seed: FC_SEED, numRuns: 80 * SCALE });
  assert.ok([...seen.keys()].some((k) => !k.endsWith(':ran')), JSON.stringify([...seen]));
});

test('an unknown ONNX op and a dangling input are bad input with the name, not a crash', async () => {
  const unknown = createModel({
    inputs: [{ name: 'x', dims: [1, 3, 8, 8] }], outputs: [{ name: 'y' }],
    nodes: [node('FrobnicateXYZ', ['x'], ['y'])], initializers: [],
  });
  const f = path.join(tmp, 'unknown-op.onnx');
  fs.writeFileSync(f, encodeModel(unknown));
  const r = await loadAndRun(f);
  assert.ok(r !== 'ran', r);
  const dangling = createModel({
    inputs: [{ name: 'x', dims: [1, 3, 8, 8] }], outputs: [{ name: 'y' }],
    nodes: [node('Add', ['x', 'nowhere'], ['y'])], initializers: [],
  });
  const g = path.join(tmp, 'dangling.onnx');
  fs.writeFileSync(g, encodeModel(dangling));
  assert.is(await loadAndRun(g), 'E_GRAPH_DANGLING');
});

/** The zoo model in a fresh folder, its first shard path set to `p` after `prepare(folder)` ran. */
function modelWith(p: unknown, prepare: (dir: string) => void = () => {}): string {
  const json = structuredClone(zoo.modelJson) as any;
  const file = writeTfjs(json, zooShards);
  prepare(path.dirname(file));
  json.weightsManifest[0].paths[0] = p;
  fs.writeFileSync(file, JSON.stringify(json));
  return file;
}

test('TF.js shards: paths out of the model folder (../, absolute, symlinks, symlinked folders) are refused; FIFOs too', async () => {
  const [first, second] = zoo.modelJson.weightsManifest[0].paths;
  // A readable copy of a real shard outside every model folder: the escapes below all reach it.
  const outside = fs.mkdtempSync(path.join(tmp, 'outside-'));
  const secret = path.join(outside, first);
  fs.writeFileSync(secret, zooShards.get(first)!);
  const cases: [string, string, RegExp][] = [
    [modelWith(`../${path.basename(outside)}/${first}`), 'E_TFJS_SHARD', /points outside the model's folder/],
    [modelWith(secret), 'E_TFJS_SHARD', /points outside the model's folder/],
    [modelWith(`sub/../../${path.basename(outside)}/${first}`), 'E_TFJS_SHARD', /points outside the model's folder/],
    [modelWith(first, (d) => { fs.rmSync(path.join(d, first)); fs.symlinkSync(secret, path.join(d, first)); }), 'E_TFJS_SHARD', /is a symlink to .*, outside the model's folder/],
    [modelWith(`sub/${first}`, (d) => fs.symlinkSync(outside, path.join(d, 'sub'))), 'E_TFJS_SHARD', /is a symlink to .*, outside the model's folder/],
    [modelWith(first, (d) => { fs.rmSync(path.join(d, first)); spawnSync('mkfifo', [path.join(d, first)]); }), 'E_TFJS_SHARD', /is not a regular file/],
    [modelWith('shard-folder', (d) => fs.mkdirSync(path.join(d, 'shard-folder'))), 'E_TFJS_SHARD', /is not a regular file/],
    [modelWith(42), 'E_TFJS_JSON', /weightsManifest\[0\]\.paths is not a list of file names/],
    [modelWith(''), 'E_TFJS_JSON', /weightsManifest\[0\]\.paths is not a list of file names/],
    [modelWith('missing.bin'), 'E_TFJS_SHARD', /weight shard "missing\.bin" not found/],
  ];
  for (const [file, code, message] of cases) {
    const e = await asyncErrorOf(() => loadModel(file));
    assert.is(e.code, code, `${file}: ${e.message}`);
    assert.is(e.kind, 'bad_input');
    assert.match(e.message, message);
    assert.is(e.where, file);
    assert.ok(e.hint);
  }
});

test('TF.js shards: a subfolder, a symlink to a file inside and a name starting with ".." stay allowed', () => {
  const [first] = zoo.modelJson.weightsManifest[0].paths;
  const want = zooShards.get(first)!;
  for (const [p, prepare] of [
    [`weights/${first}`, (d: string) => { fs.mkdirSync(path.join(d, 'weights')); fs.copyFileSync(path.join(d, first), path.join(d, 'weights', first)); }],
    ['alias.bin', (d: string) => fs.symlinkSync(path.join(d, first), path.join(d, 'alias.bin'))],
    ['..hidden.bin', (d: string) => fs.copyFileSync(path.join(d, first), path.join(d, '..hidden.bin'))],
  ] as const) {
    const file = modelWith(p, prepare);
    const got = tfjsFilesFromDisk(file, 1e9).shards(0)[0];
    assert.ok(Buffer.from(got).equals(Buffer.from(want)), `${p}: the shard's bytes`);
  }
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.run();
