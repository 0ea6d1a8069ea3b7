// Measuring helpers for `npm run bench`: repeated timings summarised as min/median/max, and
// ratios against a reference measured in the same run (never against a stored number).
import os from 'node:os';

export interface Figure {
  /** What was measured, e.g. `forward zoo:inception_v3 engine cpu`. */
  name: string;
  unit: string;
  min: number;
  median: number;
  max: number;
  repeats: number;
}

export interface Ratio {
  name: string;
  /** value = subject / reference, oriented so that > 1 means "subject is better" unless `lowerIsBetter`. */
  value: number;
  subject: string;
  reference: string;
  target?: string;
  met?: boolean;
}

export interface Section {
  title: string;
  figures: Figure[];
  ratios: Ratio[];
  notes?: string[];
}

/** Time `fn` `repeats` times after `warmup` runs; returns seconds per call. */
export async function timeIt(fn: () => Promise<unknown> | unknown, repeats = 5, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return out;
}

export function summarize(name: string, unit: string, samples: number[]): Figure {
  const s = [...samples].sort((a, b) => a - b);
  return { name, unit, min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1], repeats: s.length };
}

/** Throughput figure (items/s) from per-call seconds for `items` items per call. */
export function throughput(name: string, secondsPerCall: number[], items: number): Figure {
  return summarize(name, 'items/s', secondsPerCall.map((t) => items / t));
}

export function ratio(name: string, subject: Figure, reference: Figure, target?: { min?: number; max?: number; text: string }): Ratio {
  const value = subject.median / reference.median;
  const met = target ? (target.min === undefined || value >= target.min) && (target.max === undefined || value <= target.max) : undefined;
  return { name, value, subject: subject.name, reference: reference.name, target: target?.text, met };
}

/** Rates (`…/s`) are better higher; times, memory and differences are better lower. */
export function lowerIsBetter(unit: string): boolean {
  return !unit.endsWith('/s');
}

export function machine() {
  return {
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
  };
}
