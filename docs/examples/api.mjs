// The programmatic API as docs/api.md shows it. In a project where neurogate is installed, with
// model.onnx, disk.png and the spec `npx neurogate init --model model.onnx --image disk.png` wrote:
//   node api.mjs
import { attribute, layers, loadModel, loadSuite, run } from 'neurogate';

const model = await loadModel('model.onnx');

// Every layer a spec can name, with its shape.
const all = await layers(model);
console.log(`${all.length} layers, e.g. ${all[0].name} ${JSON.stringify(all[0].shape)}`);

// A raw attribution map: integrated gradients for class 0 on one image.
const ig = await attribute(model, 'disk.png', { method: 'integrated_gradients', target: 0 });
console.log(`${ig.method}: map ${ig.map.dims.join('×')}, score ${ig.score.toFixed(3)}, completeness gap ${ig.completeness?.gap.toFixed(4)}`);

// A spec, validated, and a run of it: the same report `neurogate run` writes as JSON.
const { suite } = loadSuite('specs/model.yaml');
const report = await run('specs/model.yaml');
console.log(`${suite.suite}: exit ${report.exitCode}, ${report.summary.passed} of ${report.summary.checks} checks passed`);
process.exitCode = report.exitCode;
