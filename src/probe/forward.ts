// The engine probes see: `forward(inputs, taps)`. Calls from all probe tasks running on one model
// and device are merged: the engine waits until every running task has asked (a barrier), then
// feeds the union of their new inputs through one batched run tapping the union of their tensors.
import { inputDims } from '../engine/graph.ts';
import { runBatched, type ConcreteDevice } from '../engine/session.ts';
import type { Tensor } from '../engine/tensor.ts';
import { NeurogateError } from '../errors.ts';
import type { ImportedModel } from '../models/types.ts';
import { cacheKey, inputHash, type ActivationCache } from './cache.ts';

/** What a probe may use: the model's facts and merged, cached forward passes. */
export interface ForwardEngine {
  readonly model: ImportedModel;
  readonly device: ConcreteDevice;
  /**
   * Most inputs per onnxruntime run for this caller: the entry's `engine.batch` (1 for models
   * exported with a fixed batch). Probes that run the model themselves (gradients) use it too.
   */
  readonly batchSize: number;
  /**
   * Tapped tensors for each input (each `[1, C, H, W]`): `result[i][t]` is tap `taps[t]` on
   * input `i`, with its batch axis of 1.
   */
  forward(inputs: readonly Tensor[], taps: readonly string[], opts?: ForwardOptions): Promise<Tensor[][]>;
}

export interface ForwardOptions {
  /** Keep the activations in the run's cache (default true); a streamed dataset, read once, does not. */
  keep?: boolean;
}

export interface ForwardStats {
  /** Merged passes (each one runBatched call, possibly several batches). */
  passes: number;
  /** onnxruntime runs (batches) over all passes. */
  batches: number;
  /** Inputs fed to the model (after de-duplication and cache hits). */
  inputs: number;
}

export interface MergingEngine extends ForwardEngine {
  /** The same engine for one probe task that runs with its own batch size; its passes still merge. */
  withBatch(batchSize: number): ForwardEngine;
  /** A probe task starts: merged passes wait for it to ask (or to leave). */
  join(): void;
  /** A probe task ended. */
  leave(): void;
  stats(): ForwardStats;
}

/** Inputs per onnxruntime run when nobody says otherwise (a spec's `engine.batch` default). */
export const DEFAULT_BATCH = 16;

export interface EngineOptions {
  cache: ActivationCache;
  /** Default DEFAULT_BATCH; each task may ask for its own with withBatch. */
  batchSize?: number;
  /** Called after each batch of a pass: inputs done / inputs in the pass. */
  onBatch?: (done: number, total: number) => void;
}

interface Waiter {
  batchSize: number;
  keys: string[];
  inputs: readonly Tensor[];
  taps: readonly string[];
  keep: boolean;
  resolve: (v: Tensor[][]) => void;
  reject: (e: unknown) => void;
}

/**
 * Some exporters (torch.onnx's dynamo path) write a fixed batch of 1 into the input: feeding more
 * fails in onnxruntime, so such models run one input at a time.
 */
export function fixedBatch(model: ImportedModel): number | undefined {
  const first = inputDims(model.net.model.graph, model.input.name)[0];
  return typeof first === 'number' && first > 0 ? first : undefined;
}

