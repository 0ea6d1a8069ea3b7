// Targets on dense outputs — a region of a segmentation map, an element or a direction of a
// regression output, a detection of a decoded head, a unit of a non-4-D tensor — in the one target
// vocabulary: closed-form saliency on linear models, forward scores (scoresOf) agreeing with the
// autodiff objective by finite differences on a nonlinear one, and bad targets refused with exit 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../../seed.ts';
import { errorOf } from '../../helpers.ts';
import { makeRng, normal } from '../../../src/util/rng.ts';
import type { Tensor } from '../../../src/engine/tensor.ts';
import { run } from '../../../src/engine/session.ts';
import { regionCells, type Region } from '../../../src/engine/autodiff/objective.ts';
import { targetGradient } from '../../../src/probes/attribution/gradients.ts';
import { checkTarget, describeTarget, fixTarget, iou, maskOfImage, pickDetection, scoresOf } from '../../../src/probes/attribution/target.ts';
import type { DetectionTarget, Subject, Target } from '../../../src/probes/attribution/types.ts';
import { EXIT, exitCodeFor } from '../../../src/errors.ts';
import { denseNet, regressor, segmenter, subjectFor } from './dense-targets.ts';

const rng = makeRng(25);
const randomInput = (dims: number[], s = 1): Tensor => ({ dims: [1, ...dims], data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => s * normal(rng)) });

async function forwardScore(subject: Subject, target: Target, input: Tensor): Promise<number> {
  const tensor = target.kind === 'class' || target.kind === 'contrastive' ? subject.logits! : target.tensor;
  const res = await run(subject.net, { [subject.input]: input }, [tensor], { device: 'cpu' });
  return scoresOf(target, res[tensor])[0];
}

test('a box on a 1×1-conv segmenter: the saliency is the class weights inside the box and exactly zero outside; mean divides by the cells', async () => {
  const [C, K, H, W] = [3, 4, 6, 7];
  const { model, w } = segmenter(C, K, H, W, rng);
  const subject = subjectFor(model, [C, H, W], 'test:segmenter');
  const input = randomInput([C, H, W]);
  const box = [1, 2, 4, 6] as const; // rows 1–3, columns 2–5: 12 cells
  for (const reduce of ['sum', 'mean'] as const) {
    const target: Target = { kind: 'region', tensor: 'seg', channel: 2, region: { box }, reduce };
    const g = await targetGradient(subject, target, input);
    const per = reduce === 'mean' ? 1 / 12 : 1;
    for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const inside = y >= 1 && y < 4 && x >= 2 && x < 6;
      const got = g.input.data[(c * H + y) * W + x];
      assert.ok(Math.abs(got - (inside ? w[2 * C + c] * per : 0)) <= 1e-6 * Math.abs(w[2 * C + c]), `${reduce} [${c}, ${y}, ${x}]: ${got}`);
    }
    // The forward score is the float64 sum (or mean) of the map over the box, and the objective's value agrees.
    const seg = (await run(subject.net, { [subject.input]: input }, ['seg'], { device: 'cpu' })).seg;
    let want = 0;
    for (let y = 1; y < 4; y++) for (let x = 2; x < 6; x++) want += seg.data[(2 * H + y) * W + x] * per;
    assert.ok(Math.abs(scoresOf(target, seg)[0] - want) < 1e-9);
    assert.ok(Math.abs(g.scores[0] - want) < 1e-4 * (1 + Math.abs(want)), `${g.scores[0]} vs ${want}`);
  }
});

test('a fractional box means the same cells as its pixel box; an integer box holds (y1 − y0)(x1 − x0) cells', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.nat(), fc.nat(), fc.nat(), fc.nat(), (H, W, a, b, c, d) => {
    const [y0, y1] = [a % H, a % H + 1 + (b % (H - (a % H)))];
    const [x0, x1] = [c % W, c % W + 1 + (d % (W - (c % W)))];
    const px = regionCells({ box: [y0, x0, y1, x1] }, H, W);
    const fr = regionCells({ box: [y0 / H, x0 / W, y1 / H, x1 / W], units: 'fraction' }, H, W);
    assert.equal(fr, px);
    assert.is(px.reduce((s, v) => s + v, 0), (y1 - y0) * (x1 - x0));
  }), { seed: FC_SEED });
});

