// Benchmark of `neurogate audit`: one `neurogate run` of a shipped suite vs `neurogate audit` of it
// with N mutants (the original run included), each as the process CI would start. Issue #17's
// target: audit ≤ 1.3 × N × one run — what N separate runs on N edited model files would cost,
// since that is what the audit replaces (model load and sessions included on both sides).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-bench-audit-'));
  const neurogate = (...args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'neurogate.js'), ...args, '--json', '--quiet'], { cwd: root, stdio: 'ignore' });
    if (r.status !== 0 && r.status !== 1) throw new Error(`neurogate ${args[0]} exited ${r.status}`);
  };
  const one = summarize('neurogate run of the suite', 's', await timeIt(() => neurogate('run', spec, '--report-dir', path.join(tmp, 'run')), repeats, 1));
  const audit = summarize(`neurogate audit with ${mutants.length} mutants`, 's', await timeIt(() => neurogate('audit', spec, '--mutants', mutants.join(','), '--report-dir', path.join(tmp, 'audit')), 1, 0));
  const matrix = JSON.parse(fs.readFileSync(path.join(tmp, 'audit', 'audit-matrix.json'), 'utf8')) as { suites: { mutants: { skipped?: string }[] }[] };
  const ran = matrix.suites[0].mutants.filter((m) => !m.skipped).length;
  const n = ran || mutants.length;
  const value = audit.median / (n * one.median);
  return {
    title: `Audit of ${path.relative(root, spec)}: ${n} mutants vs one run of the suite`,
    figures: [one, audit, { ...audit, name: 'audit per mutant', min: audit.min / n, median: audit.median / n, max: audit.max / n }],
    ratios: [{ name: `audit ÷ (${n} × one run)`, value, subject: audit.name, reference: one.name, target: '≤ 1.3', met: value <= 1.3 }],
    notes: [`mutants: ${mutants.join(', ')}; the audit includes the run on the original model; both timed as processes, as CI starts them`],
  };
}
