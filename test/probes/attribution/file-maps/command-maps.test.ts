// `method: { command: … }` with a real program (test/fixtures/command-maps/centre-gaussian.mjs, run
// by node, no shell) on the PyTorch-exported shapes_cnn: the map it writes is the one gated, and
// everything that can go wrong with it (non-zero exit, a hang, NaN, a wrong shape, no file, an
// unknown placeholder, a metric that would re-run it) fails with exit 2 and says why.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importOnnxFile } from '../../../../src/models/onnx-file.ts';
import { readImage, toModelInput } from '../../../../src/stimuli/image.ts';
import { subjectOf } from '../../../../src/probes/attribution/subject.ts';
import { commandArgv, commandMapMethod, fillArgv, unknownPlaceholders } from '../../../../src/probes/attribution/file-maps/command-method.ts';
import { runSpecs, validateSpecs } from '../../../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../../../src/probe/limits.ts';
import { SpecError } from '../../../../src/suite/issues.ts';
import { asyncErrorOf } from '../../../helpers.ts';

const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const fixtures = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'fixtures');
const shapes = path.join(fixtures, 'shapes_cnn');
const script = path.join(fixtures, 'command-maps', 'centre-gaussian.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-command-maps-'));
const node = JSON.stringify(process.execPath);

/** The map the script writes for a 224×224 input and class `target`. */
function gaussian(target: number): Float32Array {
  const out = new Float32Array(224 * 224);
  for (let y = 0; y < 224; y++) for (let x = 0; x < 224; x++) out[y * 224 + x] = (target + 1) * Math.exp(-((y - 111.5) ** 2 + (x - 111.5) ** 2) / (2 * 56 * 56));
  return out;
}

const entry = (id: string, args: string, expect = 'deletion_auc: { max: 100 }', extra = '') => `
  - id: ${id}
    image: ${shapes}/shape_1_square.png
    target: { class: 2 }
    method: { command: { command: [${node}, ${JSON.stringify(script)}, ${args}]${extra} } }
    measure: { deletion: { steps: 4 } }
    expect: { ${expect} }`;
const spec = (name: string, ...entries: string[]) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, `suite: command-maps\nmodel: ${shapes}/shapes_cnn.onnx\nengine: { device: cpu }\nmasks:${entries.join('')}\n`);
  return f;
};

test('argv: a string splits at whitespace, placeholders are filled, unknown ones are named', () => {
  assert.equal(commandArgv(' python  explain.py {input} {out} '), ['python', 'explain.py', '{input}', '{out}']);
  assert.equal(fillArgv(['x', '--in={input}', '{out}', '{name}-{index}', '{image}'], { input: '/t/i.npy', out: '/t/o.npy', target: '2', image: 'cat', name: 'pics/cat', index: '4' }), ['x', '--in=/t/i.npy', '/t/o.npy', 'pics/cat-4', 'cat']);
  assert.equal(unknownPlaceholders(['{input}', '{img}', 'a{out}{tgt}']), ['{img}', '{tgt}']);
});

test('the command’s map is the method’s map, exactly, for the class it was handed', async () => {
  const model = importOnnxFile(path.join(shapes, 'shapes_cnn.onnx'));
  const subject = subjectOf(model);
  const input = toModelInput(readImage(path.join(shapes, 'shape_1_square.png')), model.preprocess);
  const a = await commandMapMethod(subject, input, { kind: 'class', index: 2 }, { command: [process.execPath, script, '{input}', '{target}', '{out}'] });
  assert.equal(a.map.dims, [224, 224]);
  assert.equal(a.map.data, gaussian(2));
  assert.ok(Number.isFinite(a.score));
});

test('through a run: the map is gated like any other, its checks pass and fail, the command is echoed', async () => {
  const { report } = await runSpecs({ paths: [spec('ok.yaml', entry('ok', '"{input}", "{target}", "{out}"'), entry('strict', '"{input}", "{target}", "{out}"', 'deletion_auc: { max: -100 }'))], limits });
  const [ok, strict] = report.suites[0].entries;
  assert.is(ok.error, undefined, JSON.stringify(ok.error));
  assert.ok(ok.checks.length > 0 && ok.checks.every((c) => c.passed));
  assert.ok(Number.isFinite(ok.measurements.deletion_auc as number));
  assert.match(String(ok.params?.command), /centre-gaussian\.mjs \{input\} \{target\} \{out\}/);
  assert.ok(strict.checks.some((c) => !c.passed));
  assert.is(report.exitCode, 1);
});

test('a failing, hanging or wrong command fails its entry with exit 2 and says why', async () => {
  const { report } = await runSpecs({ paths: [spec('bad.yaml',
    entry('fail', '"{input}", "{target}", "{out}", fail'),
    entry('hang', '"{input}", "{target}", "{out}", sleep', undefined, ', timeout: 1'),
    entry('nan', '"{input}", "{target}", "{out}", nan'),
    entry('shape', '"{input}", "{target}", "{out}", shape'),
    entry('silent', '"{input}", "{target}", "{out}", silent'),
  )], limits });
  const errors = Object.fromEntries(report.suites[0].entries.map((e) => [e.id, e.error]));
  assert.is(report.exitCode, 2);
  assert.is(errors.fail?.code, 'E_MAP_COMMAND');
  assert.match(errors.fail!.message, /exited with 3 on .*shape_1_square.*CUDA is not available on this machine/s);
  assert.match(errors.hang!.message, /did not finish within 1 s/);
  assert.is(errors.nan?.code, 'E_MAP_NAN');
  assert.match(errors.nan!.message, /the command's map of .*: map holds NaN at \[5, 7\]/);
  assert.is(errors.shape?.code, 'E_MAP_SHAPE');
  assert.match(errors.shape!.message, /223×224, the model input is 224×224/);
  assert.match(errors.silent!.message, /wrote no map/);
});

test('preparation refuses an unknown placeholder, a command with no {out}, and metrics that would re-run it', async () => {
  const f = spec('refused.yaml',
    entry('typo', '"{inptu}", "{out}"'),
    entry('noout', '"{input}"'),
    `
  - id: rerun
    image: ${shapes}/shape_1_square.png
    method: { command: ${JSON.stringify(`${process.execPath} ${script} {input} 0 {out}`)} }
    properties: { dummy_input: {} }
    expect: { score: { min: 0 } }`);
  const err = await asyncErrorOf(() => validateSpecs([f], { limits }));
  assert.instance(err, SpecError);
  const issues = (err as SpecError).issues.map((i) => `${i.where} ${i.message}`);
  assert.is(issues.length, 3, issues.join('\n'));
  assert.match(issues[0], /refused\.yaml:\d+:\d+ .*unknown placeholder \{inptu\}/);
  assert.match(issues[1], /no \{out\}/);
  assert.match(issues[2], /`dummy_input` re-runs the method .* cannot be handed a changed model/);
});

test.run();
