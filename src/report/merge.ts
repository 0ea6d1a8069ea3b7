// Combining the JSON reports of a sharded run (`neurogate run --shard i/n`) into the report one
// process would have written: suites and entries back in plan order, summary and exit code
// recomputed. Refuses, with the reason, any set of reports that is not exactly one whole plan.
import { z } from 'zod';
import { badInput } from '../errors.ts';
import { mergeParts, type FoundPart } from './merge-parts.ts';
import { REPORT_SCHEMA_VERSION, type EntryResult, type RunReport, type ShardInfo, type SuiteResult, type Summary } from './model.ts';

/** A shard's report and the file it came from (named in every refusal). */
export interface ShardReport {
  file: string;
  report: RunReport & { shard: ShardInfo; planHash: string };
}

const RERUN = 'rerun every shard from the same commit with the same options (`neurogate run --shard i/n`), then merge their reports';

/** The most shards a run may be split into (as `run --shard i/n` allows). */
const MAX_SHARDS = 1000;

// What merging relies on; everything else in a report passes through untouched.
const ModelRefSchema = z.looseObject({ ref: z.string(), hash: z.string() });
const EntrySchema = z.looseObject({
  id: z.string(),
  where: z.string(),
  durationMs: z.number(),
  params: z.record(z.string(), z.unknown()),
  checks: z.array(z.looseObject({ metric: z.string(), passed: z.boolean() })),
  measurements: z.record(z.string(), z.unknown()),
  artifacts: z.array(z.unknown()),
  error: z.looseObject({ code: z.string(), message: z.string() }).optional(),
  part: z.looseObject({
    index: z.int().min(1).max(MAX_SHARDS),
    parts: z.int().min(1).max(MAX_SHARDS),
    from: z.int().min(0),
    to: z.int().min(0),
    of: z.int().min(1),
    cases: z.array(z.string()),
    states: z.record(z.string(), z.looseObject({ count: z.number(), sum: z.number() })),
    checks: z.array(z.looseObject({ metric: z.string(), expectation: z.record(z.string(), z.unknown()), where: z.string() })),
  }).optional(),
});
const SuiteSchema = z.looseObject({ file: z.string(), suite: z.string(), model: ModelRefSchema, baseline: ModelRefSchema.optional(), entries: z.array(EntrySchema) });
const ShardSchema = z.looseObject({
  // Bounded as `--shard` is: a forged total of 1e9 must not become a billion-element list below.
  index: z.int().min(1).max(MAX_SHARDS),
  total: z.int().min(1).max(MAX_SHARDS),
  estimatedMs: z.number(),
  planEstimatedMs: z.number(),
  plan: z.array(z.looseObject({ file: z.string(), suite: z.string(), entries: z.array(z.string()) })),
});
const ReportSchema = z.looseObject({
  tool: z.looseObject({ name: z.literal('neurogate'), version: z.string() }),
  startedAt: z.string(),
  durationMs: z.number(),
  environment: z.looseObject({}),
  seed: z.number(),
  device: z.looseObject({ requested: z.string(), used: z.string(), reason: z.string() }),
  options: z.record(z.string(), z.unknown()),
  suites: z.array(SuiteSchema),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  planHash: z.string().optional(),
  shard: ShardSchema.optional(),
});

/** One shard report from its JSON text: malformed JSON, another schema version, or a report that is not a shard's are refused. */
export function parseShardReport(text: string, file: string): ShardReport {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw badInput('E_MERGE_JSON', `not valid JSON: ${(e as Error).message}`, file, 'pass the neurogate-report.json files that `neurogate run --shard i/n` wrote');
  }
  const version = typeof v === 'object' && v !== null ? (v as Record<string, unknown>).schemaVersion : undefined;
  if (version !== REPORT_SCHEMA_VERSION) {
    throw badInput('E_MERGE_REPORT', `not a neurogate report of schema version ${REPORT_SCHEMA_VERSION} (schemaVersion: ${JSON.stringify(version)})`, file, 'merge reports written by this version of neurogate');
  }
  const parsed = ReportSchema.safeParse(v);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badInput('E_MERGE_REPORT', `not a well-formed neurogate report: ${issue.path.join('.') || '(top)'}: ${issue.message}`, file, 'the file may be truncated or edited; rerun the shard');
  }
  const r = v as RunReport;
  if (!r.shard || r.planHash === undefined) {
    throw badInput('E_MERGE_NOT_SHARD', 'this report is not a shard\'s: it has no shard id and plan hash', file, 'run each part with `neurogate run --shard i/n` and merge those reports');
  }
  if (r.shard.index > r.shard.total) throw badInput('E_MERGE_REPORT', `shard ${r.shard.index}/${r.shard.total} is out of range`, file, RERUN);
  return { file, report: r as ShardReport['report'] };
}

