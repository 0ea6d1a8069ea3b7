// The package as a user installs it (`npm run test:package`; minutes, for the install, so not part
// of `npm test`): npm pack (prepack builds dist/), a fresh project with only package.json, the
// install command docs/install.md gives (from the tarball), then init, validate and run through
// npx, the API example of docs/api.md importing the package by name, and init in a folder with
// no package.json at all. Nothing but the npm registry is reached.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-package-'));
const project = path.join(tmp, 'project');
const bare = path.join(tmp, 'bare');
const version = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).version as string;
const tarball = `neurogate-${version}.tgz`;

/** The install line of docs/install.md, for a tarball in the project folder. */
export const INSTALL_FROM_TARBALL = `ONNXRUNTIME_NODE_INSTALL=skip npm install -D ./${tarball}`;

function sh(command: string, cwd: string, timeoutS = 600) {
  // No env override of the install flag: the documented command carries it.
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0' };
  delete env.ONNXRUNTIME_NODE_INSTALL;
  delete env.CI;
  const r = spawnSync('bash', ['-c', command], { cwd, env, encoding: 'utf8', timeout: timeoutS * 1000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

function fixture(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(repo, 'test/fixtures/shapes_cnn/shapes_cnn.onnx'), path.join(dir, 'model.onnx'));
  fs.copyFileSync(path.join(repo, 'test/fixtures/shapes_cnn/shape_0_disk.png'), path.join(dir, 'disk.png'));
}

test('the documented install line is the one docs/install.md gives', () => {
  const doc = fs.readFileSync(path.join(repo, 'docs/install.md'), 'utf8');
  assert.ok(doc.includes(`ONNXRUNTIME_NODE_INSTALL=skip npm install -D ./neurogate-${version}.tgz`), 'docs/install.md names this tarball install');
  assert.ok(doc.includes('ONNXRUNTIME_NODE_INSTALL=skip npm install -D neurogate\n'), 'docs/install.md names the registry install');
});

test('npm pack builds and packs only what runs', () => {
  const r = sh(`npm pack --pack-destination ${JSON.stringify(tmp)} --json`, repo);
  assert.is(r.code, 0, r.out);
  // stdout: the lifecycle output of prepack (the build), then the JSON array.
  const json = r.stdout.slice(r.stdout.indexOf('[\n'), r.stdout.lastIndexOf(']') + 1);
  const files = (JSON.parse(json)[0].files as { path: string }[]).map((f) => f.path);
  assert.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts') && files.includes('dist/cli/main.js'));
  assert.ok(files.includes('bin/neurogate.js') && files.includes('specs/schema.json'));
  assert.not.ok(files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.ts') && !f.endsWith('.d.ts')), 'no sources or tests');
});

test('a fresh project with only package.json: the documented install, init, validate, run', () => {
  fixture(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'my-model', version: '1.0.0', private: true }, null, 2));
  fs.copyFileSync(path.join(tmp, tarball), path.join(project, tarball));
  const install = sh(INSTALL_FROM_TARBALL, project);
  assert.is(install.code, 0, install.out);
  const pkg = JSON.parse(fs.readFileSync(path.join(project, 'node_modules/neurogate/package.json'), 'utf8'));
  const ort = JSON.parse(fs.readFileSync(path.join(project, 'node_modules/onnxruntime-node/package.json'), 'utf8'));
  assert.is(ort.version, JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).dependencies['onnxruntime-node'], 'the tested onnxruntime-node');
  assert.is(pkg.version, version);
  assert.not.ok(fs.existsSync(path.join(project, 'node_modules/tsx')), 'tsx is not needed to run the package');

  const v = sh('npx neurogate --version', project);
  assert.is(v.code, 0, v.out);
  assert.match(v.out, version);
  const init = sh('npx neurogate init --model model.onnx --image disk.png', project);
  assert.is(init.code, 0, init.out);
  assert.ok(fs.existsSync(path.join(project, 'specs/model.yaml')), init.out);
  const validate = sh('npx neurogate validate specs/model.yaml', project);
  assert.is(validate.code, 0, validate.out);
  const run = sh('npx neurogate run', project);
  assert.is(run.code, 0, run.out);
  assert.ok(['report.html', 'junit.xml', 'neurogate-report.json'].every((f) => fs.existsSync(path.join(project, 'reports', f))));
});

test('the API example of docs/api.md, importing the installed package by name', () => {
  fs.copyFileSync(path.join(repo, 'docs/examples/api.mjs'), path.join(project, 'api.mjs'));
  const r = sh('node api.mjs', project);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /^\d+ layers, e\.g\. /m);
  assert.match(r.out, /^integrated_gradients: map 1×\d+×\d+×\d+|^integrated_gradients: map \d+×\d+/m);
  assert.match(r.out, /: exit 0, (\d+) of \1 checks passed$/m);
  const types = fs.readFileSync(path.join(project, 'node_modules/neurogate/dist/index.d.ts'), 'utf8');
  for (const name of ['loadSuite', 'run', 'attribute', 'layers']) assert.match(types, new RegExp(`export declare function ${name}\\b`));
});

test('a folder with no package.json: init with the default --out takes the folder as the project', () => {
  fixture(bare);
  const bin = path.join(project, 'node_modules/.bin/neurogate');
  const init = sh(`${JSON.stringify(bin)} init --model model.onnx --image disk.png`, bare);
  assert.is(init.code, 0, init.out);
  const run = sh(`${JSON.stringify(bin)} run specs/model.yaml`, bare);
  assert.is(run.code, 0, run.out);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
