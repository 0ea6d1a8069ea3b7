// Command-line options of `run` and `validate`, in-process: every malformed option is bad input
// (exit 2) naming the option, before any spec is read; `validate` without models.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCommand, planOptions, RUN_USAGE } from '../../src/cli/run.ts';
import { validateCommand } from '../../src/cli/validate.ts';
import { main } from '../../src/cli/main.ts';
import { exitCodeFor } from '../../src/errors.ts';
import path from 'node:path';
import { asyncErrorOf, errorOf } from '../helpers.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

test('malformed options are bad input (exit 2) that name the option', async () => {
  const cases: [string[], RegExp][] = [
    [['--seed', 'x', 'specs'], /--seed must be an integer/],
    [['--seed', '-1', 'specs'], /--seed/],
    [['--seed', '4294967296', 'specs'], /--seed/],
    [['--device', 'tpu', 'specs'], /--device tpu is not one of auto, cpu, webgpu, cuda/],
    [['--filter', '(', 'specs'], /--filter is not a valid regular expression/],
    [['--report-dir'], /--report-dir/],
    [['--nope', 'specs'], /unknown option --nope/],
    [['no/such/dir'], /no such file or directory/],
  ];
  for (const [argv, message] of cases) {
    const e = await asyncErrorOf(() => runCommand(argv));
    assert.is(exitCodeFor(e), 2, argv.join(' '));
    assert.match(e.message, message, argv.join(' '));
  }
  const v = await asyncErrorOf(() => validateCommand(['--json', 'specs']));
  assert.is(exitCodeFor(v), 2);
  assert.match(v.hint ?? '', /usage: neurogate validate/);
});

test('good options become plan options', () => {
  const o = planOptions({ filter: 'mobilenet/.*', device: 'cpu', seed: '4294967295', model: 'zoo:mobilenet_v2', baseline: 'b.onnx' }, RUN_USAGE);
  assert.equal(o, { filter: /mobilenet\/.*/, device: 'cpu', seed: 4294967295, model: 'zoo:mobilenet_v2', baseline: 'b.onnx' });
  assert.is(errorOf(() => planOptions({ seed: '1.5' }, RUN_USAGE)).code, 'E_ARGS');
});

/** Run fn with console.log and stderr writes captured. */
async function captured(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const write = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
  try {
    return { code: await fn(), out: out.join('\n'), err: err.join('') };
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
}

test('validate --schema-only checks specs without loading models; a bad spec exits 2 with file:line:col', async () => {
  const quick = await captured(() => validateCommand(['--schema-only', path.join(root, 'specs')]));
  assert.is(quick.code, 0, quick.err);
  assert.match(quick.out, /^ok: 11 spec files, \d+ entries, \d+ expectations; schema and files only/);
  const bad = await captured(() => validateCommand([path.join(root, 'test', 'fixtures', 'specs', 'bad')]));
  assert.is(bad.code, 2);
  assert.match(bad.err, /typo\.yaml:9:21: unknown key `mni` — did you mean `min`\?/);
  assert.match(bad.err, /1 problem in the specs; nothing was run/);
});

test('--help on a subcommand prints its usage and exits 0; after `--` it is a file name', async () => {
  for (const cmd of ['run', 'validate', 'init', 'layers', 'export', 'bless', 'scan', 'diff', 'merge-reports']) {
    const r = await captured(() => main([cmd, '--help']));
    assert.is(r.code, 0, `${cmd}: ${r.err}`);
    assert.match(r.out, new RegExp(`^usage: neurogate ${cmd}`), cmd);
  }
  assert.is((await captured(() => main(['validate', '-h', '--bogus']))).code, 0);
  const asFile = await captured(() => main(['validate', '--schema-only', '--', '--help']));
  assert.is(asFile.code, 2);
  assert.match(asFile.err, /--help/);
});

test.run();
