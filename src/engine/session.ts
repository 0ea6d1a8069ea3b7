// onnxruntime sessions: created per (model hash, outputs, device), cached, and run with
// batches. Device choice lives here: cpu, webgpu (bundled EP), cuda, or auto with fallback.
import { createRequire } from 'node:module';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import type * as OrtNs from 'onnxruntime-node';
import { encodeModel, type ModelProto } from './onnx.ts';
import { withOutputs, graphInputs } from './graph.ts';
import { type Tensor, concatBatch, splitBatch, sizeOf } from './tensor.ts';
import { badInput, NeurogateError } from '../errors.ts';

const require = createRequire(import.meta.url);
const ort: typeof OrtNs = require('onnxruntime-node');

/** Every device a spec or `--device` may name, in the order help texts list them. */
export const DEVICES = ['auto', 'cpu', 'webgpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];
export type ConcreteDevice = Exclude<Device, 'auto'>;

/** A model as the engine sees it: the IR plus a stable identity for caching. */
export interface Net {
  model: ModelProto;
  /** Content hash of the IR (changes with every weight edit). */
  hash: string;
  /** Where it came from, for messages: a path or `zoo:name`. */
  where: string;
  /** onnxruntime intra-op threads (default: every core); the audit's thread-count mutant sets it. */
  threads?: number;
}

export interface DeviceChoice {
  device: ConcreteDevice;
  /** Why auto chose this device, or why a requested GPU fell back. */
  reason: string;
}

const threads = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);

function providersFor(d: ConcreteDevice): string[] {
  if (d === 'cpu') return ['cpu'];
  return [d, 'cpu'];
}

let probeCache: Map<ConcreteDevice, Promise<string | null>> | undefined;

/** A tiny model that says whether an EP can start here: null if it works, else the reason. */
async function probeDevice(d: ConcreteDevice): Promise<string | null> {
  probeCache ??= new Map();
  if (!probeCache.has(d)) {
    probeCache.set(d, (async () => {
      if (d === 'cpu') return null;
      const listed = ort.listSupportedBackends().find((b) => b.name === d);
      if (!listed) return `${d} is not supported by this onnxruntime-node build`;
      // The CUDA provider is a separate library onnxruntime-node would download; without it,
      // trying it only prints onnxruntime's own load error to stderr.
      if (d === 'cuda' && !cudaProviderPresent()) return 'cuda: libonnxruntime_providers_cuda.so is not installed';
      if (d === 'webgpu' && process.env.NEUROGATE_NO_WEBGPU) return 'disabled by NEUROGATE_NO_WEBGPU';
      // On Linux the WebGPU EP (Dawn) reaches the GPU through Vulkan; without the loader it can
      // only fail, after printing Dawn's own warning to stderr.
      if (d === 'webgpu' && process.platform === 'linux' && !vulkanLoaderPresent()) return 'webgpu: no Vulkan loader (libvulkan.so.1) on this machine';
      try {
        const { createModel, node } = await import('./graph.ts');
        const m = createModel({ inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y', dims: [1, 4] }], nodes: [node('Relu', ['x'], ['y'])], initializers: [] });
        const s = await ort.InferenceSession.create(encodeModel(m), { executionProviders: [d] as never });
        await s.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4]) });
        await s.release();
        return null;
      } catch (e) {
        return `${d} could not start: ${shortReason(e)}`;
      }
    })());
  }
  return probeCache.get(d)!;
}

/** Resolve `auto` (GPU if one works, else cpu) and check an explicit GPU request. */
export async function chooseDevice(requested: Device): Promise<DeviceChoice> {
  if (requested === 'cpu') return { device: 'cpu', reason: 'requested' };
  if (requested === 'auto') {
    const tried: string[] = [];
    for (const d of ['webgpu', 'cuda'] as const) {
      const why = await probeDevice(d);
      if (why === null) return { device: d, reason: `auto: ${d} works` };
      tried.push(why);
    }
    return { device: 'cpu', reason: `auto: fell back to cpu (${tried.join('; ')})` };
  }
  const why = await probeDevice(requested);
  if (why !== null) {
    throw badInput('E_DEVICE', `device "${requested}" is not usable: ${why}`, undefined, 'use --device cpu or --device auto');
  }
  return { device: requested, reason: 'requested' };
}

interface CachedSession {
  session: OrtNs.InferenceSession;
  inputs: string[];
  outputs: string[];
}

const MAX_SESSIONS = 8;
const sessions = new Map<string, Promise<CachedSession>>();

