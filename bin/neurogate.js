#!/usr/bin/env node
// Entry point for `npx neurogate`: loads the TypeScript sources through tsx (a dependency),
// so there is no build step between `npm install` and a working command.
import { register } from 'tsx/esm/api';

register();
const { runAsProcess } = await import('../src/cli/main.ts');
runAsProcess(process.argv.slice(2));
