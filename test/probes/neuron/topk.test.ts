// Top-k dataset examples on the hand-made oriented model: a line unit ranks images of lines at its
// orientation above other orientations, and overlays come back as PNG artifacts of input size.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { topExamples, upsampleMap } from '../../../src/probes/neuron/topk.ts';
import { resolveLayer } from '../../../src/models/catalog.ts';
import { createForwardEngine } from '../../../src/probe/forward.ts';
import { createActivationCache } from '../../../src/probe/cache.ts';
import { renderStimulus } from '../../../src/stimuli/index.ts';
import { orientedModel } from './oriented-model.ts';
import { FC_SEED } from '../../seed.ts';

test('upsampling with identity geometry returns the map; any upsampled value lies within the map range', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), (h, w, f) => {
    const map = Float32Array.from({ length: h * w }, (_, i) => Math.cos(i * 1.7));
    const same = upsampleMap(map, h, w, { y: { jump: 1, start: 0.5, size: 1 }, x: { jump: 1, start: 0.5, size: 1 } }, w, h);
    same.forEach((v, i) => assert.ok(Math.abs(v - map[i]) < 1e-6));
    const big = upsampleMap(map, h, w, undefined, w * f, h * f);
    const lo = Math.min(...map) - 1e-6;
    const hi = Math.max(...map) + 1e-6;
    big.forEach((v) => assert.ok(v >= lo && v <= hi));
  }), { seed: FC_SEED, numRuns: 50 });
});

test('a line unit puts lines at its own orientation first', async () => {
  const model = orientedModel([{ template: { kind: 'line', orientation: 30, length: 18, polarity: 'light-on-dark', width: 2 } }]);
  const layer = await resolveLayer(model, 'units');
  const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache() });
  const images = [0, 30, 60, 90, 120, 150].map((o) => ({ label: `line ${o}°`, image: renderStimulus({ kind: 'line', orientation: o, length: 18, width: 2, polarity: 'light-on-dark' }, { width: 48, height: 48, center: { x: 15.5, y: 30.5 } }) }));
  const [r] = await topExamples(engine, layer, [0], images, { k: 3 });
  assert.is(r.examples[0].label, 'line 30°');
  assert.ok(r.examples[0].value > r.examples[1].value);
  // The map peaks where the line was drawn, not at the centre.
  assert.ok(Math.abs(r.examples[0].at!.x - 15) <= 1 && Math.abs(r.examples[0].at!.y - 30) <= 1, JSON.stringify(r.examples[0].at));
  assert.is(r.artifacts.length, 3);
  assert.ok(r.artifacts.every((a) => a.type === 'image' && a.width === 48 && a.pngBase64.length > 100));
});

test.run();