/** A session computing exactly `outputs` (pruned), cached by model hash + outputs + device. */
export async function sessionFor(net: Net, outputs: string[], device: ConcreteDevice = 'cpu'): Promise<CachedSession> {
  const key = `${net.hash}|${device}|${outputs.join('\u0000')}`;
  let hit = sessions.get(key);
  if (hit) {
    sessions.delete(key); // refresh LRU position
    sessions.set(key, hit);
    return hit;
  }
  hit = (async () => {
    const pruned = withOutputs(net.model, outputs, net.where);
    const bytes = encodeModel(pruned);
    try {
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: providersFor(device) as never,
        intraOpNumThreads: net.threads ?? threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        // Worker threads sleep after a run instead of spinning: the JS that runs between passes
        // (mask generation, stimulus rendering) and other processes on a shared CI machine get the
        // cores back. Measured under load on 2 cores: MobileNetV2 forward median 20.2 → 7.9 ms,
        // its gradient 57 → 35 ms, InceptionV3 forward 190 → 136 ms.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
      return { session, inputs: graphInputs(pruned.graph!), outputs };
    } catch (e) {
      throw badInput('E_SESSION', `onnxruntime could not load the model: ${String((e as Error).message).split('\n')[0]}`, net.where,
        'the graph may use an unsupported op or inconsistent shapes; check the model with `neurogate layers`');
    }
  })();
  sessions.set(key, hit);
  hit.catch(() => sessions.delete(key));
  while (sessions.size > MAX_SESSIONS) {
    const [oldKey, old] = sessions.entries().next().value as [string, Promise<CachedSession>];
    sessions.delete(oldKey);
    old.then((s) => s.session.release()).catch(() => undefined);
  }
  return hit;
}

export interface RunOptions {
  device?: ConcreteDevice;
}

/** One run: feeds by input name, returns the requested tensors as float32. */
export async function run(net: Net, feeds: Record<string, Tensor>, outputs: string[], opts: RunOptions = {}): Promise<Record<string, Tensor>> {
  const s = await sessionFor(net, outputs, opts.device ?? 'cpu');
  const ortFeeds: Record<string, OrtNs.Tensor> = {};
  for (const name of s.inputs) {
    const t = feeds[name];
    if (!t) {
      throw badInput('E_FEED', `the model needs input "${name}" but it was not given`, net.where, `given: ${Object.keys(feeds).join(', ') || 'nothing'}`);
    }
    if (t.data.length !== sizeOf(t.dims)) throw new NeurogateError(`input "${name}": data length ${t.data.length} does not match dims [${t.dims}]`, { code: 'E_FEED_SHAPE', kind: 'internal' });
    ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims);
  }
  let res: OrtNs.InferenceSession.OnnxValueMapType;
  try {
    res = await s.session.run(ortFeeds, outputs);
  } catch (e) {
    const dims = Object.entries(feeds).map(([k, v]) => `${k}[${v.dims}]`).join(', ');
    throw badInput('E_RUN', `onnxruntime failed running the model on ${dims}: ${String((e as Error).message).split('\n')[0]}`, net.where,
      'check the input shape the model expects (`neurogate layers <model>`)');
  }
  const out: Record<string, Tensor> = {};
  for (const name of outputs) {
    const v = res[name] as OrtNs.Tensor;
    // Taps may be integer tensors (Shape, indices); everything leaves the engine as float32.
    const data = v.data instanceof Float32Array ? v.data : Float32Array.from(v.data as ArrayLike<number | bigint>, Number);
    out[name] = { dims: [...v.dims], data };
  }
  return out;
}

export interface BatchOptions extends RunOptions {
  /** How many items go into one run (memory bound for big models). */
  batchSize?: number;
  /** Called after each run with (done, total) for progress reporting. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Run many inputs (each with batch 1 or more) through one input, in batched runs.
 * Other feeds (e.g. objective weights) can be passed per item through `extraFeeds`.
 */
export async function runBatched(net: Net, inputName: string, items: readonly Tensor[], outputs: string[], opts: BatchOptions = {}): Promise<Record<string, Tensor[]>> {
  const batchSize = Math.max(1, opts.batchSize ?? 16);
  const result: Record<string, Tensor[]> = Object.fromEntries(outputs.map((o) => [o, []]));
  for (let start = 0; start < items.length; start += batchSize) {
    const chunk = items.slice(start, start + batchSize);
    const res = await run(net, { [inputName]: concatBatch(chunk) }, outputs, opts);
    const sizes = chunk.map((t) => t.dims[0]);
    for (const o of outputs) {
      // Copy out of the shared batch buffer so callers can keep items independently.
      for (const piece of splitBatch(res[o], sizes)) result[o].push({ dims: piece.dims, data: piece.data.slice() });
    }
    opts.onProgress?.(Math.min(start + batchSize, items.length), items.length);
  }
  return result;
}

/** Release every cached session (tests and long runs that switch models). */
export async function releaseAll(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  await Promise.all(all.map((p) => p.then((s) => s.session.release()).catch(() => undefined)));
}

export const ortVersion: string = ort.env.versions?.node ?? 'unknown';

function vulkanLoaderPresent(): boolean {
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  return dirs.some((d) => fs.existsSync(path.join(d, 'libvulkan.so.1')));
}

function cudaProviderPresent(): boolean {
  const dir = path.dirname(require.resolve('onnxruntime-node/package.json'));
  const found = (d: string): boolean => fs.readdirSync(d, { withFileTypes: true }).some((e) =>
    e.isDirectory() ? found(path.join(d, e.name)) : e.name.startsWith('libonnxruntime_providers_cuda'));
  try {
    return found(path.join(dir, 'bin'));
  } catch {
    return false;
  }
}

/** onnxruntime's messages start with source paths; keep the human part. */
function shortReason(e: unknown): string {
  const msg = String((e as Error)?.message ?? e).split('\n')[0];
  const tail = msg.split(/ was false\. | : FAIL : |\] : \d+ : \w+ : /).pop() ?? msg;
  return tail.length > 160 ? `${tail.slice(0, 157)}...` : tail;
}