test('a mask is resized to the map by nearest neighbour: a mask drawn k times larger selects the same cells', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.nat(), (H, W, ky, kx, seed) => {
    const r = makeRng(seed);
    const cells = Uint8Array.from({ length: H * W }, () => (r() < 0.4 ? 1 : 0));
    const big = new Float32Array(H * ky * W * kx);
    for (let y = 0; y < H * ky; y++) for (let x = 0; x < W * kx; x++) big[y * W * kx + x] = cells[Math.floor(y / ky) * W + Math.floor(x / kx)];
    assert.equal(regionCells({ mask: { dims: [H * ky, W * kx], data: big } }, H, W), cells);
  }), { seed: FC_SEED });
});

test('a mask image: pixels whose mean of R, G, B is at least 128 are inside, the rest outside', () => {
  const img = { width: 5, height: 1, data: Float32Array.from([255, 255, 255, 127, 127, 127, 0, 200, 255, 128, 128, 127, 128, 128, 128]) };
  assert.equal(Array.from(maskOfImage(img).data), [1, 0, 1, 0, 1]);
  assert.equal(maskOfImage(img).dims, [1, 5]);
});

test('a regression output: an element’s saliency is its row of the weights, a direction’s is Aᵀv', async () => {
  const dims: [number, number, number] = [2, 3, 4];
  const n = 24;
  const D = 5;
  const { model, a } = regressor(dims, D, rng);
  const subject = subjectFor(model, dims, 'test:regressor');
  const input = randomInput(dims);
  const el = await targetGradient(subject, { kind: 'element', tensor: 'y', index: [3] }, input);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(el.input.data[i] - a[3 * n + i]) < 1e-6);
  const v = [0.5, -1, 2, 0, 0.25];
  const target: Target = { kind: 'direction', tensor: 'y', direction: v };
  const dir = await targetGradient(subject, target, input);
  for (let i = 0; i < n; i++) {
    const want = v.reduce((s, vj, j) => s + vj * a[j * n + i], 0);
    assert.ok(Math.abs(dir.input.data[i] - want) < 1e-5, `${i}: ${dir.input.data[i]} vs ${want}`);
  }
  // A unit of a [N, D] tensor is that element too.
  const unit = await targetGradient(subject, { kind: 'unit', tensor: 'y', channel: 3 }, input);
  assert.equal(unit.input.data, el.input.data);
  assert.ok(Math.abs(dir.scores[0] - (await forwardScore(subject, target, input))) < 1e-4);
});

const BOXES = [[0, 0, 4, 4], [1, 1, 5, 5], [4, 4, 8, 8], [0.5, 0.5, 4.5, 4.5]];

test('finite differences of the forward score match the autodiff objective for every dense target, on a nonlinear net', async () => {
  const dims: [number, number, number] = [2, 8, 8];
  const subject = subjectFor(denseNet(dims, 3, 4, BOXES, rng), dims, 'test:dense-net');
  const input = randomInput(dims, 0.5);
  const mask = new Float32Array(16 * 16).map((_, i) => (Math.floor(i / 16) + (i % 16)) % 5 === 0 ? 1 : 0);
  const detection: DetectionTarget = { kind: 'detection', tensor: 'scores', boxes: 'boxes', class: 1, box: [0, 0, 4, 4], iou: 0.5 };
  const targets: Target[] = [
    { kind: 'region', tensor: 'seg', channel: 1, region: { box: [2, 1, 6, 5] }, reduce: 'sum' },
    { kind: 'region', tensor: 'seg', channel: 0, region: { box: [0.25, 0, 0.75, 0.5], units: 'fraction' }, reduce: 'mean' },
    { kind: 'region', tensor: 'seg', channel: 2, region: { mask: { dims: [16, 16], data: mask } }, reduce: 'mean' },
    { kind: 'element', tensor: 'reg', index: [2] },
    { kind: 'element', tensor: 'seg', index: [1, 3, 5] },
    { kind: 'direction', tensor: 'reg', direction: [1, -2, 0.5, 3] },
    { kind: 'unit', tensor: 'reg', channel: 1 },
    // A [N, C, L] tensor: the unit is the centre of its one spatial axis, in the forward score as in the gradient.
    { kind: 'unit', tensor: 'seq', channel: 2 },
    await fixTarget(subject, detection, input),
  ];
  const eps = 1e-2;
  for (const target of targets) {
    const g = await targetGradient(subject, target, input);
    const f0 = await forwardScore(subject, target, input);
    assert.ok(Math.abs(g.scores[0] - f0) <= 1e-4 * (1 + Math.abs(f0)), `${describeTarget(target)}: objective ${g.scores[0]} vs forward ${f0}`);
    for (let trial = 0; trial < 3; trial++) {
      const u = randomInput(dims).data;
      const at = (s: number): Tensor => ({ dims: input.dims, data: input.data.map((v, i) => v + s * eps * u[i]) });
      const fd = ((await forwardScore(subject, target, at(1))) - (await forwardScore(subject, target, at(-1)))) / (2 * eps);
      const dot = g.input.data.reduce((s, gi, i) => s + gi * u[i], 0);
      assert.ok(Math.abs(fd - dot) <= 2e-2 * Math.max(1e-2, Math.abs(dot), Math.abs(fd)), `${describeTarget(target)}: finite difference ${fd} vs gradient ${dot}`);
    }
  }
});

