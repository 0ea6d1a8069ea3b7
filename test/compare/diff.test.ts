// Release diffs on the PyTorch-exported shapes CNN, against variants whose ground truth is known:
// function-preserving channel permutations, graded weight noise, and a circuit edit at one layer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';
import { diffModels, isIdentical, layerChanged, type DiffOptions } from '../../src/compare/diff.ts';
import { formatDiff } from '../../src/cli/diff-format.ts';
import { applyEdit } from '../../src/probes/circuit/edits.ts';
import { makeNet } from '../../src/engine/net.ts';
import { readImage } from '../../src/stimuli/image.ts';
import { loadShapes, noisy, permuted, SHAPES_LAYERS, STAGES } from './shapes-variants.ts';

const images = ['shape_0_disk.png', 'shape_1_square.png', 'shape_3_triangle.png'].map((f) => ({ label: f, image: readImage(`test/fixtures/shapes_cnn/${f}`) }));
const model = await loadShapes();
/** Which channel stage each listed layer's channels belong to. */
const stageOf = (i: number): keyof typeof STAGES => (i <= 6 ? 'stem' : i <= 13 ? 'c2' : 'c3');

const perm = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });

test('a function-preserving permutation: CKA 1 everywhere, matching recovers it exactly, maps and logits unchanged', async () => {
  await fc.assert(fc.asyncProperty(perm(24), perm(48), perm(64), async (stem, c2, c3) => {
    const perms = { stem, c2, c3 };
    const r = await diffModels(model, permuted(model, perms), { layers: SHAPES_LAYERS, images, orientations: 8, clutter: 4, methods: ['gradient'] });
    r.layers.forEach((l, i) => {
      assert.ok(Math.abs(l.cka - 1) < 1e-6, `${l.layer}: CKA ${l.cka}`);
      assert.ok(Math.abs(l.ckaDebiased - 1) < 1e-6, `${l.layer}: debiased CKA ${l.ckaDebiased}`);
      const p = perms[stageOf(i)];
      for (const pair of l.pairs) {
        assert.is(pair.candidate, p[pair.baseline], `${l.layer}: unit ${pair.baseline}`);
        assert.ok(pair.correlation > 1 - 1e-5, `${l.layer}: unit ${pair.baseline} r ${pair.correlation}`);
      }
      assert.is(l.matched, 1);
    });
    assert.ok(r.logits!.maxAbs < 1e-4, `logits moved by ${r.logits!.maxAbs}`);
    for (const m of r.attribution[0].images) {
      assert.ok(m.spearman > 1 - 1e-4 && m.ssim > 1 - 1e-4, JSON.stringify(m));
      assert.ok(m.topIou > 0.99, JSON.stringify(m));
    }
    assert.ok(isIdentical(r));
    assert.is(r.firstChanged, null);
  }), { seed: FC_SEED, numRuns: 2 });
});

const lean: Omit<DiffOptions, 'layers'> = { images, orientations: 8, clutter: 4, methods: [] };
const SOME = ['/stem/Conv_output_0', '/b1/Relu_1_output_0', '/c2/Conv_output_0', '/b2/Relu_1_output_0', '/c3/Conv_output_0', '/Flatten_output_0'];

test('graded damage: weight noise at growing scales lowers CKA and match correlation, on average over seeds', async () => {
  const scales = [0.05, 0.3, 1.5];
  const seeds = [1, 2, 3];
  const cka: number[] = [];
  const corr: number[] = [];
  for (const s of scales) {
    let c = 0;
    let r = 0;
    for (const seed of seeds) {
      const d = await diffModels(model, noisy(model, s, seed), { ...lean, layers: SOME });
      c += d.layers.reduce((a, l) => a + l.cka, 0) / d.layers.length / seeds.length;
      r += d.layers.reduce((a, l) => a + l.meanCorrelation, 0) / d.layers.length / seeds.length;
    }
    cka.push(c);
    corr.push(r);
  }
  for (let i = 1; i < scales.length; i++) {
    assert.ok(cka[i] < cka[i - 1], `mean CKA by noise scale ${scales.join(', ')}: ${cka.join(', ')}`);
    assert.ok(corr[i] < corr[i - 1], `mean match r by noise scale: ${corr.join(', ')}`);
  }
  assert.ok(cka[0] < 1 && corr[0] < 1);
});

test('a circuit edit at c2 leaves every layer above it at CKA 1, lowers c2 and every layer below, and diff names c2 first', async () => {
  const L = '/c2/Conv_output_0';
  // (A sign flip of a conv's weights would not do: −W·x + b is an orthogonal map plus a shift of
  // the conv output, which CKA rightly calls unchanged; only the ReLU below would tell.)
  const edited = applyEdit(model.net.model, { op: 'ablate', target: { tensor: L, units: [...Array(16).keys()] } });
  const candidate = { ...model, net: makeNet(edited, 'shapes_cnn (c2 units 0–15 ablated)') };
  const r = await diffModels(model, candidate, { ...lean, layers: SHAPES_LAYERS });
  const at = SHAPES_LAYERS.indexOf(L);
  r.layers.forEach((l, i) => {
    if (i < at) {
      assert.ok(Math.abs(l.cka - 1) < 1e-9 && !layerChanged(l), `${l.layer} above the edit: CKA ${l.cka}`);
    } else {
      assert.ok(l.cka < 1 - 1e-5, `${l.layer} at or below the edit: CKA ${l.cka}`); // float noise is ~1e-12 here
      assert.ok(layerChanged(l));
    }
  });
  assert.is(r.firstChanged, L);
  const text = formatDiff(r, { baseline: 'a', candidate: 'b', seconds: 1 });
  assert.match(text, `first change at ${L}`);
  // The ablated units are the ones that moved most at L.
  const moved = r.layers[at].moved.map((m) => m.baseline);
  assert.ok(moved.every((u) => u < 16), `moved at ${L}: ${moved.join(', ')}`);
});

test('bad input: layers missing from a model or of different shape are refused with a hint', async () => {
  const e1 = await diffModels(model, model, { ...lean, layers: ['mixed9'] }).catch((e) => e);
  assert.is(e1.code, 'E_NO_LAYER');
  const e2 = await diffModels(model, model, { ...lean, layers: [] }).catch((e) => e);
  assert.is(e2.code, 'E_ARGS');
});

test.run();
