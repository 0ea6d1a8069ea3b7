// How `--shard i/n` cuts a dataset entry by images: contiguous ranges of the source's order that
// cover every image once, sizes within one image of each other, part k in shard k; entries that
// must run whole (repeats, lists of files) are not cut; pinned parts never move in the balancing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import path from 'node:path';
import { FC_SEED } from '../seed.ts';
import { loadSpecs } from '../../src/run/index.ts';
import { planRun } from '../../src/run/plan.ts';
import { cutImages, imageParts, shardPlan, splitWork, type WorkItem } from '../../src/run/shard.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const plan = planRun(loadSpecs([path.join(root, 'docs', 'examples', 'datasets.yaml')]));
const byId = (id: string) => plan[0].entries.find((e) => e.id === id)!;

test('parts are contiguous, cover every image once, and differ in size by at most one', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 5000 }), fc.integer({ min: 2, max: 1000 }), (n, total) => {
    const parts = cutImages(n, total);
    assert.is(parts.length, Math.min(total, n));
    assert.is(parts[0].from, 0);
    assert.is(parts[parts.length - 1].to, n);
    parts.forEach((p, k) => {
      assert.is(p.index, k + 1);
      if (k > 0) assert.is(p.from, parts[k - 1].to);
    });
    const sizes = parts.map((p) => p.to - p.from);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1 && Math.min(...sizes) >= 1);
    assert.ok(parts.every((p) => p.of === n && p.parts === parts.length));
  }), { seed: FC_SEED, numRuns: 200 });
});

test('every shard runs its part of a split entry; entries with repeats or one shard stay whole', () => {
  const entry = byId('gradient-pointing');
  assert.is(imageParts(entry, 1), undefined);
  assert.is(imageParts({ ...entry, repeat: 2 }, 3), undefined);
  assert.ok(imageParts(entry, 3));
  const shards = [1, 2, 3].map((index) => shardPlan(plan, { index, total: 3 }));
  for (const [k, s] of shards.entries()) {
    const mine = s.plan.flatMap((x) => x.entries).find((e) => e.id === 'gradient-pointing')!;
    assert.is(mine.part!.index, k + 1);
    assert.is(mine.part!.of, 24);
    assert.is(mine.part!.to - mine.part!.from, 8);
  }
  assert.ok(new Set(shards.map((s) => s.hash)).size === 1, 'one plan hash');
});

test('pinned items stay in their shard; the rest balance around them', () => {
  const item = (key: string, ms: number, pinned?: number): WorkItem => ({ inputs: [{ key, ms }], models: ['m'], ownMs: 0, ...(pinned !== undefined && { pinned }) });
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 100 }), fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined })), { minLength: 1, maxLength: 20 }), (xs) => {
    const items = xs.map(([ms, pin], i) => item(`k${i}`, ms, pin));
    const s = splitWork(items, new Map([['m', 10]]), 4);
    items.forEach((it, i) => {
      if (it.pinned !== undefined) assert.is(s.shardOf[i], it.pinned);
    });
  }), { seed: FC_SEED, numRuns: 100 });
  assert.throws(() => splitWork([item('a', 1, 5)], new Map(), 2), /pinned to shard 5 of 2/);
});

test.run();
