// The tool's version, read once from package.json (reports record it).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const VERSION: string = require('../package.json').version;
