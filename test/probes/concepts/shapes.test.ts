// The concepts probe on the PyTorch-exported shapes CNN: Net2Vec and TCAV on its last conv layer
// with few seeded scenes (cheap), the same seed giving byte-identical measurements, and a spec
// that asks for a concept the scenes do not have refused before anything runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadModel } from '../../../src/models/load.ts';
import { resolveLayer } from '../../../src/models/catalog.ts';
import { createForwardEngine } from '../../../src/probe/forward.ts';
import { createActivationCache } from '../../../src/probe/cache.ts';
import { conceptProbe, type ConceptParams } from '../../../src/probes/concepts/probe.ts';
import { ConceptEntrySchema } from '../../../src/probes/concepts/schema.ts';
import { CONCEPT_DEFAULTS as D } from '../../../src/probes/concepts/schema.ts';
import { makeRng } from '../../../src/util/rng.ts';

const model = await loadModel('test/fixtures/shapes_cnn/shapes_cnn.onnx');
const info = await resolveLayer(model, '/Relu_2_output_0');
const layer = { name: info.name, tensor: info.tensor, shape: [...info.shape] };
const base: ConceptParams = {
  method: 'net2vec', layer, scenes: 'shapes', count: 24, concept: 'disk', quantile: D.quantile, variant: 'segmentation', l2: D.l2, iterations: 150,
  target: 0, randomSets: 4, examples: 6, inputs: 6, alpha: D.alpha, tests: 1, keep: 10,
};
const engine = () => createForwardEngine(model, 'cpu', { cache: createActivationCache(), batchSize: 8 });

test('Net2Vec on shapes_cnn: the disk is spread over many filters and the combination beats one; same seed, same JSON', async () => {
  const a = await conceptProbe.run(base, engine(), makeRng(3));
  const b = await conceptProbe.run(base, engine(), makeRng(3));
  assert.is(JSON.stringify(a), JSON.stringify(b));
  const m = a.measurements;
  assert.ok((m['net2vec.iou'] as number) > (m['net2vec.single_filter_iou'] as number), JSON.stringify(m));
  assert.ok((m['net2vec.filters_90'] as number) > 3, JSON.stringify(m));
});

test('TCAV on shapes_cnn: the disk concept pushes the disk logit up and the square logit down', async () => {
  const up = await conceptProbe.run({ ...base, method: 'tcav', target: 0, examples: 12 }, engine(), makeRng(4));
  const down = await conceptProbe.run({ ...base, method: 'tcav', target: 1, examples: 12 }, engine(), makeRng(4));
  assert.ok((up.measurements['tcav.score'] as number) > 0.9, JSON.stringify(up.measurements));
  assert.ok((down.measurements['tcav.score'] as number) < 0.1, JSON.stringify(down.measurements));
});

test('the entry names concepts of its scenes and the metrics of its method', () => {
  const r = ConceptEntrySchema.safeParse({ id: 'x', layer: 'l', method: 'net2vec', scenes: 'shapes', concept: 'curve', expect: { 'tcav.score': { min: 0.5 } } });
  assert.not.ok(r.success);
  const msgs = r.error!.issues.map((i) => i.message).join(' | ');
  assert.match(msgs, /"curve" is not a concept of shapes scenes/);
  assert.match(msgs, /net2vec does not measure tcav.score/);
  assert.not.ok(ConceptEntrySchema.safeParse({ id: 'x', layer: 'l', method: 'tcav', concept: 'curve', expect: { 'tcav.score': { min: 0.5 } } }).success);
});

test.run();
