// `neurogate audit [specs…]`: mutation-tests the specs — every suite runs on its model and on
// broken (harmful) and function-preserving (equivalent) copies of it — and reports which checks
// catch what. Exit 1 when a check survives every mutant, fails on an equivalent one, fails on the
// original, or a suite scores below --min-score.
import path from 'node:path';
import { badInput } from '../errors.ts';
import { readGuardedText } from '../io/guarded-fs.ts';
import { writeInside } from '../report/index.ts';
import { openGoldenStore } from '../golden/index.ts';
import { OPERATORS, mutantsFor } from '../audit/mutants/index.ts';
import { auditExitCode, auditJson, auditMatrix, mergeAudits, auditSpecs, failingOriginal, fragile, surviving, type AuditMatrix, type SuiteAudit } from '../audit/run.ts';
import { parseShard } from '../run/shard.ts';
import { auditHtml } from '../audit/html.ts';
import { SpecError } from '../suite/issues.ts';
import { parse } from './args.ts';
import { limitOptions, planOptions, printSpecError, specPaths } from './run.ts';
import { applyImageLimits } from '../probe/limits.ts';

export const AUDIT_USAGE = 'neurogate audit [files|dirs…] [--list] [--mutants <id,operator,harmful,equivalent,…>] [--min-score <0..1>] [--shard i/n] [--filter <regex>] [--device auto|cpu|webgpu|cuda] [--seed <n>] [--model <ref>] [--report-dir <dir>] [--json] [--quiet]';

