// Shared option parsing for subcommands (node:util parseArgs) with errors that exit 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { badInput } from '../errors.ts';

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, debug: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw badInput('E_ARGS', (e as Error).message.split('\n')[0], undefined, `usage: ${usage}`);
  }
}
