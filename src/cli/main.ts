// The `neurogate` command: dispatches to one module per subcommand and turns errors into
// one-line messages and the exit codes CI reads (0 pass · 1 gate failed · 2 bad input · 3 internal).
import { pathToFileURL } from 'node:url';
import { EXIT, exitCodeFor, isNeurogateError } from '../errors.ts';
import { HelpRequested } from './args.ts';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'run spec files or folders and write reports', load: async () => (await import('./run.ts')).runCommand },
  validate: { summary: 'check spec files without running models', load: async () => (await import('./validate.ts')).validateCommand },
  init: { summary: 'write a starter spec for a model, every expectation measured on it', load: async () => (await import('./init.ts')).initCommand },
  layers: { summary: 'list the layers of a model (names, shapes, concat branches)', load: async () => (await import('./layers.ts')).layersCommand },
  export: { summary: 'write a model as the ONNX IR neurogate runs', load: async () => (await import('./export.ts')).exportCommand },
  bless: { summary: 'write or update goldens from the current results', load: async () => (await import('./bless.ts')).blessCommand },
  scan: { summary: 'rank the units of a layer by a stimulus family (e.g. curves)', load: async () => (await import('./scan.ts')).scanCommand },
  audit: { summary: 'mutation-test specs: which checks catch broken copies of the model, which fail on equivalent ones', load: async () => (await import('./audit.ts')).auditCommand },
  'merge-reports': { summary: 'combine the reports of sharded runs (run --shard i/n) into one', load: async () => (await import('./merge-reports.ts')).mergeReportsCommand },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['usage: neurogate <command> [options]', '', 'commands:', ...lines, '', 'exit codes: 0 pass · 1 a check failed · 2 bad input · 3 internal error', 'add --debug for stack traces'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? EXIT.pass : EXIT.badInput;
  }
  if (name === '--version') {
    console.log((await import('../version.ts')).VERSION);
    return EXIT.pass;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`neurogate: unknown command "${name}"\n\n${usage()}`);
    return EXIT.badInput;
  }
  const debug = rest.includes('--debug');
  try {
    return await (await cmd.load())(rest);
  } catch (e) {
    if (e instanceof HelpRequested) {
      console.log(`usage: ${e.usage}`);
      return EXIT.pass;
    }
    return reportError(e, debug);
  }
}

/** Print an error the way users should see it: one line, the stack only with --debug. */
export function reportError(e: unknown, debug: boolean): number {
  if (isNeurogateError(e)) {
    console.error(`neurogate: error: ${e.oneLine()}`);
    if (debug) console.error(e.stack);
  } else {
    console.error(`neurogate: internal error: ${(e as Error)?.message ?? String(e)}`);
    if (debug) console.error((e as Error)?.stack);
    else console.error('(run again with --debug for the stack trace, and please report it)');
  }
  return exitCodeFor(e);
}

/** Run as the process's command (from bin/neurogate.js, or `node --import tsx src/cli/main.ts`). */
export function runAsProcess(argv: string[]): void {
  main(argv).then(
    (code) => { process.exitCode = code; },
    (e) => { process.exitCode = reportError(e, argv.includes('--debug')); },
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runAsProcess(process.argv.slice(2));
