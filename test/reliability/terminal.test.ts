// Every string that reaches a terminal or a CI log is sanitised: a suite name carrying a newline
// and `::error …::` never becomes a GitHub workflow command line, code frames never print raw
// ESC or NUL, and a report folder that cannot be written is exit 2 with the summary already printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import { FC_SEED } from '../seed.ts';
import { escapeControls, oneLine, safeLines } from '../../src/io/terminal.ts';
import { fsError } from '../../src/util/atomic.ts';
import { NeurogateError } from '../../src/errors.ts';
import { shapesSpec, workspace } from './workspace.ts';

const ws = workspace('terminal');
// Controls a terminal or the Actions runner acts on; tab excluded only where we lay out text ourselves.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const WORKFLOW_COMMAND = /^::/m;

test('oneLine, escapeControls and safeLines leave no control character and no line starting with ::', () => {
  const piece = fc.oneof(fc.constantFrom('\n', '\r', '\u001b', '\u0000', '\u0007', '\u009b', '\u202e', '::', 'error', ' ', '\t'), fc.string({ unit: 'binary', maxLength: 3 }));
  const hostile = fc.array(piece, { maxLength: 20 }).map((a) => a.join(''));
  fc.assert(fc.property(hostile, (s) => {
    for (const out of [oneLine(s), escapeControls(s)]) {
      assert.not.match(out, RAW_CONTROL);
      assert.not.ok(/[\n\r\t]/.test(out), JSON.stringify(out));
    }
    const block = safeLines(s);
    assert.not.match(block, RAW_CONTROL);
    assert.not.ok(/\r|\t/.test(block));
    assert.not.match(block, WORKFLOW_COMMAND);
    assert.is(block.split('\n').length, s.split('\n').length, 'lines are kept, only neutralised');
  }), { seed: FC_SEED, numRuns: 500 });
});

test('CLI: a suite name with a newline and ::error::, in the progress line, summary and reports, is never a workflow command', () => {
  const suite = JSON.stringify('evil\n::error file=x,line=1::pwned\u001b[2J\u0007');
  ws.write('specs/evil.yaml', shapesSpec({ suite, expect: '{ max: -100 }' }));
  const r = ws.cli('run', 'specs/evil.yaml', '--report-dir', 'r-evil');
  assert.is(r.code, 1, r.out + r.err);
  assert.match(r.err, /neurogate: 1\/1 probes/, 'the progress line was printed');
  for (const [name, text] of [['stdout', r.out], ['stderr', r.err]] as const) {
    assert.not.match(text, WORKFLOW_COMMAND, `${name}:\n${text}`);
    assert.not.match(text, RAW_CONTROL, name);
  }
  assert.match(r.out, /evil ⏎ ::error/, 'shown escaped, not dropped');
});

test('CLI: code frames and error lines print a spec\'s control bytes escaped', () => {
  ws.write('specs/esc.yaml', `suite: esc\u001b]0;title\u0007\nmodel: ../models/shapes_cnn.onnx\nneurons:\n  - id: "x\u0000\u001b[31m"\n    layer: nope\u001b[2J\n    unit: 0\n    image: ../images/shape_0_disk.png\n    expect: { activation: { min: 0 } }\n`);
  const r = ws.cli('validate', 'specs/esc.yaml');
  assert.is(r.code, 2, r.out + r.err);
  assert.not.match(r.err, RAW_CONTROL, r.err);
  assert.not.match(r.out, RAW_CONTROL);
  assert.match(r.err, /\\x1b/, 'escaped, so the reader sees what is there');
});

test('CLI: --report-dir naming a file is exit 2 with the path and the fix, after the summary', () => {
  ws.write('specs/ok.yaml', shapesSpec());
  ws.write('a-file', 'x');
  const r = ws.cli('run', 'specs/ok.yaml', '--report-dir', 'a-file');
  assert.is(r.code, 2, r.out + r.err);
  assert.match(r.out, /PASS\s+1 checks: 1 passed/, 'the summary is printed before the write fails');
  assert.match(r.err, /neurogate: error: .*a-file.*cannot write the json report/);
  assert.match(r.err, /--report-dir/);
  assert.not.match(r.err, /internal error|please report/);
});

test('read-only folders, full disks and the rest: bad input naming the path and the fix', () => {
  for (const code of ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENAMETOOLONG', 'EMFILE', 'EIO', 'EWHATEVER']) {
    const sys = Object.assign(new Error(`${code}: failed`), { code, syscall: 'open', path: '/r/x.json' });
    const e = fsError(sys, '/r/x.json', 'json report') as NeurogateError;
    assert.ok(e instanceof NeurogateError, code);
    assert.is(e.kind, 'bad_input');
    assert.is(e.where, '/r/x.json');
    assert.match(e.message, new RegExp(`cannot write the json report: .*\\(${code} on /r/x\\.json\\)`));
    assert.ok(e.hint && e.hint.length > 10, code);
  }
  const bug = new TypeError('not a filesystem error');
  assert.is(fsError(bug, 'f', 'w'), bug, 'a programming error stays internal');
  assert.ok(fs.existsSync(ws.dir));
});

test.run();