test('a detection: the best-scoring box of its class with IoU ≥ t is chosen on the unperturbed image and kept on perturbed ones', async () => {
  const dims: [number, number, number] = [2, 8, 8];
  const subject = subjectFor(denseNet(dims, 3, 4, BOXES, rng), dims, 'test:dense-net');
  const input = randomInput(dims, 0.5);
  const res = await run(subject.net, { [subject.input]: input }, ['boxes', 'scores'], { device: 'cpu' });
  const target: DetectionTarget = { kind: 'detection', tensor: 'scores', boxes: 'boxes', class: 2, box: [0, 0, 4, 4], iou: 0.5 };
  // Detections 0 and 3 overlap the box by IoU ≥ 0.5 (1 and 0.62), detection 1 by 0.39, detection 2 not at all.
  assert.ok(iou(BOXES[3], target.box) > 0.5 && iou(BOXES[1], target.box) < 0.5);
  const s = (d: number) => res.scores.data[d * 3 + 2];
  const want = s(0) >= s(3) ? 0 : 3;
  const fixed = await fixTarget(subject, target, input) as DetectionTarget;
  assert.is(fixed.pick?.detection, want);
  assert.equal(fixed.pick?.index, [want, 2]);
  assert.is(await forwardScore(subject, fixed, input), s(want));
  // Another input may rank the boxes otherwise; the target still reads the detection chosen first.
  const other = randomInput(dims, 3);
  const res2 = await run(subject.net, { [subject.input]: other }, ['scores'], { device: 'cpu' });
  assert.is(await forwardScore(subject, fixed, other), res2.scores.data[want * 3 + 2]);
  assert.match(describeTarget(fixed), new RegExp(`detection ${want} of class 2`));
  // A box nothing overlaps enough is the spec's problem: exit 2, with the best IoU found.
  const none = errorOf(() => pickDetection({ ...target, box: [10, 10, 12, 12] }, res.boxes, res.scores));
  assert.is(exitCodeFor(none), EXIT.badInput);
  assert.match(none.message, /no detection of class 2 overlaps box \[10,10,12,12\] with IoU ≥ 0.5 \(of 4 detections, the best IoU is 0.000\)/);
  // An unchosen detection cannot be scored: it would not say which detection it means.
  assert.match(errorOf(() => scoresOf(target, res.scores)).message, /no detection chosen yet/);
});

test('the chosen detection overlaps enough and outscores every other detection that does', () => {
  const box = fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }))
    .map(([y, x, h, w]) => [y, x, y + h, x + w]);
  fc.assert(fc.property(fc.array(fc.tuple(box, fc.float({ min: -5, max: 5, noNaN: true })), { minLength: 1, maxLength: 12 }), box, fc.double({ min: 0.05, max: 1, noNaN: true }), (dets, query, t) => {
    const D = dets.length;
    const boxes: Tensor = { dims: [1, D, 4], data: Float32Array.from(dets.flatMap(([b]) => b)) };
    const scores: Tensor = { dims: [1, D], data: Float32Array.from(dets.map(([, s]) => s)) };
    const target: DetectionTarget = { kind: 'detection', tensor: 's', boxes: 'b', class: 0, box: query as [number, number, number, number], iou: t };
    const ok = dets.map(([b]) => iou(Float32Array.from(b), query) >= t);
    if (!ok.includes(true)) {
      assert.throws(() => pickDetection(target, boxes, scores), /no detection of class 0/);
      return;
    }
    const d = pickDetection(target, boxes, scores).pick!.detection;
    assert.ok(ok[d]);
    for (let j = 0; j < D; j++) if (ok[j]) assert.ok(scores.data[d] > scores.data[j] || (scores.data[d] === scores.data[j] && d <= j));
  }), { seed: FC_SEED });
});

