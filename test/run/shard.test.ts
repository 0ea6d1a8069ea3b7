// Sharding without models: `--shard i/n` parsing, the splitter's invariants as properties (a
// partition, shared inputs together, loads as claimed, the LPT bound, cost beats count), and the
// split and plan hash of the shipped specs (every shard cuts the same plan the same way).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { loadSpecs } from '../../src/run/index.ts';
import { planRun } from '../../src/run/plan.ts';
import { parseShard, planHash, shardPlan, shardsOf, splitWork, type WorkItem } from '../../src/run/shard.ts';
import { masksPasses } from '../../src/probes/attribution/cost.ts';
import { loadSpecText } from '../../src/kinds/load.ts';
import { errorOf } from '../helpers.ts';
import { FC_SEED } from '../seed.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
process.chdir(root);

test('--shard i/n: 1-based, 1 ≤ i ≤ n; anything else is bad input naming the form', () => {
  assert.equal(parseShard('1/1'), { index: 1, total: 1 });
  assert.equal(parseShard('3/4'), { index: 3, total: 4 });
  assert.equal(parseShard('02/10'), { index: 2, total: 10 });
  for (const bad of ['0/3', '4/3', '1/0', '0/0', 'a/b', '1-3', '', '1/3/4', ' 1/3', '1/1001', '-1/3', '1.5/3', '99999999999/3']) {
    const e = errorOf(() => parseShard(bad, 'neurogate run …'));
    assert.is(e.code, 'E_ARGS', bad);
    assert.is(e.kind, 'bad_input', bad);
    assert.match(e.hint!, /--shard i\/n/, bad);
  }
  assert.match(errorOf(() => parseShard('0/3')).message, /shards count from 1/);
});

// Items over a small pool of keys and models, so that sharing and shared setups happen often.
const itemArb = fc.record({
  inputs: fc.array(fc.record({ k: fc.integer({ min: 0, max: 30 }), m: fc.integer({ min: 0, max: 3 }) }), { minLength: 0, maxLength: 4 }),
  ownMs: fc.integer({ min: 0, max: 50 }),
});
const workArb = fc.record({
  raw: fc.array(itemArb, { minLength: 0, maxLength: 40 }),
  // A key's cost is a property of the key (same model, same input), as in a real plan.
  keyMs: fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 31, maxLength: 31 }),
  setup: fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 4, maxLength: 4 }),
  n: fc.integer({ min: 1, max: 6 }),
});

interface Work { raw: { inputs: { k: number; m: number }[]; ownMs: number }[]; keyMs: number[]; setup: number[]; n: number }

function build(w: Work): { items: WorkItem[]; setups: Map<string, number> } {
  const items = w.raw.map((r) => ({
    inputs: r.inputs.map(({ k, m }) => ({ key: `m${m}|in${k}`, ms: w.keyMs[k] })),
    models: [...new Set(r.inputs.map(({ m }) => `m${m}`))],
    ownMs: r.ownMs,
  }));
  return { items, setups: new Map(w.setup.map((s, m) => [`m${m}`, s])) };
}

/** What a shard really costs: its distinct inputs once, its items' own work, each model's setup once. */
function shardCost(items: WorkItem[], setups: Map<string, number>, members: number[]): number {
  const keys = new Map<string, number>();
  const models = new Set<string>();
  let own = 0;
  for (const i of members) {
    own += items[i].ownMs;
    for (const k of items[i].inputs) keys.set(k.key, k.ms);
    for (const m of items[i].models) models.add(m);
  }
  return own + [...keys.values()].reduce((s, v) => s + v, 0) + [...models].reduce((s, m) => s + setups.get(m)!, 0);
}

test('property: every item lands in exactly one of the n shards, items sharing an input share a shard, and the split is deterministic', () => {
  fc.assert(fc.property(workArb, (w) => {
    const { items, setups } = build(w);
    const a = splitWork(items, setups, w.n);
    const b = splitWork(items, setups, w.n);
    assert.equal(a, b, 'same items, same split');
    assert.is(a.shardOf.length, items.length);
    for (const s of a.shardOf) assert.ok(Number.isInteger(s) && s >= 0 && s < w.n);
    const shardOfKey = new Map<string, number>();
    items.forEach((it, i) => {
      for (const { key } of it.inputs) {
        const s = shardOfKey.get(key);
        if (s !== undefined) assert.is(a.shardOf[i], s, `items sharing ${key} split apart`);
        shardOfKey.set(key, a.shardOf[i]);
      }
    });
  }), { seed: FC_SEED, numRuns: 300 });
});

