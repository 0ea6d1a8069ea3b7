// Help that answers: every command's help lists every option it accepts, with defaults and an
// example; `help <cmd>` equals `<cmd> --help`; typos in commands, options and reporters get a
// "did you mean"; what the user typed is echoed without control characters.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COMMANDS as MAIN_COMMANDS, main } from '../../src/cli/main.ts';
import { HELP_TEXTS, documentedOptions } from '../../src/cli/help.ts';
import { HelpRequested } from '../../src/cli/args.ts';
import { runCommand } from '../../src/cli/run.ts';
import { exitCodeFor } from '../../src/errors.ts';
import { asyncErrorOf } from '../helpers.ts';

async function captured(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    return { code: await fn(), out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

// Every command main() dispatches, so a new command cannot ship without its help.
const COMMANDS = Object.keys(MAIN_COMMANDS).filter((c) => c !== 'help');

/** The options a command's parser accepts, read from the parser itself: --help stops it before anything runs. */
async function acceptedOptions(cmd: string): Promise<string[]> {
  const seen: string[] = [];
  // Each command parses with parse(argv, options, usage), which answers --help with the options it knows.
  const mod = await import(`../../src/cli/${cmd}.ts`);
  const fn = Object.values(mod).find((v) => typeof v === 'function' && (v as { name: string }).name.endsWith('Command')) as (a: string[]) => Promise<number>;
  try {
    await fn(['--help']);
  } catch (e) {
    if (!(e instanceof HelpRequested)) throw e;
    seen.push(...e.options.map((o) => `--${o}`));
  }
  return seen;
}

test('every command: help lists each option its parser accepts, defaults and an example; help <cmd> = <cmd> --help', async () => {
  for (const cmd of COMMANDS) {
    const viaHelp = await captured(() => main(['help', cmd]));
    const viaFlag = await captured(() => main([cmd, '--help']));
    assert.is(viaHelp.code, 0, cmd);
    assert.is(viaFlag.code, 0, cmd);
    assert.is(viaHelp.out, viaFlag.out, cmd);
    assert.match(viaHelp.out, new RegExp(`^usage: neurogate ${cmd}`));
    assert.match(viaHelp.out, /\n {2}neurogate /, `${cmd}: an example`);
    const accepted = await acceptedOptions(cmd);
    assert.ok(accepted.length > 0, `${cmd}: its parser was reached`);
    const documented = documentedOptions(cmd);
    for (const o of accepted) assert.ok(documented.includes(o), `${cmd}: ${o} is accepted but not in its help`);
    for (const o of documented) assert.ok(accepted.includes(o) || o === '-h', `${cmd}: help documents ${o}, which the parser refuses`);
    for (const o of HELP_TEXTS[cmd].options.filter((x) => x.default)) assert.match(viaHelp.out, `[default: ${o.default}]`);
  }
});

test('did you mean: commands, options and reporters', async () => {
  const c = await captured(() => main(['rnu', 'specs']));
  assert.is(c.code, 2);
  assert.match(c.err, 'unknown command "rnu" — did you mean "run"?');
  const h = await captured(() => main(['help', 'valdiate']));
  assert.is(h.code, 2);
  assert.match(h.err, 'did you mean "validate"?');
  const far = await captured(() => main(['zzzzzzzz']));
  assert.not.match(far.err, 'did you mean');

  const o = await asyncErrorOf(() => runCommand(['--reprot-dir', 'x', 'specs']));
  assert.is(exitCodeFor(o), 2);
  assert.match(o.message, 'unknown option --reprot-dir');
  assert.match(o.hint ?? '', /^did you mean --report-dir\?/);
  const r = await asyncErrorOf(() => runCommand(['--reporter', 'console,gihtub', 'specs']));
  assert.is(exitCodeFor(r), 2);
  assert.match(r.message, '--reporter gihtub is not one of console, github, json, junit, html');
  assert.match(r.hint ?? '', 'did you mean github?');
});

test('what the user typed is echoed without control characters', async () => {
  const c = await captured(() => main(['\u001b[31mred\r']));
  assert.is(c.code, 2);
  assert.not.match(c.err, /[\u0000-\u0009\u000b-\u001f]/);
  const o = await asyncErrorOf(() => runCommand(['--\u001b[2Jx', 'specs']));
  assert.not.match(o.message, /[\u0000-\u001f]/);
});

test.run();
