// Planning a run, before any forward pass: which entries run (filter), with which model, device,
// seed and checks (suite defaults, entry overrides, command-line overrides), and whether every
// expectation names a metric its probe produces. Errors carry the spec's file:line:col.
import type { Device } from '../engine/session.ts';
import { badInput } from '../errors.ts';
import type { ExpectationSpec } from '../check/forms.ts';
import { SpecError, didYouMean, type SpecIssue } from '../suite/issues.ts';
import { entryKind } from '../kinds/index.ts';
import { DEFAULT_BATCH } from '../probe/forward.ts';
import { entriesOf, type LoadedSpec, type SpecEntry } from '../kinds/load.ts';
import type { Expectation } from '../suite/schema/expect.ts';
import type { PathSegment } from '../suite/yaml.ts';
import { filesFrom, type PreprocessOverride } from '../models/preprocess.ts';
import type { ImagePart } from '../probe/kind.ts';

export interface PlanOptions {
  /** Matched against `suite/id`. */
  filter?: RegExp;
  /** --device: replaces every device of the specs. */
  device?: Device;
  /** --seed: replaces every seed of the specs. */
  seed?: number;
  /** --model: replaces every model of the specs (resolved from the working directory). */
  model?: string;
  /** --baseline: replaces the suites' baselines (resolved from the working directory). */
  baseline?: string;
}

/** A model reference and where relative paths in it resolve from. */
export interface ModelChoice {
  ref: string;
  baseDir: string;
  /** The spec path of the reference (for messages), absent for command-line overrides. */
  path?: PathSegment[];
  /** The suite's `preprocess:` block with the entry's keys over it, and the spec path of each key ('' = the block). */
  preprocess?: { spec: PreprocessOverride; paths: Record<string, PathSegment[]> };
}

export interface PlannedCheck {
  metric: string;
  expectation: ExpectationSpec;
  where: string;
}

export interface PlannedEntry {
  spec: LoadedSpec;
  at: SpecEntry;
  id: string;
  /** `file:line:col` of the entry. */
  where: string;
  probeKind: string;
  model: ModelChoice;
  baseline?: ModelChoice;
  device: Device;
  /** Spec path of the device setting, for messages when it cannot be used. */
  devicePath?: PathSegment[];
  batch: number;
  seed: number;
  repeat: number;
  checks: PlannedCheck[];
  /** Set by `--shard` on an entry split by images: the part this shard runs (src/run/shard.ts). */
  part?: ImagePart;
}

export interface PlannedSuite {
  spec: LoadedSpec;
  name: string;
  model?: ModelChoice;
  baseline?: ModelChoice;
  entries: PlannedEntry[];
}