test('property: each shard\'s load is what it really costs (inputs once, setups once per shard), and no shard exceeds total/n + the largest component', () => {
  fc.assert(fc.property(workArb, (w) => {
    const { items, setups } = build(w);
    const { shardOf, loads, totalMs } = splitWork(items, setups, w.n);
    const members = Array.from({ length: w.n }, (_, s) => items.map((_, i) => i).filter((i) => shardOf[i] === s));
    members.forEach((m, s) => assert.ok(Math.abs(loads[s] - shardCost(items, setups, m)) < 1e-6, `shard ${s}: claimed ${loads[s]}, costs ${shardCost(items, setups, m)}`));
    assert.ok(Math.abs(totalMs - shardCost(items, setups, items.map((_, i) => i))) < 1e-6, 'one process pays every setup once');
    // Components alone (their own setups included): the LPT bound holds with setups too.
    const comps = new Map<number, number[]>();
    const parentOf = componentsOf(items);
    items.forEach((_, i) => comps.set(parentOf[i], [...(comps.get(parentOf[i]) ?? []), i]));
    const alone = [...comps.values()].map((m) => shardCost(items, setups, m));
    const bound = alone.reduce((s, v) => s + v, 0) / w.n + Math.max(0, ...alone);
    assert.ok(Math.max(...loads) <= bound + 1e-6, `max load ${Math.max(...loads)} > bound ${bound}`);
  }), { seed: FC_SEED, numRuns: 300 });
});

test('property: cost, not count — a component costing more than all others together gets a shard of its own', () => {
  fc.assert(fc.property(workArb, fc.integer({ min: 2, max: 6 }), (w, n) => {
    const { items, setups } = build(w);
    const heavy: WorkItem = { inputs: [{ key: 'heavy|x', ms: 1 }], models: [], ownMs: 0 };
    heavy.ownMs = shardCost(items, setups, items.map((_, i) => i)) * 2 + 1;
    const all = [...items, heavy];
    const { shardOf } = splitWork(all, setups, n);
    const mine = shardOf[all.length - 1];
    assert.ok(shardOf.slice(0, -1).every((s) => s !== mine), 'something shares the heavy shard');
  }), { seed: FC_SEED, numRuns: 200 });
});

function componentsOf(items: WorkItem[]): number[] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const owner = new Map<string, number>();
  items.forEach((it, i) => it.inputs.forEach(({ key }) => {
    const o = owner.get(key);
    if (o === undefined) owner.set(key, i);
    else parent[find(i)] = find(o);
  }));
  return items.map((_, i) => find(i));
}

// The three shipped suites the cost figures were measured on (specs/ grows with other probes).
const THREE = ['specs/inception_v3.yaml', 'specs/mobilenet_v2.yaml', 'specs/shapes_cnn.yaml'];
const three = planRun(loadSpecs(THREE));
const ids = (plan: typeof three) => plan.flatMap((s) => s.entries.map((e) => `${s.name}/${e.id}`));

test('the shipped suites: for n = 1 … 6 the shards partition the plan in plan order, all agree on the plan and its hash', () => {
  const all = ids(three);
  const hash = planHash(three);
  assert.match(hash, /^[0-9a-f]{32}$/);
  for (let n = 1; n <= 6; n++) {
    const parts = Array.from({ length: n }, (_, i) => shardPlan(three, { index: i + 1, total: n }));
    const union = parts.flatMap((p) => ids(p.plan));
    assert.equal([...union].sort(), [...all].sort(), `n = ${n}: every entry exactly once`);
    for (const p of parts) {
      assert.is(p.hash, hash, 'the hash is the whole plan\'s, not the shard\'s');
      assert.equal(p.info.plan.flatMap((s) => s.entries.map((e) => `${s.suite}/${e}`)), all);
      const mine = ids(p.plan);
      assert.equal(mine, all.filter((id) => mine.includes(id)), 'plan order kept');
      assert.ok(p.plan.every((s) => s.entries.length > 0), 'no empty suites');
    }
    const est = parts.map((p) => p.info.estimatedMs);
    assert.equal(est, shardsOf(three, n).loads.map(Math.round));
  }
});

