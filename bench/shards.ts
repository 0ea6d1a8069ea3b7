// Benchmark of sharding on one machine: wall time of the shipped suites (`specs/`) as one
// `neurogate run` process vs two local shards + merge (scripts/shards-local.ts), pinned to their own
// cores and unpinned, and — inside one process — independent model groups run one after another vs
// concurrently. Rounds are interleaved so that load on the machine hits every configuration alike.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSpecs } from '../src/run/index.ts';
import { planRun } from '../src/run/plan.ts';
import { prepareRun } from '../src/run/prepare.ts';
import { executeRun } from '../src/run/execute.ts';
import { createActivationCache } from '../src/probe/cache.ts';
import { runShardsLocally } from '../scripts/shards-local.ts';
import { summarize, type Figure, type Ratio, type Section } from './lib.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export interface ShardsBenchOptions {
  /** Timed rounds per configuration (after one warm-up round). */
  repeats?: number;
  /** Spec files or folders (default: the shipped `specs/`). */
  specs?: string[];
  /** Also time independent groups run concurrently inside one process (default true). */
  inProcess?: boolean;
}

/** CPU seconds of this process and its waited-for children (Linux /proc), else undefined. */
function cpuSeconds(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    // Fields 14–17 of proc(5) (utime, stime, cutime, cstime), counted from `state` (field 3); ticks of 1/100 s.
    return (f[11] + f[12] + f[13] + f[14]) / 100;
  } catch {
    return undefined;
  }
}

/** Seconds the report's entries took, summed (each entry's durationMs; they may overlap in time). */
function entryTime(reportFile: string): number {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { suites: { entries: { durationMs: number }[] }[] };
  return report.suites.reduce((s, suite) => s + suite.entries.reduce((t, e) => t + e.durationMs, 0), 0) / 1000;
}

/** speedup = reference time / subject time: > 1 means the subject is faster. */
function speedup(name: string, subject: Figure, reference: Figure): Ratio {
  return { name, value: reference.median / subject.median, subject: subject.name, reference: reference.name };
}

export async function benchShards(o: ShardsBenchOptions = {}): Promise<Section> {
  const repeats = Math.max(1, o.repeats ?? 3);
  const specs = o.specs ?? ['specs'];
  const what = specs.join(' ');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-bench-shards-'));
  const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
  const configs: { name: string; run: () => Promise<void> }[] = [
    {
      name: `${what} as 1 process`,
      run: async () => {
        const r = spawnSync(process.execPath, [path.join(root, 'bin', 'neurogate.js'), 'run', ...specs, '--report-dir', path.join(tmp, 'one'), '--json', '--quiet'], { cwd: root, stdio: 'ignore' });
        if (r.status !== 0 && r.status !== 1) throw new Error(`neurogate run exited ${r.status}`);
      },
    },
    {
      name: `${what} as 2 local shards + merge, pinned to own cores`,
      run: async () => {
        const r = await runShardsLocally({ shards: 2, args: [...specs, '--report-dir', path.join(tmp, 'pinned'), '--json'], cwd: root, pin: true, log: quiet });
        if (r.exitCode > 1) throw new Error(`shards + merge exited ${r.exitCode}`);
      },
    },
    {
      name: `${what} as 2 local shards + merge, unpinned`,
      run: async () => {
        const r = await runShardsLocally({ shards: 2, args: [...specs, '--report-dir', path.join(tmp, 'unpinned'), '--json'], cwd: root, pin: false, log: quiet });
        if (r.exitCode > 1) throw new Error(`shards + merge exited ${r.exitCode}`);
      },
    },
  ];
  const seconds = configs.map(() => [] as number[]);
  const cpu = configs.map(() => [] as number[]);
  // Per round of the 1-process run, the sum of its entries' own times (each entry's probe and
  // checks, model work included) from the report it wrote: wall ÷ that sum says how much of the
  // run is entry work overlapped (< 1) or overhead around it (> 1) — startup, loading, reports.
  const entrySeconds: number[] = [];
  try {
    for (let r = -1; r < repeats; r++) {
      for (let i = 0; i < configs.length; i++) {
        const c0 = cpuSeconds();
        const t0 = performance.now();
        await configs[i].run();
        if (r < 0) continue;
        seconds[i].push((performance.now() - t0) / 1000);
        if (i === 0) entrySeconds.push(entryTime(path.join(tmp, 'one', 'neurogate-report.json')));
        const c1 = cpuSeconds();
        if (c0 !== undefined && c1 !== undefined) cpu[i].push(c1 - c0);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // Wall time is what CI waits for; CPU time (this process and its children) shows the work
  // sharding adds — process starts, models loaded twice — whatever else loads the machine.
  const figures = [
    ...configs.map((c, i) => summarize(c.name, 's', seconds[i])),
    ...(cpu[0].length ? configs.map((c, i) => summarize(`${c.name}: CPU time`, 'cpu s', cpu[i])) : []),
  ];
  const entries = summarize(`${what}: sum of its entries' own times (1 process, from its report)`, 's', entrySeconds);
  figures.push(entries);
  const wall = figures[0];
  const ratios: Ratio[] = [
    // Issue #22: the shipped suite in ≤ 90 s of wall time on an idle 2-core machine (1 process).
    { name: `${what} as 1 process: wall time (seconds, not a ratio)`, value: wall.median, subject: wall.name, reference: '90 s', target: '≤ 90 s', met: wall.median <= 90 },
    { name: `${what} as 1 process: wall ÷ sum of entry times`, value: wall.median / entries.median, subject: wall.name, reference: entries.name },
    speedup('speedup: 2 pinned shards vs 1 process', figures[1], figures[0]),
    speedup('speedup: 2 unpinned shards vs 1 process', figures[2], figures[0]),
  ];
  const notes = [`${os.availableParallelism?.() ?? os.cpus().length} cores; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`];
  if (o.inProcess ?? true) {
    const inner = await benchGroups(specs, repeats);
    figures.push(...inner.figures);
    ratios.push(speedup('speedup: groups concurrently vs one after another (1 process)', inner.figures[1], inner.figures[0]));
  }
  return { title: 'sharding the shipped suites on this machine', figures, ratios, notes };
}

/**
 * Inside one process, after model loading: each (model, device) group executed one after another
 * (what the runner does) vs all groups at once. Sessions are warm (a warm-up round creates them),
 * activation caches fresh, so both do the same forward passes.
 */
async function benchGroups(specs: string[], repeats: number): Promise<{ figures: Figure[] }> {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const prepared = await prepareRun(planRun(loadSpecs(specs)));
    const sequential = async () => {
      for (const s of prepared) await executeRun([s], { cache: createActivationCache() });
    };
    const concurrent = async () => {
      await Promise.all(prepared.map((s) => executeRun([s], { cache: createActivationCache() })));
    };
    const runs = [sequential, concurrent];
    const seconds = runs.map(() => [] as number[]);
    for (let r = -1; r < repeats; r++) {
      for (let i = 0; i < runs.length; i++) {
        const t0 = performance.now();
        await runs[i]();
        if (r >= 0) seconds[i].push((performance.now() - t0) / 1000);
      }
    }
    return {
      figures: [
        summarize(`${prepared.length} suites (model groups) one after another (1 process, warm sessions)`, 's', seconds[0]),
        summarize(`${prepared.length} suites (model groups) concurrently (1 process, warm sessions)`, 's', seconds[1]),
      ],
    };
  } finally {
    process.chdir(cwd);
  }
}
