// Shared option parsing for subcommands (node:util parseArgs) with errors that exit 2, and
// `--help` / `-h` on any subcommand, which prints its usage and exits 0.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { badInput } from '../errors.ts';

/** Thrown by parse() when the user asked for help; main() prints the usage and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super('help requested');
  }
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  // Only before `--`: after it, "--help" is a positional (a file so named).
  const end = argv.indexOf('--');
  if ((end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h')) throw new HelpRequested(usage);
  try {
    return parseArgs({ args: argv, options: { ...options, debug: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw badInput('E_ARGS', (e as Error).message.split('\n')[0], undefined, `usage: ${usage}`);
  }
}
