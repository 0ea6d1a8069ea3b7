// `neurogate bless [files|dirs…] [--filter <regex>] [run options]`: the only way goldens change.
// It runs the selected entries like `neurogate run` with goldens in bless mode; refused under CI.
import { badInput } from '../errors.ts';
import { isCI } from '../golden/store.ts';

export const BLESS_USAGE = 'neurogate bless [files|dirs…] [--filter <regex on suite/entry>] [run options]';

export async function blessCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log([
      `usage: ${BLESS_USAGE}`,
      '',
      'Runs the matching entries and records their results as goldens under golden/: missing goldens',
      'are written, goldens outside their tolerance are rewritten, goldens still within it stay',
      'untouched. Review the changes with `git diff golden/` and commit them.',
      'Takes the options of `neurogate run`. Refused when CI is set: goldens never change in CI.',
    ].join('\n'));
    return 0;
  }
  if (isCI()) {
    throw badInput('E_GOLDEN_CI', 'neurogate bless does not run when CI is set: goldens never change in CI', undefined,
      'run it on a developer machine (without CI=true), review `git diff golden/` and commit');
  }
  const { runCommand } = await import('./run.ts');
  return runCommand(argv, { goldenMode: 'bless' });
}