const label = (s: ShardReport) => `${s.file} (shard ${s.report.shard.index}/${s.report.shard.total})`;

/** The checks every set of shard reports must pass before merging: one plan, each shard exactly once. */
function checkComplete(shards: readonly ShardReport[]): void {
  if (shards.length === 0) throw badInput('E_MERGE_NONE', 'no shard reports to merge', undefined, 'give the report files or a directory holding them');
  const hashes = [...new Set(shards.map((s) => s.report.planHash))];
  if (hashes.length > 1) {
    const lines = hashes.map((h) => `plan ${h}: ${shards.filter((s) => s.report.planHash === h).map(label).join(', ')}`);
    throw badInput('E_MERGE_PLAN', `the shards come from different plans (the specs, options or neurogate version changed between shard runs) — ${lines.join('; ')}`, undefined, RERUN);
  }
  const totals = [...new Set(shards.map((s) => s.report.shard.total))];
  if (totals.length > 1) {
    throw badInput('E_MERGE_TOTAL', `the shards were cut into different numbers of parts: ${shards.map(label).join(', ')}`, undefined, 'run every shard with the same n in --shard i/n');
  }
  const total = totals[0];
  const seen = new Map<number, ShardReport>();
  for (const s of shards) {
    const prev = seen.get(s.report.shard.index);
    if (prev) {
      throw badInput('E_MERGE_DUPLICATE', `shard ${s.report.shard.index}/${total} is given twice: ${prev.file} and ${s.file}`, undefined, 'give each shard\'s report once');
    }
    seen.set(s.report.shard.index, s);
  }
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) {
    throw badInput('E_MERGE_MISSING', `missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${total}`).join(', ')} (have ${[...seen.keys()].sort((a, b) => a - b).map((i) => `${i}/${total}`).join(', ')})`, undefined,
      'a shard job may have failed before writing its report: rerun it, then merge all of them');
  }
  const manifest = JSON.stringify(shards[0].report.shard.plan);
  const other = shards.find((s) => JSON.stringify(s.report.shard.plan) !== manifest);
  if (other) throw badInput('E_MERGE_PLAN', `the plan listed in ${other.file} differs from the one in ${shards[0].file} although their plan hashes agree`, undefined, RERUN);
}

/** The merged report: what one process running the whole plan would have reported. */
export function mergeReports(input: readonly ShardReport[]): RunReport {
  checkComplete(input);
  const shards = [...input].sort((a, b) => a.report.shard.index - b.report.shard.index);
  const plan = shards[0].report.shard.plan;
  const suiteKey = (file: string, suite: string) => `${file}\u0000${suite}`;
  const planned = new Map(plan.map((p) => [suiteKey(p.file, p.suite), new Set(p.entries)]));

  // Where each entry was run, refusing entries the plan lacks and entries run twice; the parts of
  // an entry split by images gathered, then merged into the entry one machine would have reported.
  const found = new Map<string, { entry: EntryResult; piece: SuiteResult; shard: ShardReport }>();
  const parts = new Map<string, { piece: SuiteResult; shard: ShardReport; found: FoundPart[] }>();
  for (const s of shards) {
    for (const piece of s.report.suites) {
      const key = suiteKey(piece.file.split('\\').join('/'), piece.suite);
      for (const entry of piece.entries) {
        if (!planned.get(key)?.has(entry.id)) {
          throw badInput('E_MERGE_ENTRIES', `${piece.suite}/${entry.id} is not in the plan the shards were cut from`, s.file, RERUN);
        }
        if (entry.part) {
          const k = `${key}\u0000${entry.id}`;
          if (found.has(k)) throw badInput('E_MERGE_ENTRIES', `${piece.suite}/${entry.id} was run whole by ${label(found.get(k)!.shard)} and in parts by ${label(s)}`, undefined, RERUN);
          const g = parts.get(k) ?? parts.set(k, { piece, shard: s, found: [] }).get(k)!;
          g.found.push({ entry: entry as FoundPart['entry'], file: s.file });
          continue;
        }
        const prev = found.get(`${key}\u0000${entry.id}`);
        if (prev) throw badInput('E_MERGE_ENTRIES', `${piece.suite}/${entry.id} was run by two shards: ${label(prev.shard)} and ${label(s)}`, undefined, RERUN);
        found.set(`${key}\u0000${entry.id}`, { entry, piece, shard: s });
      }
    }
  }
  for (const [k, g] of parts) {
    if (found.has(k)) throw badInput('E_MERGE_ENTRIES', `${g.piece.suite}/${g.found[0].entry.id} was run in parts and whole by ${label(found.get(k)!.shard)}`, undefined, RERUN);
    found.set(k, { entry: mergeParts(`${g.piece.suite}/${g.found[0].entry.id}`, g.found), piece: g.piece, shard: g.shard });
  }
  const absent = plan.flatMap((p) => p.entries.filter((id) => !found.has(`${suiteKey(p.file, p.suite)}\u0000${id}`)).map((id) => `${p.suite}/${id}`));
  if (absent.length) {
    throw badInput('E_MERGE_ENTRIES', `${absent.length} planned entr${absent.length === 1 ? 'y is' : 'ies are'} in no shard report: ${absent.slice(0, 5).join(', ')}${absent.length > 5 ? ', …' : ''}`, undefined,
      'the shards were cut differently (different model files or neurogate versions on the machines?); ' + RERUN);
  }
  checkSameModels([...found.values()]);

  const suites: SuiteResult[] = plan.map((p) => {
    const hits = p.entries.map((id) => found.get(`${suiteKey(p.file, p.suite)}\u0000${id}`)!);
    // As one run reports it: the suite's model as its first entry ran it, the first baseline seen.
    const head = hits[0].piece;
    const withBaseline = hits.find((h) => h.piece.baseline)?.piece.baseline;
    return { file: head.file, suite: p.suite, model: head.model, ...(withBaseline && { baseline: withBaseline }), entries: hits.map((h) => h.entry) };
  });
  const summary = summaryOf(suites);
  // A report keeps no internal-vs-bad-input flag per entry error; each shard's exit code did see
  // it, and one run's code is the worst over its entries, so the worst shard code completes it.
  // A shard's failed check (1) is not carried over: a part of a split entry may fail a check that
  // the merged values pass (and the other way round), and every check was judged again above.
  const recomputed = summary.errors > 0 ? 2 : summary.failed > 0 ? 1 : 0;
  const exitCode = Math.max(recomputed, ...shards.map((s) => s.report.exitCode).filter((c) => c >= 2)) as RunReport['exitCode'];

  const first = shards[0].report;
  const ran = shards.filter((s) => s.report.suites.length > 0).map((s) => s.report);
  const union = (parts: string[], sep: string) => [...new Set(parts.flatMap((p) => p.split(sep)).filter(Boolean))].join(sep);
  const starts = shards.map((s) => Date.parse(s.report.startedAt));
  const ends = shards.map((s, i) => starts[i] + s.report.durationMs);
  const valid = starts.every(Number.isFinite) && ends.every(Number.isFinite);
  const { shard: _shardOption, ...options } = first.options;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: first.tool,
    startedAt: valid ? new Date(Math.min(...starts)).toISOString() : first.startedAt,
    durationMs: valid ? Math.max(...ends) - Math.min(...starts) : Math.max(...shards.map((s) => s.report.durationMs)),
    environment: first.environment,
    seed: first.seed,
    device: ran.length === 0 ? first.device : {
      requested: union(ran.map((r) => r.device.requested), ','),
      used: union(ran.map((r) => r.device.used), ','),
      reason: union(ran.map((r) => r.device.reason), '; '),
    },
    options: { ...options, shards: shards.length },
    suites,
    summary,
    exitCode,
    planHash: first.planHash,
  };
}

/** The counts of a report, from its suites (the same rules `run` applies). */
export function summaryOf(suites: readonly SuiteResult[]): Summary {
  const all = suites.flatMap((s) => s.entries);
  const checks = all.flatMap((e) => e.checks);
  return {
    suites: suites.length,
    entries: all.length,
    checks: checks.length,
    passed: checks.filter((c) => c.passed).length,
    failed: checks.filter((c) => !c.passed).length,
    errors: all.filter((e) => e.error).length,
  };
}

/** Every shard must have run the same model files: each model reference of a suite has one content hash. */
function checkSameModels(found: { entry: EntryResult; piece: SuiteResult; shard: ShardReport }[]): void {
  const hashes = new Map<string, { hash: string; shard: ShardReport }>();
  for (const { entry, piece, shard } of found) {
    const pairs: [unknown, unknown][] = [[entry.params.model, entry.params.modelHash], [entry.params.baseline, entry.params.baselineHash]];
    for (const [ref, hash] of pairs) {
      if (typeof ref !== 'string' || typeof hash !== 'string') continue;
      const key = `${piece.file}\u0000${ref}`;
      const prev = hashes.get(key);
      if (!prev) hashes.set(key, { hash, shard });
      else if (prev.hash !== hash) {
        throw badInput('E_MERGE_MODEL', `suite ${piece.suite}: model ${ref} has content hash ${prev.hash} in ${label(prev.shard)} but ${hash} in ${label(shard)}`, undefined,
          'the shard machines had different model files; give every shard the same models');
      }
    }
  }
}
