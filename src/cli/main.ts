// The `neurogate` command: dispatches to one module per subcommand and turns errors into
// one-line messages and the exit codes CI reads (0 pass · 1 gate failed · 2 bad input · 3 internal).
import { pathToFileURL } from 'node:url';
import { badInput, EXIT, exitCodeFor, isNeurogateError } from '../errors.ts';
import { didYouMean, HelpRequested } from './args.ts';
import { commandHelp } from './help.ts';
import { oneLine } from '../io/terminal.ts';

type Command = (argv: string[]) => Promise<number>;

export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'run spec files or folders and write reports', load: async () => (await import('./run.ts')).runCommand },
  validate: { summary: 'check spec files without running models', load: async () => (await import('./validate.ts')).validateCommand },
  init: { summary: 'write a starter spec for a model, every expectation measured on it', load: async () => (await import('./init.ts')).initCommand },
  layers: { summary: 'list the layers of a model (names, shapes, concat branches)', load: async () => (await import('./layers.ts')).layersCommand },
  export: { summary: 'write a model as the ONNX IR neurogate runs', load: async () => (await import('./export.ts')).exportCommand },
  bless: { summary: 'write or update goldens from the current results', load: async () => (await import('./bless.ts')).blessCommand },
  scan: { summary: 'rank the units of a layer by a stimulus family (e.g. curves)', load: async () => (await import('./scan.ts')).scanCommand },
  diff: { summary: 'compare a candidate model with its baseline inside: CKA, matched units, logit and attribution drift', load: async () => (await import('./diff.ts')).diffCommand },
  audit: { summary: 'mutation-test specs: which checks catch broken copies of the model, which fail on equivalent ones', load: async () => (await import('./audit.ts')).auditCommand },
  'merge-reports': { summary: 'combine the reports of sharded runs (run --shard i/n) into one', load: async () => (await import('./merge-reports.ts')).mergeReportsCommand },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['usage: neurogate <command> [options]', '', 'commands:', ...lines, '', 'exit codes: 0 pass · 1 a check failed · 2 bad input · 3 internal error', 'neurogate help <command> (or <command> --help): its options, defaults and examples', 'add --debug for stack traces'].join('\n');
}

/** `unknown command "x"`, with the nearest command when it looks like a typo. */
function unknownCommand(name: string): number {
  const near = didYouMean(name, Object.keys(COMMANDS));
  console.error(`neurogate: unknown command "${oneLine(name)}"${near ? ` — did you mean "${near}"?` : ''}\n\n${usage()}`);
  return EXIT.badInput;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest[0] !== undefined && !rest[0].startsWith('-')) {
    if (!COMMANDS[rest[0]]) return unknownCommand(rest[0]);
    console.log(commandHelp(rest[0]));
    return EXIT.pass;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? EXIT.pass : EXIT.badInput;
  }
  if (name === '--version') {
    console.log((await import('../version.ts')).VERSION);
    return EXIT.pass;
  }
  const cmd = COMMANDS[name];
  if (!cmd) return unknownCommand(name);
  const debug = rest.includes('--debug');
  try {
    return await (await cmd.load())(rest);
  } catch (e) {
    if (e instanceof HelpRequested) {
      console.log(commandHelp(name));
      return EXIT.pass;
    }
    return reportError(e, debug);
  }
}

/** Print an error the way users should see it: one line, the stack only with --debug. */
export function reportError(e: unknown, debug: boolean): number {
  // Whatever file operation failed without a handler of its own: the environment's, not ours.
  const sys = e as NodeJS.ErrnoException;
  if (!isNeurogateError(e) && typeof sys?.code === 'string' && sys.syscall) {
    e = badInput('E_FS', `${sys.syscall} failed: ${sys.code}${sys.path ? ` on ${sys.path}` : ''}`, sys.path, 'check that the path exists, is of the right kind and is readable or writable');
  }
  if (isNeurogateError(e)) {
    console.error(`neurogate: error: ${oneLine(e.oneLine())}`);
    if (debug) console.error(e.stack);
  } else {
    console.error(`neurogate: internal error: ${oneLine((e as Error)?.message ?? String(e))}`);
    if (debug) console.error((e as Error)?.stack);
    else console.error('(run again with --debug for the stack trace, and please report it)');
  }
  return exitCodeFor(e);
}

/** Run as the process's command (from bin/neurogate.js, or `node --import tsx src/cli/main.ts`). */
export function runAsProcess(argv: string[]): void {
  main(argv).then(
    (code) => endProcess(code),
    (e) => endProcess(reportError(e, argv.includes('--debug'))),
  );
}

/** How long work left running after the command returned may keep the process alive. */
export const EXIT_GRACE_MS = 2000;

/**
 * The command has returned and its reports are written; what still runs is work it abandoned
 * (a timed-out entry's onnxruntime call, which cannot be cancelled). The process ends now if
 * nothing is left, and at most EXIT_GRACE_MS later if something is: a limit must bound the process.
 */
function endProcess(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runAsProcess(process.argv.slice(2));
