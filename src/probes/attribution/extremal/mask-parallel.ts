// The smooth mask generator spread over worker threads: block rows of the forward pass and
// parameter rows of the adjoint are split into contiguous ranges, one per thread (the caller's thread
// takes the first). Ranges are independent, so results are identical for any number of threads.
// Workers share memory with the caller (buffers, and the kernel memory of simd-rows.ts) and wait on
// Atomics, so a call costs no message passing.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { adjointRows, adjointWeights, buildTables, checkParams, cropTo, describe, forwardRows, stateAt, type MaskGenerator, type MaskGeneratorOptions, type MaskState, type Tables } from './mask-generator.ts';

export interface ParallelMaskGenerator extends MaskGenerator {
  readonly threads: number;
  /** Give the generator back (its workers stay for the next caller with the same shape). */
  close(): Promise<void>;
}

interface Pooled {
  key: string;
  gen: ParallelMaskGenerator & { reset(): void; terminate(): Promise<void> };
  busy: boolean;
}

// Starting workers costs seconds (each compiles the TypeScript sources), so idle generators are kept
// for the next call with the same shape. Workers are unref'd: they never keep the process alive.
const pool: Pooled[] = [];
const MAX_POOLED = 2;

/** A parallel generator, reused when one of the same shape is idle. */
export async function acquireMaskGenerator(height: number, width: number, opts: MaskGeneratorOptions, states: number, threads?: number): Promise<ParallelMaskGenerator> {
  const key = JSON.stringify([height, width, opts.step, opts.sigma, opts.coldness ?? 20, opts.clamp ?? true, states, threads ?? 'auto']);
  let entry = pool.find((p) => p.key === key && !p.busy);
  if (!entry) {
    while (pool.length >= MAX_POOLED) {
      const idle = pool.findIndex((p) => !p.busy);
      if (idle < 0) break;
      await pool.splice(idle, 1)[0].gen.terminate();
    }
    entry = { key, gen: await createParallelMaskGenerator(height, width, opts, states, threads), busy: false };
    pool.push(entry);
  }
  entry.busy = true;
  entry.gen.reset();
  const e = entry;
  return { ...e.gen, close: async () => void (e.busy = false) };
}

/** Stop every pooled worker (tests and long-running hosts). */
export async function releaseMaskWorkers(): Promise<void> {
  const all = pool.splice(0);
  await Promise.all(all.map((p) => p.gen.terminate()));
}

/** Shared buffers; the worker entry receives them as workerData. */
export interface SharedSetup {
  height: number;
  width: number;
  opts: MaskGeneratorOptions;
  threads: number;
  ctrl: SharedArrayBuffer;
  full: SharedArrayBuffer;
  /** The kernel memory laid out by memoryLayout for `threads` threads and one state per slot. */
  memory: WebAssembly.Memory;
  states: number;
  dens: SharedArrayBuffer[];
  pooleds: SharedArrayBuffer[];
}

// ctrl layout (Int32): generation counter, finished count, command, state slot, failure flag.
export const CTRL_GEN = 0;
export const CTRL_DONE = 1;
export const CTRL_CMD = 2;
export const CTRL_SLOT = 3;
export const CTRL_FAIL = 4;
export const CMD_FORWARD = 1;
export const CMD_ADJOINT = 2;
export const CMD_EXIT = 3;

/** Typed views on the shared buffers and the state slots (the same in the caller and in every worker). */
export function sharedViews(setup: SharedSetup, t: Tables) {
  return {
    ctrl: new Int32Array(setup.ctrl),
    full: new Float32Array(setup.full),
    slots: setup.dens.map((d, i) => stateAt(t, t.layout.state(i), new Float64Array(d), new Float64Array(setup.pooleds[i]))),
  };
}

/** Contiguous share [a, b) of n items for thread i of T. */
export function share(n: number, i: number, T: number): [number, number] {
  return [Math.floor((n * i) / T), Math.floor((n * (i + 1)) / T)];
}

const WAIT_MS = 120_000;

/**
 * Default thread count: half the cores, at most 8. The generator runs between onnxruntime runs (whose
 * threads now sleep between runs, session.ts), so on an idle machine more threads help: 2 cores, 224²,
 * generator forward + adjoint per iteration 7.5 → 5.8 ms with 2 threads (load ≈ 1.7). But on a shared
 * machine they compete with other processes: 10.6 → 13.7 and 19.1 → 29.5 ms (load 6–12), and the
 * thread count is part of a result's params, so it cannot follow the load without changing reports.
 */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, Math.floor((os.availableParallelism?.() ?? os.cpus().length) / 2)));
}

/**
 * A generator using `threads` threads (default: defaultThreads()) with `states` state slots (one per
 * mask optimised at once). Falls back to one thread when workers cannot start.
 */
