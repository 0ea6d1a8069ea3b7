// `npm run schema`: regenerate specs/schema.json from the zod schema (a test fails when the
// committed file is stale).
import fs from 'node:fs';
import path from 'node:path';
import { specJsonSchemaText } from '../src/kinds/json-schema.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const file = path.join(root, 'specs', 'schema.json');
fs.mkdirSync(path.dirname(file), { recursive: true });
const text = specJsonSchemaText();
const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
if (old === text) console.log(`${path.relative(process.cwd(), file)} is up to date`);
else {
  fs.writeFileSync(file, text);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
