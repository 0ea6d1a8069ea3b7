// Every file the gate touches is checked where it is opened: specs found through links are run
// (never skipped), external data, model.json, goldens, donors and mean_over images that lead out
// of their root or are not regular files are refused (exit 2, or a failed check for a golden),
// and output folders that are links out of the project are never written through.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { importOnnxFile } from '../../src/models/onnx-file.ts';
import { loadModel } from '../../src/models/load.ts';
import { loadSpecFile } from '../../src/kinds/load.ts';
import { discoverSpecs } from '../../src/suite/discover.ts';
import { compareOrBless, openGoldenStore, goldenRelPath } from '../../src/golden/index.ts';
import { writeInside } from '../../src/util/atomic.ts';
import { NeurogateError } from '../../src/errors.ts';
import { shapesDir, shapesSpec, workspace } from './workspace.ts';

const ws = workspace('guard');
const away = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ng-rel-away-')));
const mkfifo = (p: string) => execFileSync('mkfifo', [p]);

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof NeurogateError) return e.code;
    throw e;
  }
  return 'ok';
}

async function asyncCode(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (e) {
    if (e instanceof NeurogateError) return e.code;
    throw e;
  }
  return 'ok';
}

test('a symlinked failing spec in a searched folder runs and fails the gate (exit 1), not a silent 0', () => {
  // Absolute paths (inside the project): the spec is reached at two depths, through a file link and a folder link.
  const abs = { model: path.join(ws.dir, 'models', 'shapes_cnn.onnx'), image: path.join(ws.dir, 'images', 'shape_0_disk.png') };
  ws.write('real-specs/failing.yaml', shapesSpec({ ...abs, suite: 'linked', expect: '{ max: -100 }' }));
  ws.write('real-specs/second.yaml', shapesSpec({ ...abs, suite: 'second' }));
  ws.write('specs-linked/ok.yaml', shapesSpec({ expect: '{ min: 3 }' }));
  fs.symlinkSync(path.join(ws.dir, 'real-specs', 'failing.yaml'), path.join(ws.dir, 'specs-linked', 'failing.yaml'));
  fs.symlinkSync(path.join(ws.dir, 'real-specs'), path.join(ws.dir, 'specs-linked', 'more'));
  const found = discoverSpecs([path.join(ws.dir, 'specs-linked')]).map((f) => path.relative(ws.dir, f));
  // The file link and the folder link reach one file: it is found, and runs once.
  assert.equal(found, ['specs-linked/failing.yaml', 'specs-linked/more/second.yaml', 'specs-linked/ok.yaml']);
  const r = ws.cli('run', 'specs-linked', '--report-dir', 'r-linked', '--json', '--quiet');
  assert.is(r.code, 1, r.out + r.err);
});

test('a spec link leading out of the project is refused with exit 2, not skipped', () => {
  fs.writeFileSync(path.join(away, 'evil.yaml'), shapesSpec());
  ws.write('specs-out/ok.yaml', shapesSpec());
  fs.symlinkSync(path.join(away, 'evil.yaml'), path.join(ws.dir, 'specs-out', 'evil.yaml'));
  assert.is(codeOf(() => discoverSpecs([path.join(ws.dir, 'specs-out')])), 'E_LINK_OUTSIDE');
  const r = ws.cli('validate', 'specs-out');
  assert.is(r.code, 2, r.out + r.err);
  assert.match(r.err, /specs-out\/evil\.yaml: is a symbolic link to .*outside the project/);
  // A link to nothing is not a missing spec quietly dropped either.
  ws.write('specs-dangling/ok.yaml', shapesSpec());
  fs.symlinkSync(path.join(away, 'gone.yaml'), path.join(ws.dir, 'specs-dangling', 'gone.yaml'));
  assert.is(codeOf(() => discoverSpecs([path.join(ws.dir, 'specs-dangling')])), 'E_SPEC_MISSING');
});

