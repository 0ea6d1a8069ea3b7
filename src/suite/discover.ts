// Which files a command line names: spec files as given, directories searched for *.yaml / *.yml
// (recursively, sorted, so every run visits suites in the same order).
import { findFiles } from '../util/find-files.ts';

const HINT = 'give spec files (.yaml) or directories holding them';

export function discoverSpecs(args: readonly string[]): string[] {
  return findFiles(args, {
    accept: /\.ya?ml$/i,
    skip: ['node_modules'],
    missing: { code: 'E_SPEC_MISSING', hint: HINT },
    none: { code: 'E_SPEC_NONE', message: 'the directory holds no .yaml or .yml spec files', hint: HINT },
  });
}
