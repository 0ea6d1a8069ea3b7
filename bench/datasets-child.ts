// One `neurogate run` of a spec in a fresh process, for the datasets bench: prints the entry's
// wall seconds, the entry's own seconds (decoding included, process start and model load not) and the process's peak RSS as one JSON line.
import { runSpecs } from '../src/run/index.ts';
import { DEFAULT_LIMITS } from '../src/probe/limits.ts';

const spec = process.argv[2];
const t0 = performance.now();
const { report } = await runSpecs({ paths: [spec], limits: { ...DEFAULT_LIMITS, allowOutside: true } });
const seconds = (performance.now() - t0) / 1000;
const e = report.suites[0].entries[0];
if (e.error) throw new Error(`${e.error.code}: ${e.error.message}`);
console.log(JSON.stringify({ seconds, entrySeconds: e.durationMs / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
