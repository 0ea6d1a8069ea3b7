// One `neurogate run` of a spec in a fresh process, for the datasets bench: prints the run's wall
// seconds, the entry's own seconds (decoding included, process start and model load not) and the
// process's peak RSS as one JSON line. A second spec, when given, runs first in the same process:
// a warm-up that builds the sessions the timed run then shares, as a reference timed after its own
// warm-up call does.
import { runSpecs } from '../src/run/index.ts';
import { DEFAULT_LIMITS } from '../src/probe/limits.ts';

const [spec, warmUp] = process.argv.slice(2);
const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const failed = (r: Awaited<ReturnType<typeof runSpecs>>['report']) => r.suites.flatMap((s) => s.entries).find((x) => x.error);
if (warmUp) {
  const bad = failed((await runSpecs({ paths: [warmUp], limits })).report);
  if (bad) throw new Error(`warm-up ${bad.error!.code}: ${bad.error!.message}`);
}
const t0 = performance.now();
const { report } = await runSpecs({ paths: [spec], limits });
const seconds = (performance.now() - t0) / 1000;
const bad = failed(report);
if (bad) throw new Error(`${bad.error!.code}: ${bad.error!.message}`);
const e = report.suites[0].entries[0];
console.log(JSON.stringify({ seconds, entrySeconds: e.durationMs / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
