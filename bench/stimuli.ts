// Benchmark of the stimulus renderers: a full curve tuning sweep (72 orientations × 3 radii) at
// 224², rendered into fresh images and into one reused buffer. `npm run bench` calls benchStimuli.
import { expandSweep, renderStimulus, renderStimulusInto } from '../src/stimuli/index.ts';

export interface StimuliBench {
  /** Stimuli per round (72 × 3). */
  stimuli: number;
  size: number;
  rounds: number;
  /** Best round, wall clock: renderStimulus (a new image per stimulus). */
  stimuliPerSecond: number;
  /** Best round, wall clock: renderStimulusInto one reused buffer (what a batching probe does). */
  stimuliPerSecondReused: number;
  /** Same runs measured in process CPU time (user + system): robust to other load on the machine. */
  cpuStimuliPerSecond: number;
  cpuStimuliPerSecondReused: number;
}

function measure(rounds: number, round: () => void): { wall: number; cpu: number } {
  round(); // warm-up: JIT
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    round();
    wall = Math.min(wall, (performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  return { wall, cpu };
}

export function benchStimuli(opts: { size?: number; rounds?: number } = {}): StimuliBench {
  const size = opts.size ?? 224;
  const rounds = opts.rounds ?? 5;
  const { items } = expandSweep({ kind: 'curve', width: 5 }, { orientation: { from: 0, to: 360, step: 5 }, radius: [20, 35, 50] });
  const o = { width: size, height: size };
  const fresh = measure(rounds, () => {
    for (const it of items) renderStimulus(it.stimulus, o);
  });
  const buf = { width: size, height: size, data: new Float32Array(size * size * 3) };
  const reused = measure(rounds, () => {
    for (const it of items) renderStimulusInto(buf, it.stimulus);
  });
  const n = items.length;
  return {
    stimuli: n,
    size,
    rounds,
    stimuliPerSecond: n / fresh.wall,
    stimuliPerSecondReused: n / reused.wall,
    cpuStimuliPerSecond: n / fresh.cpu,
    cpuStimuliPerSecondReused: n / reused.cpu,
  };
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const r = benchStimuli();
  console.log(`stimuli: ${r.stimuli} curves at ${r.size}², best of ${r.rounds} rounds`);
  console.log(`  new image each:  ${r.stimuliPerSecond.toFixed(0)} stimuli/s wall, ${r.cpuStimuliPerSecond.toFixed(0)} per CPU-second`);
  console.log(`  reused buffer:   ${r.stimuliPerSecondReused.toFixed(0)} stimuli/s wall, ${r.cpuStimuliPerSecondReused.toFixed(0)} per CPU-second`);
}
