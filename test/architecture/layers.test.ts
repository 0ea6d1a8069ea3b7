// The layering of src/ holds: dependency-cruiser finds no forbidden edge (test/architecture/rules.ts)
// and no import cycle between modules or between folders. Fixtures show that an upward import and a
// folder cycle are caught, so a passing run means something.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { isKnownException, LAYER_RULES } from './rules.ts';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

async function cruiseTree(baseDir: string): Promise<ICruiseResult> {
  const r = await cruise(['src'], {
    baseDir,
    validate: true,
    ruleSet: { forbidden: LAYER_RULES },
    // Type-only imports are edges too: a report that names an engine type depends on the engine.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    outputType: 'json',
  }, { extensions: ['.ts'] });
  return JSON.parse(r.output as string) as ICruiseResult;
}

/** A module's folder: src/<top>, and src/probes/<kind> for each probe family. */
function folderOf(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'src' || parts.length < 3) return undefined;
  return parts[1] === 'probes' && parts.length > 3 ? parts.slice(0, 3).join('/') : parts.slice(0, 2).join('/');
}

/** Cycles in the folder graph (each as the folders on it), found by depth-first search. */
function folderCycles(result: ICruiseResult): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const m of result.modules) {
    const a = folderOf(m.source);
    if (!a) continue;
    for (const d of m.dependencies) {
      const b = folderOf(d.resolved);
      if (b && b !== a && !isKnownException(m.source, d.resolved)) {
        if (!edges.has(a)) edges.set(a, new Set());
        edges.get(a)!.add(b);
      }
    }
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of [...(edges.get(f) ?? [])].sort()) {
      if (state.get(g) === 'open') cycles.push([...stack.slice(stack.indexOf(g)), g]);
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...edges.keys()].sort()) if (!state.has(f)) visit(f);
  return cycles;
}

const describe = (r: ICruiseResult) => r.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).join('\n');

test('src/ keeps its layers: no forbidden edge, no module cycle, no folder cycle', async () => {
  const r = await cruiseTree(repo);
  assert.ok(r.summary.totalCruised > 150, `cruised ${r.summary.totalCruised} modules`);
  assert.is(r.summary.violations.length, 0, describe(r));
  assert.equal(folderCycles(r), []);
});

test('an upward import (the contract importing the runner) breaks a rule', async () => {
  const r = await cruiseTree(path.join(repo, 'test', 'fixtures', 'layering', 'upward'));
  assert.equal(r.summary.violations.map((v) => [v.rule.name, v.from, v.to]), [['contract-is-below-the-kinds', 'src/probe/contract.ts', 'src/run/runner.ts']]);
});

test('a cycle between folders is found even when no module cycle exists', async () => {
  const r = await cruiseTree(path.join(repo, 'test', 'fixtures', 'layering', 'cycle'));
  assert.not.ok(r.summary.violations.some((v) => v.rule.name === 'no-module-cycles'), describe(r));
  assert.equal(folderCycles(r), [['src/stimuli', 'src/suite', 'src/stimuli']]);
});

test('modules importing each other at run time break the cycle rule', async () => {
  const r = await cruiseTree(path.join(repo, 'test', 'fixtures', 'layering', 'modcycle'));
  assert.equal([...new Set(r.summary.violations.map((v) => v.rule.name))], ['no-module-cycles'], describe(r));
});

test.run();
