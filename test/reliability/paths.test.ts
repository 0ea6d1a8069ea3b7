// Files named in a spec stay inside its project (nearest folder above it with package.json or
// .git, symlinks followed) unless --allow-outside; a TF.js model's shards stay inside its own
// folder whatever the flags; report writes never follow a planted symlink.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSpecText } from '../../src/kinds/load.ts';
import { SpecError } from '../../src/suite/issues.ts';
import { isInside, specRoot } from '../../src/suite/paths.ts';
import { nsfwjsFiles } from '../../src/models/zoo/nsfwjs.ts';
import { shapesDir, shapesSpec, workspace } from './workspace.ts';

const ws = workspace('paths');
const outsideImage = path.join(shapesDir, 'shape_0_disk.png');
const secret = path.join(fs.realpathSync(os.tmpdir()), `ng-rel-secret-${process.pid}.png`);
fs.copyFileSync(outsideImage, secret);
fs.symlinkSync(secret, path.join(ws.dir, 'images', 'link-out.png'));
fs.symlinkSync(path.dirname(secret), path.join(ws.dir, 'images', 'dir-out'));

function issuesOf(spec: string, text: string, allowOutside = false): string[] {
  try {
    loadSpecText(spec, text, { allowOutside });
    return [];
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return e.issues.map((i) => `${i.where}: ${i.message}`);
  }
}

test('the root is the nearest folder with package.json or .git, else the spec folder', () => {
  assert.is(specRoot(path.join(ws.dir, 'specs', 'deep', 'er')), ws.dir);
  const bare = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ng-rel-bare-')));
  assert.is(specRoot(bare), bare);
  assert.ok(isInside(ws.dir, path.join(ws.dir, 'images', 'shape_0_disk.png')));
  assert.not.ok(isInside(ws.dir, path.join(ws.dir, 'images', 'link-out.png')), 'a symlink out is outside');
  assert.not.ok(isInside(ws.dir, path.join(ws.dir, 'images', 'dir-out', path.basename(secret))), 'a symlinked folder out is outside');
});

test('models and images outside the project are refused at file:line:col; inside ones load', () => {
  const spec = path.join(ws.dir, 'specs', 'a.yaml');
  assert.equal(issuesOf(spec, shapesSpec()), []);
  for (const [field, text] of [
    ['image', shapesSpec({ image: outsideImage })],
    ['image', shapesSpec({ image: '../images/link-out.png' })],
    ['image', shapesSpec({ image: `../images/dir-out/${path.basename(secret)}` })],
    ['image', shapesSpec({ image: '../../../../../../../../etc/hostname' })],
    ['model', shapesSpec({ model: path.join(shapesDir, 'shapes_cnn.onnx') })],
  ] as const) {
    const got = issuesOf(spec, text);
    assert.is(got.length, 1, got.join('\n'));
    assert.match(got[0], new RegExp(`specs/a\\.yaml:\\d+:\\d+: ${field} path resolves outside the spec's project root`), got[0]);
  }
  assert.equal(issuesOf(spec, shapesSpec({ image: outsideImage }), true), []);
  assert.equal(issuesOf(spec, shapesSpec({ image: '../images/link-out.png' }), true), []);
});

test('CLI: an image outside the project exits 2 naming the place; --allow-outside runs it', () => {
  ws.write('specs/out.yaml', shapesSpec({ image: outsideImage }));
  const r = ws.cli('run', 'specs/out.yaml', '--report-dir', 'reports-out', '--quiet');
  assert.is(r.code, 2, r.out + r.err);
  assert.match(r.err, /specs\/out\.yaml:8:12: image path resolves outside the spec's project root/);
  assert.match(r.err, /--allow-outside/);
  assert.not.ok(fs.existsSync(path.join(ws.dir, 'reports-out')), 'nothing ran, nothing written');
  const ok = ws.cli('run', 'specs/out.yaml', '--allow-outside', '--report-dir', 'reports-out', '--quiet');
  assert.is(ok.code, 0, ok.out + ok.err);
});

test('CLI: a report file planted as a symlink out is replaced, never written through', () => {
  const victim = path.join(fs.realpathSync(os.tmpdir()), `ng-rel-victim-${process.pid}.txt`);
  fs.writeFileSync(victim, 'do not touch\n');
  fs.mkdirSync(path.join(ws.dir, 'reports-link'), { recursive: true });
  fs.symlinkSync(victim, path.join(ws.dir, 'reports-link', 'neurogate-report.json'));
  ws.write('specs/ok.yaml', shapesSpec());
  const r = ws.cli('run', 'specs/ok.yaml', '--report-dir', 'reports-link', '--json', '--quiet');
  assert.is(r.code, 0, r.out + r.err);
  assert.is(fs.readFileSync(victim, 'utf8'), 'do not touch\n');
  const st = fs.lstatSync(path.join(ws.dir, 'reports-link', 'neurogate-report.json'));
  assert.ok(st.isFile() && !st.isSymbolicLink());
  assert.is(JSON.parse(fs.readFileSync(path.join(ws.dir, 'reports-link', 'neurogate-report.json'), 'utf8')).exitCode, 0);
  fs.rmSync(victim);
});

test('CLI: a TF.js model whose weight shard lies outside its folder exits 2, even with --allow-outside', () => {
  // The zoo's MobileNetV2 written out as model.json + shards, its first shard named by a path that
  // leaves models/tfjs/ (to a file inside the project: the model's folder is the boundary).
  const zoo = nsfwjsFiles('mobilenet_v2_mid');
  const json = structuredClone(zoo.modelJson) as any;
  json.weightsManifest[0].paths.forEach((p: string, j: number) => ws.write(`models/tfjs/${p}`, zoo.shards(0)[j]));
  json.weightsManifest[0].paths[0] = '../shapes_cnn.onnx';
  ws.write('models/tfjs/model.json', JSON.stringify(json));
  ws.write('specs/shard.yaml', shapesSpec({ model: '../models/tfjs/model.json' }));
  for (const extra of [[], ['--allow-outside']]) {
    const r = ws.cli('run', 'specs/shard.yaml', ...extra, '--report-dir', 'reports-shard', '--quiet');
    assert.is(r.code, 2, r.out + r.err);
    assert.match(r.err, /specs\/shard\.yaml:2:8: model \.\.\/models\/tfjs\/model\.json: weight shard "\.\.\/shapes_cnn\.onnx" points outside the model's folder/);
    assert.not.ok(fs.existsSync(path.join(ws.dir, 'reports-shard')), 'nothing ran, nothing written');
  }
});

test.after(() => fs.rmSync(secret, { force: true }));

test.run();