test('a spec that is a FIFO or over the size limit is refused before it is read', () => {
  mkfifo(path.join(ws.dir, 'fifo.yaml'));
  assert.is(codeOf(() => loadSpecFile(path.join(ws.dir, 'fifo.yaml'))), 'E_SPEC_NOT_FILE');
  ws.write('huge.yaml', `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
  assert.is(codeOf(() => loadSpecFile(path.join(ws.dir, 'huge.yaml'))), 'E_SPEC_TOO_BIG');
});

test('ONNX external data: a link out, a FIFO, a device and an oversized file are refused, each by name', () => {
  const dyn = path.join(ws.dir, 'models', 'dyn');
  fs.mkdirSync(dyn);
  const onnx = path.join(dyn, 'shapes_cnn_dynamo.onnx');
  const data = `${onnx}.data`;
  fs.copyFileSync(path.join(shapesDir, 'shapes_cnn_dynamo.onnx'), onnx);
  fs.copyFileSync(path.join(shapesDir, 'shapes_cnn_dynamo.onnx.data'), path.join(away, 'weights.data'));
  fs.symlinkSync(path.join(away, 'weights.data'), data);
  assert.is(codeOf(() => importOnnxFile(onnx)), 'E_ONNX_EXTERNAL_OUTSIDE');
  fs.unlinkSync(data);
  mkfifo(data);
  assert.is(codeOf(() => importOnnxFile(onnx)), 'E_ONNX_EXTERNAL_NOT_FILE');
  fs.unlinkSync(data);
  fs.symlinkSync('/dev/zero', data);
  assert.ok(['E_ONNX_EXTERNAL_OUTSIDE', 'E_ONNX_EXTERNAL_NOT_FILE'].includes(codeOf(() => importOnnxFile(onnx))));
  fs.unlinkSync(data);
  fs.copyFileSync(path.join(shapesDir, 'shapes_cnn_dynamo.onnx.data'), data);
  const size = fs.statSync(onnx).size;
  assert.is(codeOf(() => importOnnxFile(onnx, { maxBytes: size + 10 })), 'E_ONNX_EXTERNAL_TOO_BIG');
  assert.is(codeOf(() => importOnnxFile(onnx)), 'ok');
});

test('a TF.js model named by its folder whose model.json links out is refused', async () => {
  const folder = path.join(ws.dir, 'models', 'tfjs-out');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(away, 'model.json'), '{"modelTopology":{},"weightsManifest":[]}');
  fs.symlinkSync(path.join(away, 'model.json'), path.join(folder, 'model.json'));
  assert.is(await asyncCode(() => loadModel(folder)), 'E_MODEL_OUTSIDE');
});

test('a model a spec names is held to its project where it is opened, not only at validation', async () => {
  fs.copyFileSync(path.join(shapesDir, 'shapes_cnn.onnx'), path.join(away, 'swapped.onnx'));
  fs.symlinkSync(path.join(away, 'swapped.onnx'), path.join(ws.dir, 'models', 'swapped.onnx'));
  const dir = path.join(ws.dir, 'specs');
  assert.is(await asyncCode(() => loadModel('../models/swapped.onnx', dir, { root: ws.dir })), 'E_MODEL_OUTSIDE');
  assert.is(await asyncCode(() => loadModel('../models/swapped.onnx', dir, { root: ws.dir, allowOutside: true, maxBytes: 2 ** 30 })), 'ok');
});

test('goldens that are links out, FIFOs or devices fail their check (never read); a bad golden is not echoed', () => {
  const store = openGoldenStore({ root: path.join(ws.dir, 'golden'), ci: false });
  const key = { suite: 's', entry: 'e', name: 'm', device: 'cpu' };
  const file = path.join(store.root, goldenRelPath(key, 'json'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(path.join(away, 'golden.json'), '{"neurogateGolden":1,"value":1}');
  for (const plant of [
    () => fs.symlinkSync(path.join(away, 'golden.json'), file),
    () => mkfifo(file),
    () => fs.symlinkSync('/dev/zero', file),
    () => fs.symlinkSync(path.join(away, 'none.json'), file),
    () => fs.writeFileSync(file, '\u001b]0;pwned\u0007\u001b[2J{not json'),
  ]) {
    fs.rmSync(file, { force: true });
    plant();
    const r = compareOrBless(store, key, 1, { atol: 0, rtol: 0 }, 'compare');
    assert.is(r.passed, false);
    assert.is(r.status, 'unreadable', r.check.reason);
    assert.not.match(r.check.reason ?? '', /[\u0000-\u0008\u000b-\u001f\u007f]/, 'no control bytes from the golden reach the reason');
  }
});

test('an output folder that is a link out of the project is never written through', () => {
  fs.symlinkSync(away, path.join(ws.dir, 'reports-away'));
  const before = fs.readdirSync(away).length;
  assert.is(codeOf(() => writeInside(path.join(ws.dir, 'reports-away'), 'x.json', '{}')), 'E_OUTPUT_SYMLINK');
  assert.is(codeOf(() => writeInside(path.join(ws.dir, 'reports-away', 'deeper'), 'x.json', '{}')), 'E_OUTPUT_SYMLINK');
  // A link that stays inside the project is fine.
  fs.mkdirSync(path.join(ws.dir, 'real-out'));
  fs.symlinkSync(path.join(ws.dir, 'real-out'), path.join(ws.dir, 'reports-in'));
  assert.is(codeOf(() => writeInside(path.join(ws.dir, 'reports-in'), 'x.json', '{}')), 'ok');
  const r = ws.cli('run', 'specs-linked/ok.yaml', '--report-dir', 'reports-away', '--json', '--quiet');
  assert.is(r.code, 2, r.out + r.err);
  assert.match(r.err, /reports-away is a symbolic link/);
  assert.is(fs.readdirSync(away).length, before, 'nothing written outside');
});

test('export --edit opens mean_over images and transplant donors under the project policy', () => {
  fs.copyFileSync(path.join(shapesDir, 'shape_0_disk.png'), path.join(away, 'mean.png'));
  fs.copyFileSync(path.join(shapesDir, 'shapes_cnn.onnx'), path.join(away, 'donor.onnx'));
  const circuit = (edit: string) => [
    'suite: edits', 'model: ../models/shapes_cnn.onnx', 'engine: { device: cpu }', 'circuits:', '  - id: c',
    '    edit:', edit, '    measure: { layer: logits, unit: 0, image: ../images/shape_0_disk.png }',
    '    expect:', '      activation: { change: { direction: decrease, absolute: 0 } }', '',
  ].join('\n');
  ws.write('specs-edit/mean.yaml', circuit(`      - ablate: { layer: /stem/Conv_output_0, units: [0], mean_over: [${path.join(away, 'mean.png')}] }`));
  ws.write('specs-edit/donor.yaml', circuit(`      - transplant: { layer: /stem/Conv_output_0, units: [0], model: ${path.join(away, 'donor.onnx')} }`));
  for (const f of ['mean', 'donor']) {
    const r = ws.cli('export', 'models/shapes_cnn.onnx', `out-${f}.onnx`, '--edit', `specs-edit/${f}.yaml#c`);
    assert.is(r.code, 2, r.out + r.err);
    assert.match(r.err, /outside/, r.err);
    assert.not.ok(fs.existsSync(path.join(ws.dir, `out-${f}.onnx`)));
  }
});

test.after(() => fs.rmSync(away, { recursive: true, force: true }));
test.run();
