// `neurogate validate [files|dirs…]`: check specs without running probes. By default it also loads
// each model (cached conversions, one cheap catalog pass) to check layers, units and positions —
// the errors users meet most; `--schema-only` skips models for an instant, offline check.
import { EXIT } from '../errors.ts';
import { validateSpecs } from '../run/index.ts';
import { SpecError } from '../suite/issues.ts';
import { parse } from './args.ts';
import { limitOptions, planOptions, printSpecError, specPaths } from './run.ts';
import { applyImageLimits } from '../probe/limits.ts';

export const VALIDATE_USAGE = 'neurogate validate [files|dirs…] [--schema-only] [--filter <regex>] [--model <ref>] [--baseline <ref>] [--allow-outside] [--max-image-pixels <n>] [--quiet] [--debug]';

export async function validateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    'schema-only': { type: 'boolean' },
    filter: { type: 'string' },
    model: { type: 'string' },
    baseline: { type: 'string' },
    'allow-outside': { type: 'boolean' },
    'max-image-pixels': { type: 'string' },
    quiet: { type: 'boolean' },
  }, VALIDATE_USAGE);
  const paths = specPaths(positionals, VALIDATE_USAGE);
  const opts = planOptions(values, VALIDATE_USAGE);
  // The same path policy as `run`, so a spec that validates also loads when run with the same flag.
  const limits = limitOptions({ 'allow-outside': values['allow-outside'], 'max-image-pixels': values['max-image-pixels'] }, VALIDATE_USAGE);
  applyImageLimits(limits);
  try {
    const v = await validateSpecs(paths, { ...opts, schemaOnly: values['schema-only'], limits });
    if (!values.quiet) {
      const entries = v.plan.reduce((s, p) => s + p.entries.length, 0);
      const checks = v.plan.reduce((s, p) => s + p.entries.reduce((t, e) => t + e.checks.length, 0), 0);
      const how = v.modelsChecked ? 'layers, units and positions checked against the models' : 'schema and files only (--schema-only)';
      console.log(`ok: ${v.specs.length} spec file${v.specs.length === 1 ? '' : 's'}, ${entries} entries, ${checks} expectations; ${how}`);
    }
    return EXIT.pass;
  } catch (e) {
    if (e instanceof SpecError) return printSpecError(e);
    throw e;
  }
}