export function createForwardEngine(model: ImportedModel, device: ConcreteDevice, opts: EngineOptions): MergingEngine {
  const { cache } = opts;
  const stats: ForwardStats = { passes: 0, batches: 0, inputs: 0 };
  let active = 0;
  let queue: Waiter[] = [];
  let running = false;
  let scheduled = false;
  const key = (input: string, tap: string) => cacheKey(model.net.hash, device, input, tap);
  const fixed = fixedBatch(model);
  const batchOf = (asked: number) => fixed ?? Math.max(1, Math.floor(asked));

  function lookup(keys: readonly string[], taps: readonly string[], fresh?: Map<string, Tensor>): Tensor[][] | undefined {
    const out: Tensor[][] = [];
    for (const k of keys) {
      const row: Tensor[] = [];
      for (const t of taps) {
        const hit = fresh?.get(key(k, t)) ?? cache.get(key(k, t));
        if (!hit) return undefined;
        row.push(hit);
      }
      out.push(row);
    }
    return out;
  }

  function maybeFlush(): void {
    if (running || queue.length === 0) return;
    if (active > 0) {
      if (queue.length >= active) void flush();
      return;
    }
    // Used outside join/leave (a single caller): merge what arrives within this turn of the event loop.
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        if (!running) void flush();
      });
    }
  }

  /** One batched run for the union of the waiters' inputs and taps; settles every waiter. */
  async function pass(batch: Waiter[]): Promise<void> {
    const taps = [...new Set(batch.flatMap((w) => [...w.taps]))].sort();
    const todo = new Map<string, Tensor>();
    for (const w of batch) {
      w.keys.forEach((k, i) => {
        if (!todo.has(k) && w.taps.some((t) => !cache.get(key(k, t)))) todo.set(k, w.inputs[i]);
      });
    }
    const fresh = new Map<string, Tensor>();
    if (todo.size) {
      stats.passes++;
      stats.inputs += todo.size;
      const keys = [...todo.keys()];
      const out = await runBatched(model.net, model.input.name, [...todo.values()], taps, {
        device,
        // Merged tasks may ask for different sizes: the smallest is the one every caller's memory allows.
        batchSize: Math.min(...batch.map((w) => w.batchSize)),
        onProgress: (done, total) => {
          stats.batches++;
          opts.onBatch?.(done, total);
        },
      });
      const kept = new Set(batch.filter((w) => w.keep).flatMap((w) => w.keys));
      keys.forEach((k, i) => {
        for (const t of taps) {
          fresh.set(key(k, t), out[t][i]);
          if (kept.has(k)) cache.set(key(k, t), out[t][i]);
        }
      });
    }
    for (const w of batch) {
      const got = lookup(w.keys, w.taps, fresh);
      if (got) w.resolve(got);
      else w.reject(new NeurogateError('activation missing after its forward pass', { code: 'E_INTERNAL_CACHE', kind: 'internal' }));
    }
  }

  async function flush(): Promise<void> {
    running = true;
    const batch = queue;
    queue = [];
    try {
      await pass(batch);
    } catch (e) {
      // One bad request (a tensor the graph lacks) must not fail the probes merged with it:
      // run each waiter alone so the error lands only where it belongs.
      if (batch.length === 1) batch[0].reject(e);
      else {
        for (const w of batch) {
          try {
            await pass([w]);
          } catch (err) {
            w.reject(err);
          }
        }
      }
    } finally {
      running = false;
      maybeFlush();
    }
  }

  const forwardWith = (batchSize: number): ForwardEngine['forward'] => (inputs, taps, fo = {}) => {
    if (taps.length === 0) return Promise.reject(new NeurogateError('forward: no tensors to tap', { code: 'E_INTERNAL_TAPS', kind: 'internal' }));
    for (const x of inputs) {
      if (x.dims[0] !== 1) return Promise.reject(new NeurogateError(`forward: each input needs a batch axis of 1, got [${x.dims}]`, { code: 'E_INTERNAL_INPUT', kind: 'internal' }));
    }
    const keys = inputs.map(inputHash);
    const hit = lookup(keys, taps);
    if (hit) return Promise.resolve(hit);
    return new Promise<Tensor[][]>((resolve, reject) => {
      queue.push({ batchSize, keys, inputs, taps, keep: fo.keep !== false, resolve, reject });
      maybeFlush();
    });
  };
  const defaultBatch = batchOf(opts.batchSize ?? DEFAULT_BATCH);

  return {
    model,
    device,
    batchSize: defaultBatch,
    forward: forwardWith(defaultBatch),
    withBatch(n) {
      const batchSize = batchOf(n);
      return { model, device, batchSize, forward: forwardWith(batchSize) };
    },
    join() {
      active++;
    },
    leave() {
      active = Math.max(0, active - 1);
      maybeFlush();
    },
    stats: () => ({ ...stats }),
  };
}
