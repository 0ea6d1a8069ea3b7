// action.yml, the GitHub Action: a composite action whose steps install, run the gate with the
// github reporter (annotations at file:line:col) and upload the report folder even when the gate
// fails; inputs reach the shell only through env, never pasted into the script.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { REPORTERS } from '../../src/cli/run.ts';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const action = YAML.parse(fs.readFileSync(path.join(repo, 'action.yml'), 'utf8'));
type Step = { name: string; run?: string; uses?: string; if?: string; env?: Record<string, string>; with?: Record<string, string> };
const steps = action.runs.steps as Step[];

test('a composite action: install, gate, upload — in that order', () => {
  assert.is(action.runs.using, 'composite');
  assert.equal(steps.map((s) => s.name), ['Install', 'Run the gate', 'Upload the report']);
  for (const s of steps.filter((x) => x.run)) assert.is((s as { shell?: string }).shell, 'bash', `${s.name}: composite run steps need a shell`);
});

test('the install skips only onnxruntime-node\'s CUDA download and knows its three modes', () => {
  const install = steps[0];
  assert.is(install.env?.ONNXRUNTIME_NODE_INSTALL, 'skip');
  for (const mode of ['ci)', 'package)', 'none)']) assert.match(install.run!, mode);
  assert.is(action.inputs.install.default, 'ci');
});

test('the gate writes every report and GitHub annotations, with the reporters the CLI accepts', () => {
  const gate = steps[1].run!;
  const reporters = /--reporter (\S+)/.exec(gate)![1].split(',');
  assert.equal([...reporters].sort(), [...REPORTERS].sort());
  assert.match(gate, /^npx neurogate run /);
  assert.match(gate, '--report-dir "$NG_REPORT_DIR"');
});

test('the report is uploaded when the gate fails too, from the folder the gate wrote', () => {
  const upload = steps[2];
  assert.ok(upload.uses?.startsWith('actions/upload-artifact@'));
  assert.is(upload.if, 'always()');
  assert.is(upload.with?.path, '${{ inputs.working-directory }}/${{ inputs.report-dir }}');
});

test('inputs reach scripts through env only (no ${{ }} inside a run script)', () => {
  for (const s of steps.filter((x) => x.run)) assert.not.match(s.run!, '${{', `${s.name} pastes an expression into its script`);
  for (const [name, input] of Object.entries(action.inputs as Record<string, { description: string; default: string }>)) {
    assert.ok(input.description && input.default !== undefined, `input ${name} has a description and a default`);
  }
});

test.run();
