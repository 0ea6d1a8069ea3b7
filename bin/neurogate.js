#!/usr/bin/env node
// Entry point for `npx neurogate`. The installed package runs its compiled build (dist/); a checkout
// of the repository, which has src/ and tsx (a devDependency), runs the TypeScript sources, so
// there is no build step between a clone and a working command and never a stale build.
import fs from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (fs.existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  main = await import(sources.href);
} else {
  main = await import('../dist/cli/main.js');
}
main.runAsProcess(process.argv.slice(2));
