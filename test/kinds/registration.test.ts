// Adding an entry kind is its folder plus one registration line: the test-only `means:` kind
// (test/kinds/means/) goes through validate, run, shard, the JSON schema and every report writer
// without a line of src/ knowing it. And every kind honours `engine.batch` and reports it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerEntryKind } from '../../src/kinds/index.ts';
import { specJsonSchema } from '../../src/kinds/json-schema.ts';
import { loadSpecs, runSpecs, validateSpecs } from '../../src/run/index.ts';
import { planRun } from '../../src/run/plan.ts';
import { shardsOf } from '../../src/run/shard.ts';
import { DEFAULT_LIMITS } from '../../src/probe/limits.ts';
import { toJson, parseReport } from '../../src/report/json.ts';
import { toJunit } from '../../src/report/junit.ts';
import { toHtml } from '../../src/report/html/page.ts';
import { importOnnxFile } from '../../src/models/onnx-file.ts';
import { run } from '../../src/engine/session.ts';
import { readImage, toModelInput } from '../../src/stimuli/image.ts';
import { SpecError } from '../../src/suite/issues.ts';
import { asyncErrorOf } from '../helpers.ts';
import { meansKind } from './means/kind.ts';

registerEntryKind(meansKind);

const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-kinds-'));
// The specs live in a temporary folder and name the repository's fixtures.
const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const IMAGES = ['shape_0_disk.png', 'shape_1_square.png', 'shape_3_triangle.png'];
const LAYER = '/c2/Conv_output_0';

function specFile(name: string, body: string, engine = '{ device: cpu }'): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, `suite: ${name.replace(/\.yaml$/, '')}\nmodel: ${shapes}/shapes_cnn.onnx\nengine: ${engine}\n${body}`);
  return f;
}

const MEANS = (expect: string, layer = LAYER) => `means:
  - id: c2-mean
    layer: "${layer}"
    images: [${IMAGES.map((i) => `${shapes}/${i}`).join(', ')}]
    expect: { ${expect} }
`;

/** The layer's mean on each image, computed here without the runner. */
async function directMeans(): Promise<number[]> {
  const model = importOnnxFile(path.join(shapes, 'shapes_cnn.onnx'));
  const out: number[] = [];
  for (const f of IMAGES) {
    const x = toModelInput(readImage(path.join(shapes, f)), model.preprocess);
    const t = (await run(model.net, { [model.input.name]: x }, [LAYER], { device: 'cpu' }))[LAYER];
    out.push(t.data.reduce((s, v) => s + v, 0) / t.data.length);
  }
  return out;
}

test('a registered kind validates: its list key, its schema, its metric names and its layer names', async () => {
  const ok = await validateSpecs([specFile('ok.yaml', MEANS('mean: { min: -1000 }'))], { limits });
  assert.is(ok.plan[0].entries[0].probeKind, 'means.layer');
  const problems = async (f: string, schemaOnly: boolean) => {
    const e = await asyncErrorOf(() => validateSpecs([f], { limits, schemaOnly }));
    assert.instance(e, SpecError);
    return (e as SpecError).report(false);
  };
  let m = await problems(specFile('metric.yaml', MEANS('meen: { min: 0 }')), true);
  assert.match(m, /metric\.yaml:\d+:\d+: the means\.layer probe does not produce `meen`/);
  assert.match(m, /did you mean `mean`/);
  m = await problems(specFile('key.yaml', MEANS('mean: { min: 0 }').replace('layer:', 'layr:')), true);
  assert.match(m, /key\.yaml:6:5: unknown key `layr` — did you mean `layer`\?/);
  m = await problems(specFile('layer.yaml', MEANS('mean: { min: 0 }', '/c2/Conv_output')), false);
  assert.match(m, /layer\.yaml:6:12: .*\/c2\/Conv_output/);
  assert.match(m, /did you mean/);
});

