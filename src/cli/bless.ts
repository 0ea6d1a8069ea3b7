// `neurogate bless [files|dirs…] [--filter <regex>] [run options]`: the only way goldens change.
// It runs the selected entries like `neurogate run` with goldens in bless mode; refused under CI.
import { badInput } from '../errors.ts';
import { isCI } from '../golden/store.ts';

export const BLESS_USAGE = 'neurogate bless [files|dirs…] [--filter <regex on suite/entry>] [run options]';

export async function blessCommand(argv: string[]): Promise<number> {
  const { runCommand } = await import('./run.ts');
  // --help goes to run's option parser, which answers it before anything runs (main prints bless's help): also under CI.
  const end = argv.indexOf('--');
  if ((end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h')) return runCommand(argv, { goldenMode: 'bless' });
  if (isCI()) {
    throw badInput('E_GOLDEN_CI', 'neurogate bless does not run when CI is set: goldens never change in CI', undefined,
      'run it on a developer machine (without CI=true), review `git diff golden/` and commit');
  }
  return runCommand(argv, { goldenMode: 'bless' });
}