export function planRun(specs: readonly LoadedSpec[], opts: PlanOptions = {}): PlannedSuite[] {
  const issues: SpecIssue[] = [];
  const suites: PlannedSuite[] = [];
  // suite/id names an entry's goldens and its place in reports, so it must be unique across files.
  const owners = new Map<string, LoadedSpec>();
  let total = 0;
  for (const spec of specs) {
    const { suite } = spec;
    const dir = spec.dir;
    const cwd = process.cwd();
    const suiteModel: ModelChoice | undefined = opts.model ? { ref: opts.model, baseDir: cwd } : suite.model ? { ref: suite.model, baseDir: dir, path: ['model'] } : undefined;
    const baseline: ModelChoice | undefined = opts.baseline ? { ref: opts.baseline, baseDir: cwd } : suite.baseline ? { ref: suite.baseline, baseDir: dir, path: ['baseline'] } : undefined;
    const entries: PlannedEntry[] = [];
    for (const at of entriesOf(suite)) {
      const e = at.entry;
      total++;
      const owner = owners.get(`${suite.suite}\0${e.id}`);
      if (owner !== undefined && owner !== spec) {
        issues.push(spec.issue([...at.path, 'id'], `entry "${suite.suite}/${e.id}" is also defined in ${owner.src.file}: the two would share one golden and one report id`,
          'rename the entry or the suite in one of the files'));
      }
      owners.set(`${suite.suite}\0${e.id}`, spec);
      if (opts.filter && !opts.filter.test(`${suite.suite}/${e.id}`)) continue;
      const preprocess = preprocessChoice(suite.preprocess, e.preprocess, at.path, dir);
      const model = { ...(opts.model ? suiteModel! : e.model ? { ref: e.model, baseDir: dir, path: [...at.path, 'model'] } : suiteModel!), ...(preprocess && { preprocess }) };
      const device: Device = opts.device ?? e.engine?.device ?? suite.engine?.device ?? 'auto';
      const devicePath = opts.device ? undefined : e.engine?.device ? [...at.path, 'engine', 'device'] : suite.engine?.device ? ['engine', 'device'] : undefined;
      const probe = entryKind(at.kind).probeOf(at.entry);
      const probeKind = probe.kind;
      const checks: PlannedCheck[] = [];
      for (const [metric, ex] of Object.entries(e.expect) as [string, Expectation][]) {
        const p = [...at.path, 'expect', metric];
        const own = entryKind(at.kind).ownMetrics?.(at.entry) ?? [];
        if (!probe.metrics.includes(metric) && !own.includes(metric)) {
          const guess = didYouMean(metric, probe.metrics);
          issues.push(spec.issue(p, `the ${probeKind} probe does not produce \`${metric}\``, guess ? `did you mean \`${guess}\`?` : `it produces: ${probe.metrics.join(', ')}`, true));
          continue;
        }
        checks.push({ metric, where: spec.where(p, true), expectation: withTolerances(ex, e, suite) });
      }
      entries.push({
        spec, at, id: e.id, where: spec.where(at.path), probeKind, model,
        baseline: (checks.some((c) => c.expectation.change) || entryKind(at.kind).needsBaseline) && baseline ? { ...baseline, ...(preprocess && { preprocess }) } : undefined,
        device, devicePath,
        batch: e.engine?.batch ?? suite.engine?.batch ?? DEFAULT_BATCH,
        seed: opts.seed ?? e.seed ?? suite.seed ?? 0,
        repeat: e.repeat ?? 1,
        checks,
      });
    }
    if (entries.length) suites.push({ spec, name: suite.suite, model: suiteModel, baseline, entries });
  }
  if (issues.length) throw new SpecError(issues);
  if (total > 0 && suites.length === 0 && opts.filter) {
    throw badInput('E_FILTER', `--filter ${opts.filter.source} matches none of the ${total} entries`, undefined, 'entries are matched as "suite/id"');
  }
  return suites;
}

/** `near` tolerances: the expectation's own, else the entry's, else the suite's, else 0. */
function withTolerances(ex: Expectation, e: { tol?: number; rtol?: number }, suite: { tol?: number; rtol?: number }): ExpectationSpec {
  if (ex.near === undefined) return ex;
  return { ...ex, tol: ex.tol ?? e.tol ?? suite.tol ?? 0, rtol: ex.rtol ?? e.rtol ?? suite.rtol ?? 0 };
}

/** An entry's `preprocess:` keys override the suite's one by one, as `engine:` keys do. */
function preprocessChoice(suite: PreprocessOverride | undefined, entry: PreprocessOverride | undefined, at: PathSegment[], dir: string): ModelChoice['preprocess'] {
  if (!suite && !entry) return undefined;
  const paths: Record<string, PathSegment[]> = { '': entry ? [...at, 'preprocess'] : ['preprocess'] };
  for (const k of Object.keys(suite ?? {})) paths[k] = ['preprocess', k];
  for (const k of Object.keys(entry ?? {})) paths[k] = [...at, 'preprocess', k];
  return { spec: filesFrom({ ...suite, ...entry }, dir), paths };
}
