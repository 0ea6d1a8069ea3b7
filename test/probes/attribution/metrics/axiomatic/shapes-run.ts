// What the shapes-CNN property tests share: a masks suite on test/fixtures/shapes_cnn written to a
// temporary spec, run whole, and each entry's measurements by id.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpecs } from '../../../../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../../../../src/probe/limits.ts';

export const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', '..', 'fixtures', 'shapes_cnn');
export const specDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-properties-'));
export const limits = { ...DEFAULT_LIMITS, allowOutside: true };

/** The masks `entries` (YAML list items) as one suite on the shapes CNN, run on the CPU. */
export async function runShapes(entries: string): Promise<Record<string, Record<string, number>>> {
  const f = path.join(specDir, 'properties.yaml');
  fs.writeFileSync(f, `suite: properties
model: ${shapes}/shapes_cnn.onnx
engine: { device: cpu }
masks:
${entries}`);
  const { report } = await runSpecs({ paths: [f], limits });
  return Object.fromEntries(report.suites[0].entries.map((e) => [e.id, e.measurements as Record<string, number>]));
}