test('the shipped suites: entries sharing an image on one model stay together; the costly InceptionV3 suite is a shard of its own, though it has 3 of 13 entries', () => {
  assert.is(ids(three).length, 13);
  for (let n = 2; n <= 4; n++) {
    const { entries } = shardsOf(three, n);
    const of = (suite: string, id: string) => entries.find((e) => e.suite === suite && e.id === id)!.shard;
    // All three InceptionV3 entries read chelsea.png; the shapes entries share their three scenes.
    const incep = entries.filter((e) => e.suite === 'inception-v3-basics');
    assert.is(new Set(incep.map((e) => e.shard)).size, 1);
    assert.is(new Set(entries.filter((e) => e.suite === 'shapes-cnn-export').map((e) => e.shard)).size, 1);
    assert.is(of('mobilenet-v2-basics', 'neutral-logit-on-photos'), of('mobilenet-v2-basics', 'relu6-stays-in-range'));
    assert.ok(entries.filter((e) => e.shard === incep[0].shard).every((e) => e.suite === 'inception-v3-basics'), `n = ${n}: InceptionV3 shares its shard`);
  }
});

test('probes that feed more than their inputs cost more: a feature visualization (64 steps) outweighs four photos and gets a shard of its own', () => {
  const file = path.join(root, 'test', 'fixtures', 'specs', 'failing', 'virtual-costs.yaml');
  const photo = (id: string, img: string) => `  - id: ${id}\n    layer: Conv1_relu\n    unit: 0\n    image: ../../images/${img}\n    expect:\n      activation: { min: 0 }\n`;
  const text = `suite: costs\nmodel: zoo:mobilenet_v2\nengine: { device: cpu }\nneurons:\n${photo('a', 'chelsea.png')}${photo('b', 'coffee.png')}`
    + `  - id: viz\n    layer: block_3_expand_relu\n    unit: 0\n    featureviz: { steps: 64 }\n    expect:\n      featureviz.gain: { min: 1 }\n`
    + `${photo('c', 'astronaut.png')}${photo('d', 'rocket.jpg')}`;
  const plan = planRun([loadSpecText(file, text)]);
  for (let n = 2; n <= 4; n++) {
    const { entries } = shardsOf(plan, n);
    const viz = entries.find((e) => e.id === 'viz')!.shard;
    assert.equal(entries.filter((e) => e.shard === viz).map((e) => e.id), ['viz'], `n = ${n}`);
  }
});

test('the plan hash: stable across loads, moved by a changed spec or by options that change the work, never by the shard', () => {
  assert.is(planHash(planRun(loadSpecs(THREE))), planHash(three));
  const file = path.join(root, 'specs', 'shapes_cnn.yaml');
  const text = fs.readFileSync(file, 'utf8');
  const others = loadSpecs(THREE.slice(0, 2));
  const withText = (t: string) => planHash(planRun([...others, loadSpecText(file, t)]));
  const base = withText(text);
  assert.is(base, planHash(three), 'the same text read in memory hashes the same');
  assert.is.not(withText(text.replace('near: 5.91057', 'near: 5.91058')), base, 'a changed bound');
  assert.is.not(withText(`${text}\n# a comment\n`), base, 'any edit of the spec text');
  assert.is.not(planHash(planRun(loadSpecs(THREE), { seed: 3 })), base, '--seed');
  assert.is.not(planHash(planRun(loadSpecs(THREE), { device: 'cpu' })), base, '--device');
  assert.is.not(planHash(planRun(loadSpecs(THREE), { filter: /mobilenet/ })), base, '--filter');
  assert.is.not(planHash(planRun(loadSpecs(THREE.slice(0, 2)))), base, 'a spec file fewer');
});

test('attribution entries are costed by their method and measurements, and their shared photographs do not tie them together', () => {
  const e = (method: Record<string, unknown>, measure = {}) => masksPasses({ id: 'x', image: 'a.png', method, measure, expect: {} } as never);
  assert.ok(e({ extremal: { iterations: 300, areas: [0.05, 0.1, 0.2] } }) > 100 * e({ gradient: {} }));
  assert.ok(e({ rise: { masks: 1000 } }) > e({ rise: { masks: 100 } }));
  assert.ok(e({ gradient: {} }, { deletion: { steps: 50 }, random_baseline: true }) > e({ gradient: {} }, { deletion: { steps: 50 } }));
  // The shipped masks suite names the same two photographs in every entry; split in two, it still
  // lands in both shards, balanced within the cost of its largest entry.
  const plan = planRun(loadSpecs(['specs']));
  const shards = [1, 2].map((index) => shardPlan(plan, { index, total: 2 }));
  for (const s of shards) assert.ok(s.plan.some((p) => p.name === 'mobilenet-v2-masks'), JSON.stringify(s.plan.map((p) => p.name)));
});

test.run();