test('a registered kind runs, shards and reports: measured values equal a direct forward pass', async () => {
  const file = specFile('run.yaml', MEANS('mean: { min: -1000 }') + `neurons:
  - { id: disk-logit, layer: logits, unit: 0, image: ${shapes}/shape_0_disk.png, expect: { activation: { min: 0 } } }
`);
  const { report } = await runSpecs({ paths: [file], limits });
  const entry = report.suites[0].entries.find((x) => x.id === 'c2-mean')!;
  assert.is(entry.kind, 'means');
  assert.not.ok(entry.error, JSON.stringify(entry.error));
  const want = await directMeans();
  const got = entry.measurements.mean as number[];
  assert.is(got.length, 3);
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-5 * Math.max(1, Math.abs(want[i])), `${v} vs ${want[i]}`));
  assert.ok(entry.checks.every((c) => c.passed));
  assert.is(report.exitCode, 0);
  // A check on it can fail.
  const failing = (await runSpecs({ paths: [specFile('fail.yaml', MEANS(`mean: { min: ${Math.max(...want) + 1} }`))], limits })).report;
  assert.is(failing.exitCode, 1);

  // Reports: JSON round-trips, JUnit and HTML name the entry.
  assert.equal(parseReport(toJson(report)).suites[0].entries.map((x) => x.kind), ['neurons', 'means']);
  assert.match(toJunit(report), /<testcase name="c2-mean( › [^"]+)?"/);
  assert.match(toHtml(report), /c2-mean/);

  // Shards: the kind's forward work (its three images) ties it to the neurons entry that feeds one of them.
  const plan = planRun(loadSpecs([file], { limits }));
  const s = shardsOf(plan, 2);
  assert.is(new Set(s.entries.map((x) => x.shard)).size, 1, 'entries sharing an image share a shard');

  // The JSON schema lists it.
  const props = (specJsonSchema() as { properties: Record<string, unknown> }).properties;
  assert.ok(props.means, 'means: in the JSON schema');
});

test('every kind honours engine.batch: onnxruntime runs per pass follow it, and the report says which', async () => {
  const images = `[${IMAGES.map((i) => `${shapes}/${i}`).join(', ')}]`;
  const body = `neurons:
  - { id: act, layer: logits, units: [0, 1], images: ${images}, expect: { activation: { min: -1000 } } }
`;
  const masks = `masks:
  - id: ig
    image: ${shapes}/shape_0_disk.png
    target: { class: 0 }
    method: { integrated_gradients: { steps: 4 } }
    expect: { score: { min: -1000 } }
`;
  const circuit = `circuits:
  - id: silence
    edit: [ { ablate: { layer: "/c3/Conv_output_0", units: [0] } } ]
    measure: { layer: logits, unit: 0, images: ${images} }
    expect: { activation: { change: { direction: none, absolute: 1000 } } }
`;
  for (const [name, text, runs] of [['neurons', body, [3, 2, 1]], ['means', MEANS('mean: { min: -1000 }'), [3, 2, 1]], ['circuits', circuit, [6, 4, 2]]] as const) {
    for (const [i, batch] of [1, 2, 16].entries()) {
      const { report, executed } = await runSpecs({ paths: [specFile(`${name}-${batch}.yaml`, text, `{ device: cpu, batch: ${batch} }`)], limits });
      const e = report.suites[0].entries[0];
      assert.not.ok(e.error, JSON.stringify(e.error));
      assert.is(e.params.batch, batch, `${name}: the report records the batch`);
      assert.is(executed.stats.batches, runs[i], `${name} with batch ${batch}: onnxruntime runs`);
    }
  }
  for (const batch of [1, 2]) {
    const { report } = await runSpecs({ paths: [specFile(`masks-${batch}.yaml`, masks, `{ device: cpu, batch: ${batch} }`)], limits });
    const e = report.suites[0].entries[0];
    assert.not.ok(e.error, JSON.stringify(e.error));
    assert.is(e.params.batch, batch);
    assert.is(e.params.internalBatchSize, batch, 'integrated gradients runs its path points in the engine batch');
  }
});

test.run();