export async function createParallelMaskGenerator(height: number, width: number, opts: MaskGeneratorOptions, states: number, threads = defaultThreads()): Promise<ParallelMaskGenerator & { reset(): void; terminate(): Promise<void> }> {
  // Block rows (forward) outnumber parameter rows (adjoint), so the parameter rows bound the split.
  const T = Math.max(1, Math.min(threads, Math.ceil(height / opts.step) || 1));
  const t = buildTables(height, width, opts, undefined, 0, T, states);
  const nIn = t.hin * t.win;
  const nOut = t.hout * t.wout;
  const sab = (bytes: number) => new SharedArrayBuffer(bytes);
  const setup: SharedSetup = {
    height, width, opts, threads: T, memory: t.kernel.memory, states,
    ctrl: sab(8 * 4), full: sab(nOut * 4),
    dens: Array.from({ length: states }, () => sab(nOut * 8)),
    pooleds: Array.from({ length: states }, () => sab(nOut * 8)),
  };
  const { ctrl, full, slots } = sharedViews(setup, t);
  let handed = 0;
  const workers = T > 1 ? await startWorkers(setup, T - 1) : [];
  const threadsUsed = workers.length + 1;

  const dispatch = (cmd: number, slot: number, own: () => void) => {
    if (workers.length === 0) {
      own();
      return;
    }
    Atomics.store(ctrl, CTRL_DONE, 0);
    Atomics.store(ctrl, CTRL_CMD, cmd);
    Atomics.store(ctrl, CTRL_SLOT, slot);
    Atomics.add(ctrl, CTRL_GEN, 1);
    Atomics.notify(ctrl, CTRL_GEN);
    own();
    for (;;) {
      const done = Atomics.load(ctrl, CTRL_DONE);
      if (Atomics.load(ctrl, CTRL_FAIL) !== 0) throw new Error('mask generator worker failed');
      if (done >= workers.length) break;
      if (Atomics.wait(ctrl, CTRL_DONE, done, WAIT_MS) === 'timed-out') throw new Error('mask generator workers did not answer');
    }
  };
  const slotOf = (state: MaskState) => {
    const i = slots.findIndex((s) => s.den === state.den);
    if (i < 0) throw new RangeError('this mask state was not made by this generator (use its newState())');
    return i;
  };

  const terminate = async () => {
    if (workers.length === 0) return;
    Atomics.store(ctrl, CTRL_CMD, CMD_EXIT);
    Atomics.add(ctrl, CTRL_GEN, 1);
    Atomics.notify(ctrl, CTRL_GEN);
    await Promise.all(workers.map((w) => w.terminate()));
  };

  return {
    ...describe(t),
    threads: threadsUsed,
    newState() {
      if (handed >= slots.length) throw new RangeError(`the parallel mask generator has ${slots.length} state slots, all in use`);
      return slots[handed++];
    },
    generate(p, out, state) {
      checkParams(t, p);
      const slot = slotOf(state);
      t.params.set(p);
      const [a, b] = share(t.hmid, 0, threadsUsed);
      dispatch(CMD_FORWARD, slot, () => forwardRows(t, full, state, a, b));
      out.set(full);
    },
    adjoint(p, state, gFull, g) {
      checkParams(t, p);
      const slot = slotOf(state);
      adjointWeights(t, state.den, state.pooled, gFull);
      const [a, b] = share(t.hin, 0, threadsUsed);
      dispatch(CMD_ADJOINT, slot, () => adjointRows(t, state, a, b));
      g.set(t.g);
    },
    cropTo: (f, out) => cropTo(t, f, out),
    reset() {
      handed = 0;
    },
    close: () => terminate(),
    terminate: () => terminate(),
  };
}

/**
 * Start n workers on mask-worker. Run from the TypeScript sources, each worker registers tsx
 * first (as bin/neurogate.js does in a checkout); the compiled package's worker is plain
 * JavaScript. A worker that fails to start makes the caller use fewer.
 */
async function startWorkers(setup: SharedSetup, n: number): Promise<Worker[]> {
  let src: string;
  if (import.meta.url.endsWith('.js')) {
    src = `import(${JSON.stringify(new URL('./mask-worker.js', import.meta.url).href)})`;
  } else {
    let api: string;
    try {
      api = import.meta.resolve('tsx/esm/api');
    } catch {
      return [];
    }
    const entry = new URL('./mask-worker.ts', import.meta.url).href;
    src = `(async () => { const { register } = await import(${JSON.stringify(api)}); register(); await import(${JSON.stringify(entry)}); })()`;
  }
  const started = await Promise.allSettled(Array.from({ length: n }, (_, i) => new Promise<Worker>((resolve, reject) => {
    const w = new Worker(src, { eval: true, workerData: { ...setup, index: i + 1 } });
    w.unref();
    w.once('message', (m) => (m === 'ready' ? resolve(w) : reject(new Error(String(m)))));
    w.once('error', reject);
  })));
  const ok = started.filter((s): s is PromiseFulfilledResult<Worker> => s.status === 'fulfilled').map((s) => s.value);
  if (ok.length !== n) {
    // Ranges are fixed by the thread count: with some workers missing, run single-threaded.
    await Promise.all(ok.map((w) => w.terminate()));
    return [];
  }
  return ok;
}
