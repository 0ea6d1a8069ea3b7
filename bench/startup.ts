// Startup of the installed command: `neurogate --version` from the compiled build (dist/, what the
// package ships and bin/neurogate.js runs once installed), against the same from the TypeScript sources through tsx.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Section } from './lib.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function wallSeconds(args: string[], repeats: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < repeats + 1; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    if (i > 0) out.push((performance.now() - t0) / 1000); // the first run warms the file cache
  }
  return out.sort((a, b) => a - b);
}

export async function benchStartup(repeats = 7): Promise<Section> {
  // Builds dist/ when it is missing (npm run build), as `npm pack` would.
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  const built = wallSeconds(['dist/cli/main.js', '--version'], repeats);
  const sources = wallSeconds(['--import', 'tsx', 'src/cli/main.ts', '--version'], repeats);
  const fig = (name: string, s: number[]) => ({ name, unit: 's', min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1], repeats });
  const b = fig('neurogate --version, compiled (dist/)', built);
  return {
    title: 'Startup: `neurogate --version`, process start to exit',
    figures: [b, fig('neurogate --version, sources through tsx', sources)],
    ratios: [{ name: 'startup, compiled vs sources through tsx', value: fig('', sources).median / b.median, subject: 'dist/cli/main.js', reference: 'tsx src/cli/main.ts', target: 'compiled ≤ 0.5 s', met: b.median <= 0.5 }],
  };
}
