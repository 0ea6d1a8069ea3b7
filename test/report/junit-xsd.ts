// Validation against the common JUnit schema (fixtures/junit-10.xsd, from Jenkins xUnit) with
// libxml2 compiled to WebAssembly (xmllint-wasm), for the tests that write junit.xml.
import fs from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';

const xsd = fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'junit-10.xsd'), 'utf8');

/**
 * The schema's complaints about each document, in order ([] = valid). One libxml2 start takes
 * seconds, so every document of a test goes through one call.
 */
export async function validateJunit(docs: string[]): Promise<string[][]> {
  const names = docs.map((_, i) => `junit-${i}.xml`);
  const r = await validateXML({ xml: docs.map((contents, i) => ({ fileName: names[i], contents })), schema: [{ fileName: 'junit-10.xsd', contents: xsd }] });
  return names.map((n) => r.errors.filter((e) => e.loc?.fileName === n || e.rawMessage.startsWith(`${n} `)).map((e) => e.rawMessage));
}
