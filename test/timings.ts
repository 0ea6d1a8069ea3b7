// How long each test file took, so test/run.ts can start the longest first. Two sources: the
// figures committed in test/timings.json (what CI, with no history, orders by) and the times of
// this checkout's own last runs in .cache/test-times.json (git-ignored), which win where present.
import fs from 'node:fs';
import path from 'node:path';

/** A file neither source knows (a new test) sorts among the mid-sized ones. */
const UNKNOWN_S = 5;
const LOCAL = path.join('.cache', 'test-times.json');

function readTimes(file: string): Record<string, number> {
  try {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
    // Only finite, non-negative seconds: an edited or truncated file orders nothing wrongly, it just orders less.
    return Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) as Record<string, number>;
  } catch {
    return {};
  }
}

/** Seconds expected for a test file (its path relative to the repository, with `/`). */
export function loadTimings(repoRoot: string): (rel: string) => number {
  const committed = readTimes(path.join(repoRoot, 'test', 'timings.json'));
  const local = readTimes(path.join(repoRoot, LOCAL));
  return (rel) => local[rel] ?? committed[rel] ?? UNKNOWN_S;
}

/** Records this run's times beside the earlier ones (a filtered run updates only its files); never fails the run. */
export function saveTimings(repoRoot: string, measured: readonly { file: string; seconds: number }[]): void {
  if (measured.length === 0) return;
  const file = path.join(repoRoot, LOCAL);
  try {
    const times = { ...readTimes(file) };
    for (const m of measured) times[m.file] = Math.round(m.seconds * 10) / 10;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(times, Object.keys(times).sort(), 1)}\n`);
    fs.renameSync(tmp, file);
  } catch {
    // A read-only checkout still runs its tests; it only loses the ordering hint.
  }
}
