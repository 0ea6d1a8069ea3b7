// The reference engine for differential tests and benchmarks: the original TF.js model run by
// @tensorflow/tfjs itself (wasm backend for forward passes; the pure-JS cpu backend is the
// only one with gradients). Loaded from memory, so the same decoded files feed both engines.
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TfNs from '@tensorflow/tfjs';
import type { TfjsModelFiles } from '../zoo/nsfwjs.ts';

const require = createRequire(import.meta.url);

let tfPromise: Promise<typeof TfNs> | undefined;
let current: string | undefined;

/** @tensorflow/tfjs with the requested backend active ('wasm' or 'cpu'). */
export async function tfjs(backend: 'wasm' | 'cpu' = 'wasm'): Promise<typeof TfNs> {
  tfPromise ??= (async () => {
    const tf: typeof TfNs = require('@tensorflow/tfjs');
    // PROD mode silences TF.js's "install tfjs-node" banner, which would clutter test output.
    tf.env().set('PROD', true);
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    // Point the wasm backend at the package's own .wasm files (no fetch in Node).
    wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
    return tf;
  })();
  const tf = await tfPromise;
  if (current !== backend) {
    await tf.setBackend(backend);
    await tf.ready();
    current = backend;
  }
  return tf;
}

function artifacts(tf: typeof TfNs, files: TfjsModelFiles) {
  const manifest = files.modelJson.weightsManifest;
  const parts = manifest.flatMap((_, g) => files.shards(g));
  const total = parts.reduce((s, p) => s + p.length, 0);
  const data = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { data.set(p, o); o += p.length; }
  return tf.io.fromMemory({
    modelTopology: files.modelJson.modelTopology,
    weightSpecs: manifest.flatMap((g) => g.weights) as never,
    weightData: data.buffer,
    format: files.modelJson.format,
  } as never);
}

export async function referenceLayersModel(files: TfjsModelFiles, backend: 'wasm' | 'cpu' = 'wasm'): Promise<TfNs.LayersModel> {
  const tf = await tfjs(backend);
  return tf.loadLayersModel(artifacts(tf, files));
}

export async function referenceGraphModel(files: TfjsModelFiles, backend: 'wasm' | 'cpu' = 'wasm'): Promise<TfNs.GraphModel> {
  const tf = await tfjs(backend);
  return tf.loadGraphModel(artifacts(tf, files));
}