const OPTIONS = {
  list: { type: 'boolean' },
  mutants: { type: 'string' },
  'min-score': { type: 'string' },
  shard: { type: 'string' },
  filter: { type: 'string' },
  device: { type: 'string' },
  seed: { type: 'string' },
  model: { type: 'string' },
  'allow-outside': { type: 'boolean' },
  timeout: { type: 'string' },
  'report-dir': { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

/** `--list`: every operator with its documentation and the ids of its generic mutants. */
export function listOperators(): string {
  const generic = mutantsFor({ seed: 0, targets: [{ entry: '<entry>', layer: '', tensor: '', units: [] }], protectedTensors: new Set(), batch: 16 });
  return OPERATORS.map((op) => {
    const ids = generic.filter((m) => m.operator === op.name).map((m) => m.id);
    return `${op.name} (${op.kind}): ${ids.join(', ')}\n    ${op.doc}`;
  }).join('\n');
}

export async function auditCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, AUDIT_USAGE);
  if (values.list) {
    console.log(listOperators());
    return 0;
  }
  const paths = specPaths(positionals, AUDIT_USAGE);
  const opts = planOptions(values, AUDIT_USAGE);
  const limits = limitOptions(values, AUDIT_USAGE);
  applyImageLimits(limits);
  let minScore = 0;
  if (values['min-score'] !== undefined) {
    minScore = Number(values['min-score']);
    if (values['min-score'].trim() === '' || !(minScore >= 0 && minScore <= 1)) throw badInput('E_ARGS', `--min-score must be a number in [0, 1], got "${values['min-score']}"`, undefined, `usage: ${AUDIT_USAGE}`);
  }
  const mutants = values.mutants?.split(',').map((s) => s.trim()).filter(Boolean);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard, AUDIT_USAGE);
  const reportDir = values['report-dir'] ?? 'reports';
  const quiet = values.quiet === true;
  try {
    const audit = await auditSpecs({
      paths, ...opts, mutants, limits, shard,
      golden: { store: openGoldenStore({ root: 'golden', outDir: path.join(reportDir, 'audit-golden') }), mode: 'compare' },
      onMutant: quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
    if (mutants && !shard && audit.suites.every((s) => s.mutants.length === 0)) {
      throw badInput('E_ARGS', `--mutants ${values.mutants} selects no mutant`, undefined, 'see `neurogate audit --list` for operator names and mutant ids');
    }
    const code = writeAudit(auditMatrix(audit, shard), { dir: reportDir, minScore, html: !values.json, quiet, seconds: audit.durationMs / 1000 });
    return code;
  } catch (e) {
    if (e instanceof SpecError) return printSpecError(e);
    throw e;
  }
}

/**
 * Writes audit.json (the published shape), audit-matrix.json (everything, for merge-reports) and
 * unless told otherwise audit.html; prints the summary; returns the exit code.
 */
export function writeAudit(m: AuditMatrix, o: { dir: string; minScore?: number; html?: boolean; quiet?: boolean; seconds?: number }): number {
  const code = auditExitCode(m, o.minScore ?? 0);
  const written = [
    writeInside(o.dir, 'audit.json', `${JSON.stringify(auditJson(m), null, 2)}\n`, 'audit report'),
    writeInside(o.dir, 'audit-matrix.json', `${JSON.stringify(m)}\n`, 'audit matrix'),
  ];
  if (o.html !== false) written.push(writeInside(o.dir, 'audit.html', auditHtml(m, code), 'audit report'));
  console.log(formatAudit(m, o.minScore ?? 0, code, o.seconds));
  if (!o.quiet) console.log(`wrote ${written.join(', ')}`);
  return code;
}

/** The console summary: per suite its score, then each surviving, fragile and failing check. */
export function formatAudit(a: { suites: readonly SuiteAudit[]; shard?: { index: number; total: number } }, minScore: number, code: number, seconds?: number): string {
  const lines: string[] = [];
  for (const s of a.suites) {
    const ran = s.mutants.filter((m) => !m.skipped);
    const score = s.score === null ? 'n/a' : `${(s.score * 100).toFixed(0)}%`;
    lines.push(`${s.suite}: mutation score ${score} (${ran.filter((m) => m.kind === 'harmful' && m.kills.length).length}/${ran.filter((m) => m.kind === 'harmful').length} harmful killed, ${ran.filter((m) => m.kind === 'equivalent').length} equivalent, ${s.mutants.length - ran.length} did not apply)${s.score !== null && s.score < minScore ? ` — below --min-score ${minScore}` : ''}`);
    for (const c of surviving(s)) lines.push(`  SURVIVING ${c.entry} · ${c.metric} (${c.where}): no mutant makes it fail`);
    for (const c of fragile(s)) lines.push(`  FRAGILE   ${c.entry} · ${c.metric} (${c.where}): fails on equivalent ${c.equivalentKills.join(', ')}`);
    for (const c of failingOriginal(s)) lines.push(`  FAILING   ${c.entry} · ${c.metric} (${c.where}): fails on the original model`);
  }
  lines.push(`${code === 0 ? 'PASS' : 'FAIL'}  audit of ${a.suites.length} suite${a.suites.length === 1 ? '' : 's'}${a.shard ? ` (shard ${a.shard.index}/${a.shard.total}: merge the shards for the verdict)` : ''}${seconds === undefined ? '' : ` in ${seconds.toFixed(1)} s`}`);
  return lines.join('\n');
}

/** merge-reports on the audit-matrix.json files of audit shards: one audit, its reports and exit code. */
export function mergeAuditFiles(files: readonly string[], o: { dir: string; html?: boolean; quiet?: boolean }): number {
  const parts = files.map((f) => {
    let m: AuditMatrix;
    try {
      m = JSON.parse(readGuardedText(f, { what: 'audit matrix', code: 'MERGE_REPORT', maxBytes: 256 * 2 ** 20, missingHint: 'pass the audit-matrix.json files the audit shards wrote' })) as AuditMatrix;
    } catch (e) {
      throw badInput('E_MERGE_REPORT', `not a readable audit matrix: ${(e as Error).message}`, f, 'pass the audit-matrix.json files the audit shards wrote');
    }
    if (m?.kind !== 'neurogate-audit-matrix' || m.version !== 1 || !Array.isArray(m.suites)) throw badInput('E_MERGE_REPORT', 'not an audit matrix of this neurogate', f, 'pass the audit-matrix.json files the audit shards wrote');
    return m;
  });
  const target = path.resolve(o.dir, 'audit-matrix.json');
  if (files.some((f) => path.resolve(f) === target)) throw badInput('E_ARGS', `the merged audit would overwrite its input ${target}`, undefined, 'write it elsewhere with --report-dir');
  return writeAudit(mergeAudits(parts), o);
}