test('bad dense targets are refused with exit 2 and a message naming the shape or the range', () => {
  const cases: [Target, number[], RegExp][] = [
    [{ kind: 'direction', tensor: 'y', direction: [1, 2] }, [5], /the direction has 2 entries, and one item of "y" \(shape \[5\]\) has 5 elements/],
    [{ kind: 'direction', tensor: 'y', direction: [1, NaN] }, [2], /direction entry 1 is NaN/],
    [{ kind: 'element', tensor: 'y', index: [1, 2] }, [5], /index \[1,2\] has 2 coordinates, and tensor "y" has item shape \[5\]/],
    [{ kind: 'element', tensor: 'y', index: [5] }, [5], /index 5 on axis 1 of "y" .* is out of range \(0…4\)/],
    [{ kind: 'region', tensor: 'y', channel: 0, region: { box: [0, 0, 1, 1] }, reduce: 'sum' }, [5], /reads a map of item shape \[C, H, W\], and "y" has item shape \[5\]/],
    [{ kind: 'region', tensor: 's', channel: 4, region: { box: [0, 0, 1, 1] }, reduce: 'sum' }, [4, 8, 8], /channel 4 is out of range for "s" \(0…3\)/],
    [{ kind: 'region', tensor: 's', channel: 0, region: { box: [0, 0, 9, 4] }, reduce: 'sum' }, [4, 8, 8], /box \[0,0,9,4\] leaves the 8×8 map/],
    [{ kind: 'region', tensor: 's', channel: 0, region: { box: [3, 0, 3, 4] }, reduce: 'sum' }, [4, 8, 8], /box \[3,0,3,4\] is empty/],
    [{ kind: 'region', tensor: 's', channel: 0, region: { box: [0, 0, 1.5, 1], units: 'fraction' }, reduce: 'sum' }, [4, 8, 8], /given as fractions and leaves \[0, 1\]/],
    [{ kind: 'region', tensor: 's', channel: 0, region: { box: [0.5, 0.5, 0.55, 0.55], units: 'fraction' }, reduce: 'sum' }, [4, 8, 8], /covers no cell of the 8×8 map/],
    [{ kind: 'region', tensor: 's', channel: 0, region: { mask: { dims: [2, 2], data: new Float32Array(4) } }, reduce: 'sum' }, [4, 8, 8], /covers no cell/],
    [{ kind: 'detection', tensor: 's', boxes: 'b', class: 3, box: [0, 0, 1, 1], iou: 0.5 }, [10, 3], /detection class 3 is out of range \(0…2\)/],
    [{ kind: 'detection', tensor: 's', boxes: 'b', class: 0, box: [0, 0, 1, 1], iou: 0.5 }, [10, 3, 2], /expected \[D, K\] \(or \[D\] for one class\)/],
    [{ kind: 'detection', tensor: 's', boxes: 'b', class: 0, box: [1, 0, 0, 1], iou: 0.5 }, [10, 3], /box \[1,0,0,1\] is not \[y0, x0, y1, x1\]/],
  ];
  for (const [target, dims, re] of cases) {
    const e = errorOf(() => checkTarget(target, dims, 'spec.yaml:7:13'));
    assert.is(exitCodeFor(e), EXIT.badInput);
    assert.is(e.code, 'E_ATTR_TARGET');
    assert.match(e.message, re);
    assert.is(e.where, 'spec.yaml:7:13');
  }
  const boxes = errorOf(() => pickDetection({ kind: 'detection', tensor: 's', boxes: 'b', class: 0, box: [0, 0, 1, 1], iou: 0.5 }, { dims: [1, 3, 5], data: new Float32Array(15) }, { dims: [1, 3, 2], data: new Float32Array(6) }));
  assert.match(boxes.message, /detection boxes "b" have item shape \[3,5\], expected \[3, 4\]/);
});

test.run();
