// Benchmark of `neurogate audit`: one run of a shipped suite vs its audit with N mutants (the
// original run included). Issue #17's target: audit ≤ 1.3 × N × one run — a mutant may cost no
// more than a run of the suite, whatever the cloning of weights and the fresh sessions add, and
// the original's run (and the baseline model's cached activations) count in the audit's favour.
import path from 'node:path';
import { auditSpecs } from '../src/audit/run.ts';
import { runSpecs } from '../src/run/index.ts';
import { summarize, timeIt, type Section } from './lib.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export interface AuditBenchOptions {
  spec?: string;
  mutants?: string[];
  repeats?: number;
}

export const BENCH_MUTANTS = ['noise-1%', 'noise-5%', 'noise-20%', 'prune-30%', 'int8-tensor', 'preprocess-bgr', 'swap-classes', 'reexport'];

export async function benchAudit(o: AuditBenchOptions = {}): Promise<Section> {
  const spec = path.join(root, o.spec ?? 'specs/mobilenet_v2.yaml');
  const mutants = o.mutants ?? BENCH_MUTANTS;
  const repeats = Math.max(1, o.repeats ?? 3);
  const one = summarize('one run of the suite', 's', await timeIt(() => runSpecs({ paths: [spec] }), repeats, 1));
  let ran = 0;
  const audit = summarize(`audit with ${mutants.length} mutants`, 's', await timeIt(async () => {
    const a = await auditSpecs({ paths: [spec], mutants });
    ran = a.suites[0].mutants.filter((m) => !m.skipped).length;
  }, 1, 0));
  const n = ran || mutants.length;
  const value = audit.median / (n * one.median);
  return {
    title: `Audit of ${path.relative(root, spec)}: ${n} mutants vs one run of the suite`,
    figures: [one, audit, { ...audit, name: 'audit per mutant', min: audit.min / n, median: audit.median / n, max: audit.max / n }],
    ratios: [{ name: `audit ÷ (${n} × one run)`, value, subject: audit.name, reference: one.name, target: '≤ 1.3', met: value <= 1.3 }],
    notes: [`mutants: ${mutants.join(', ')}; the audit includes the run on the original model`],
  };
}
