// The `adversarial:` entry: its schema, the probe on the PyTorch-exported shapes_cnn (few scenes,
// few steps), and the same probe on a broken copy of it (last layer zeroed), where the bounds of
// the shipped spec must fail.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { importOnnxFile } from '../../../src/models/onnx-file.ts';
import { makeNet } from '../../../src/engine/net.ts';
import { cloneModel } from '../../../src/engine/onnx.ts';
import type { ImportedModel } from '../../../src/models/types.ts';
import type { ForwardEngine } from '../../../src/probe/forward.ts';
import { adversarialProbe, type AdversarialParams } from '../../../src/probes/adversarial/probe.ts';
import { AdversarialEntrySchema } from '../../../src/probes/adversarial/schema.ts';
import { shapeScene } from '../../../src/stimuli/scenes.ts';
import { makeRng } from '../../../src/util/rng.ts';
import { entryKinds } from '../../../src/kinds/index.ts';

const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'fixtures', 'shapes_cnn');
const model = importOnnxFile(path.join(dir, 'shapes_cnn.onnx'), { labels: ['disk', 'square', 'triangle'] });
const engineOf = (m: ImportedModel): ForwardEngine => ({ model: m, device: 'cpu', batchSize: 16, forward: () => Promise.reject(new Error('the adversarial probe runs its own passes')) });

test('schema: a full entry parses; a budget in the wrong units, fgsm with steps, an unknown method or no expectation are refused', () => {
  const ok = { id: 'a', images: { scenes: { n: 8 } }, attack: 'pgd', norm: 'l2', epsilon: [0, 1, 8], steps: 20, step_size: 0.5, random_start: false, loss: 'margin', targeted: 2, method: 'integrated_gradients', expect: { robust_accuracy: { max: 0.5 } } };
  const r = AdversarialEntrySchema.safeParse(ok);
  assert.ok(r.success, JSON.stringify(r.error?.issues));
  for (const bad of [{ epsilon: [-1] }, { epsilon: [300] }, { epsilon: [] }, { attack: 'fgsm', steps: 3 }, { method: 'no_such_method' }, { expect: {} }, { attack: 'cw' }]) {
    assert.not.ok(AdversarialEntrySchema.safeParse({ ...ok, ...bad }).success, JSON.stringify(bad));
  }
  assert.ok(entryKinds().some((k) => k.key === 'adversarial'), 'the kind is registered');
});

function scenes(n: number): Pick<AdversarialParams, 'pixels' | 'names' | 'labels'> {
  const rng = makeRng(5);
  const per = 3 * 224 * 224;
  const pixels = new Float64Array(n * per);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = shapeScene(rng);
    pixels.set(s.input.data, i * per);
    labels.push(s.label);
  }
  return { pixels, names: labels.map((_, i) => `scene ${i}`), labels };
}

const base = (n: number): AdversarialParams => ({ ...scenes(n), attack: 'pgd', norm: 'linf', epsilons: [0, 1], steps: 3, randomStart: true, loss: 'ce', method: 'gradient', topFraction: 0.1, seed: 11 });

test('shapes_cnn: at ε = 0 nothing changes (robust = clean accuracy, maps identical, AUC 0.5); at 1/255 PGD fools it and the maps give it away', async () => {
  const out = await adversarialProbe.run(base(8), engineOf(model), makeRng(0));
  const m = out.measurements as Record<string, (number | null)[]>;
  assert.equal(out.cases, ['ε = 0/255', 'ε = 1/255']);
  assert.is(out.measurements.clean_accuracy, 1);
  assert.is(m.robust_accuracy[0], 1);
  assert.is(m.attack_success_rate[0], 0);
  assert.is(m.mean_linf[0], null);
  assert.is(m['stability.spearman'][0], 1);
  assert.is(m['detection.auc'][0], 0.5);
  assert.ok(m.robust_accuracy[1]! <= 0.5, `robust accuracy ${m.robust_accuracy[1]} at 1/255`);
  assert.ok(m.mean_linf[1]! <= 1 + 1e-9, `mean L∞ ${m.mean_linf[1]} grey levels exceeds the budget`);
  assert.ok(m.logit_margin_drop[1]! > 0);
  assert.ok(m['stability.spearman'][1]! < 0.9);
  assert.ok(m['detection.auc'][1]! >= 0.75, `detection AUC ${m['detection.auc'][1]}`);
});

test('a broken shapes_cnn (last layer zeroed: constant logits) fails the shipped bounds', async () => {
  const proto = cloneModel(model.net.model);
  const gemm = proto.graph.node.find((n) => n.opType === 'Gemm')!;
  const w = proto.graph.initializer.find((t) => t.name === gemm.input[1])!;
  const zero = (t: typeof w) => { if (t.floatData?.length) t.floatData = t.floatData.map(() => 0); if (t.rawData?.length) t.rawData = new Uint8Array(t.rawData.length); };
  zero(w);
  const broken: ImportedModel = { ...model, net: makeNet(proto, 'shapes_cnn (last layer zeroed)') };
  const out = await adversarialProbe.run({ ...base(8), epsilons: [1] }, engineOf(broken), makeRng(0));
  const m = out.measurements as Record<string, (number | null)[]>;
  assert.ok((out.measurements.clean_accuracy as number) < 0.95, `clean accuracy ${out.measurements.clean_accuracy}`);
  assert.ok(m.robust_accuracy[0]! > 0.1 || m['detection.auc'][0]! < 0.9, 'the broken model passes the robustness or detection bound');
  assert.ok(m['detection.auc'][0]! < 0.9, `detection AUC ${m['detection.auc'][0]} on constant logits`);
});

test.run();
