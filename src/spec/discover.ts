// Which files a command line names: spec files as given, directories searched for *.yaml / *.yml
// (recursively, sorted, so every run visits suites in the same order).
import fs from 'node:fs';
import path from 'node:path';
import { badInput } from '../errors.ts';

const SPEC_FILE = /\.ya?ml$/i;

export function discoverSpecs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    let st: fs.Stats;
    try {
      st = fs.statSync(a);
    } catch {
      throw badInput('E_SPEC_MISSING', 'no such file or directory', a, 'give spec files (.yaml) or directories holding them');
    }
    if (st.isDirectory()) {
      const found = walk(a);
      if (found.length === 0) throw badInput('E_SPEC_NONE', 'the directory holds no .yaml or .yml spec files', a, 'give spec files (.yaml) or directories holding them');
      out.push(...found);
    } else out.push(a);
  }
  // The same file named twice (a dir and a file in it) runs once.
  const seen = new Set<string>();
  return out.filter((f) => {
    const abs = path.resolve(f);
    if (seen.has(abs)) return false;
    seen.add(abs);
    return true;
  });
}

function walk(dir: string): string[] {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return entries.flatMap((e) => {
    if (e.name.startsWith('.') || e.name === 'node_modules') return [];
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.isFile() && SPEC_FILE.test(e.name) ? [p] : [];
  });
}
