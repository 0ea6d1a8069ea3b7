// Forward throughput of the zoo models: neurogate's engine (onnxruntime, CPU) against the
// original TF.js models on tfjs-wasm, and the engine's overhead over raw onnxruntime.
import { createRequire } from 'node:module';
import { loadModel } from '../src/models/load.ts';
import { nsfwjsFiles, type NsfwjsModel } from '../src/models/zoo/nsfwjs.ts';
import { referenceLayersModel, referenceGraphModel, tfjs } from '../src/models/tfjs/reference.ts';
import { run } from '../src/engine/session.ts';
import { withOutputs } from '../src/engine/graph.ts';
import { encodeModel } from '../src/engine/onnx.ts';
import { timeIt, throughput, ratio, type Section } from './lib.ts';

const require = createRequire(import.meta.url);

export async function benchEngine(opts: { batch?: number; repeats?: number } = {}): Promise<Section> {
  const batch = opts.batch ?? 4;
  const repeats = opts.repeats ?? 3;
  const section: Section = { title: 'Forward pass: engine (onnxruntime cpu) vs tfjs-wasm', figures: [], ratios: [] };
  for (const name of ['mobilenet_v2', 'mobilenet_v2_mid', 'inception_v3'] as NsfwjsModel[]) {
    const m = await loadModel(`zoo:${name}`);
    const { channels, height, width } = m.input;
    const n = channels * height * width * batch;
    const x = { dims: [batch, channels, height, width], data: Float32Array.from({ length: n }, (_, i) => ((i * 2654435761) % 1000) / 1000) };
    const out = m.probabilities ?? m.logits!;
    const engine = throughput(`${name} engine cpu (batch ${batch})`, await timeIt(() => run(m.net, { [m.input.name]: x }, [out]), repeats), batch);

    // Raw onnxruntime on the very graph the engine runs: the engine's own overhead.
    const ort = require('onnxruntime-node');
    const bytes = encodeModel(withOutputs(m.net.model, [out]));
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
    const rawFeed = { [m.input.name]: new ort.Tensor('float32', x.data, x.dims) };
    const raw = throughput(`${name} raw onnxruntime (batch ${batch})`, await timeIt(() => session.run(rawFeed), repeats), batch);
    await session.release();

    const tf = await tfjs('wasm');
    const files = nsfwjsFiles(name);
    const ref = files.modelJson.format === 'graph-model' ? await referenceGraphModel(files, 'wasm') : await referenceLayersModel(files, 'wasm');
    const xt = tf.randomUniform([batch, height, width, channels], 0, 1, 'float32', 1);
    const tfw = throughput(`${name} tfjs-wasm (batch ${batch})`, await timeIt(async () => {
      const y = ref.predict(xt) as { data(): Promise<unknown>; dispose(): void };
      await y.data();
      y.dispose();
    }, repeats), batch);
    xt.dispose();

    section.figures.push(engine, raw, tfw);
    section.ratios.push(ratio(`${name}: engine ÷ tfjs-wasm (images/s)`, engine, tfw, name === 'inception_v3' ? { min: 6, text: '≥ 6×' } : undefined));
    section.ratios.push(ratio(`${name}: engine ÷ raw onnxruntime (images/s)`, engine, raw, { min: 1 / 1.3, text: 'overhead ≤ 30% (≥ 0.77)' }));
  }
  return section;
}
