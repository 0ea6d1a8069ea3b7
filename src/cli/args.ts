// Shared option parsing for subcommands (node:util parseArgs) with errors that exit 2, and
// `--help` / `-h` on any subcommand, which prints its usage and exits 0.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest, distance } from 'fastest-levenshtein';
import { badInput } from '../errors.ts';
import { oneLine } from '../io/terminal.ts';

/** The nearest of `known` to `word` when it is close enough to be a typo (a third of its length, at least 2 edits). */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  if (!known.length) return undefined;
  const best = closest(word, [...known]);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Thrown by parse() when the user asked for help; main() prints the usage and exits 0. */
export class HelpRequested extends Error {
  /** The option names (without `--`) the command's parser accepts, so tests can hold help to them. */
  constructor(readonly usage: string, readonly options: string[] = []) {
    super('help requested');
  }
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  // Only before `--`: after it, "--help" is a positional (a file so named).
  const end = argv.indexOf('--');
  if ((end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h')) throw new HelpRequested(usage, [...Object.keys(options), 'debug', 'help']);
  try {
    return parseArgs({ args: argv, options: { ...options, debug: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (e) {
    const message = (e as Error).message.split('\n')[0];
    const unknown = /^Unknown option '(-{1,2}[^']*)'/.exec(message)?.[1];
    const known = [...Object.keys(options), 'debug', 'help'].map((k) => `--${k}`);
    const near = unknown && didYouMean(unknown.split('=')[0], known);
    const hint = `${near ? `did you mean ${near}? ` : ''}usage: ${usage} (all options: --help)`;
    throw badInput('E_ARGS', oneLine(unknown ? `unknown option ${unknown}` : message), undefined, hint);
  }
}
