// Datasets at scale (issue #21): peak RSS of a run over 5,000 generated images against one over 100
// (streaming keeps it flat), and the throughput of dataset entries against the engine underneath:
// a forward-only neurons entry vs raw batched onnxruntime, a gradient masks entry vs the autodiff's
// own forward + gradient, all on the PyTorch-exported shapes_cnn and the same images.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadModel } from '../src/models/load.ts';
import { runBatched } from '../src/engine/session.ts';
import { gradient, logit } from '../src/engine/autodiff/index.ts';
import { encodePng, readImage, toModelInput } from '../src/stimuli/image.ts';
import { makeRng } from '../src/util/rng.ts';
import { summarize, ratio, type Section } from './lib.ts';

const here = path.dirname(new URL(import.meta.url).pathname);
const MODEL = path.resolve(here, '..', 'test', 'fixtures', 'shapes_cnn', 'shapes_cnn.onnx');

export interface DatasetsBenchOptions {
  /** Images of the large run (the issue: 5,000) and of the small one (100). */
  large?: number;
  small?: number;
  /** Images timed for throughput. */
  forwardImages?: number;
  gradientImages?: number;
}

/** n seeded 64² PNGs (a bright square on noise) in a fresh folder. */
function makeFolder(root: string, name: string, n: number): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const rng = makeRng(n);
  for (let i = 0; i < n; i++) {
    const w = 64;
    const data = new Float32Array(w * w * 3);
    for (let k = 0; k < data.length; k++) data[k] = 60 + 60 * rng();
    const x0 = Math.floor(rng() * 40);
    const y0 = Math.floor(rng() * 40);
    for (let y = y0; y < y0 + 20; y++) for (let x = x0; x < x0 + 20; x++) data.fill(235, (y * w + x) * 3, (y * w + x) * 3 + 3);
    fs.writeFileSync(path.join(dir, `im${String(i).padStart(5, '0')}.png`), encodePng({ width: w, height: w, data }));
  }
  return dir;
}

function spec(root: string, name: string, body: string): string {
  const f = path.join(root, `${name}.yaml`);
  fs.writeFileSync(f, `suite: ${name}\nmodel: ${MODEL}\nengine: { device: cpu, batch: 16 }\n${body}`);
  return f;
}

const neurons = (folder: string) => `neurons:\n  - id: acts\n    layer: /Relu_output_0\n    unit: 0\n    reduce: max\n    images: { folder: ${folder} }\n    expect: { activation.mean: { min: -1000 } }\n`;
const masks = (folder: string) => `masks:\n  - id: grads\n    images: { folder: ${folder} }\n    target: { class: 0 }\n    method: { gradient: {} }\n    expect: { score: { min: -1000 } }\n`;

function child(file: string): { seconds: number; entrySeconds: number; maxRssBytes: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(here, 'datasets-child.ts'), file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.trim().split('\n').pop()!);
}

export async function benchDatasets(o: DatasetsBenchOptions = {}): Promise<Section> {
  const large = o.large ?? 5000;
  const small = o.small ?? 100;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-bench-datasets-'));
  fs.writeFileSync(path.join(root, 'package.json'), '{}');
  try {
    makeFolder(root, 'small', small);
    makeFolder(root, 'large', large);
    const nForward = Math.min(o.forwardImages ?? 1000, large);
    const nGrad = Math.min(o.gradientImages ?? 100, large);
    makeFolder(root, 'fwd', nForward);
    makeFolder(root, 'grad', nGrad);

    // Memory: each run in its own process, so one's heap does not inflate the other's peak.
    const rssSmall = child(spec(root, 'rss-small', neurons('small')));
    const rssLarge = child(spec(root, 'rss-large', neurons('large')));
    const mib = (b: number) => b / 2 ** 20;
    const rs = summarize(`peak RSS, neurons entry over ${small} images`, 'MiB', [mib(rssSmall.maxRssBytes)]);
    const rl = summarize(`peak RSS, neurons entry over ${large} images`, 'MiB', [mib(rssLarge.maxRssBytes)]);

    // Throughput: the entry (decode + preprocess + forward + readout, in a fresh process) against the
    // model run alone on inputs decoded beforehand, batched the same.
    const fwdRun = child(spec(root, 'fwd', neurons('fwd')));
    const gradRun = child(spec(root, 'grad', masks('grad')));
    const model = await loadModel(MODEL, root);
    const files = fs.readdirSync(path.join(root, 'fwd')).sort().map((f) => path.join(root, 'fwd', f));
    const inputs = files.map((f) => toModelInput(readImage(f), model.preprocess));
    const tap = '/Relu_output_0';
    await runBatched(model.net, model.input.name, inputs.slice(0, 16), [tap], { batchSize: 16 });
    let t0 = performance.now();
    await runBatched(model.net, model.input.name, inputs, [tap], { batchSize: 16 });
    const rawFwd = (performance.now() - t0) / 1000;
    const logits = model.logits!;
    const g = inputs.slice(0, nGrad);
    await gradient(model.net, { input: { [model.input.name]: g[0] }, objective: logit(logits, 0), wrt: [model.input.name] });
    t0 = performance.now();
    for (const x of g) await gradient(model.net, { input: { [model.input.name]: x }, objective: logit(logits, 0), wrt: [model.input.name] });
    const rawGrad = (performance.now() - t0) / 1000;

    const fw = summarize(`neurons entry over a folder, ${nForward} images (whole process)`, 'images/s', [nForward / fwdRun.seconds]);
    const gw = summarize(`masks gradient entry over a folder, ${nGrad} images (whole process)`, 'images/s', [nGrad / gradRun.seconds]);
    const fe = summarize(`neurons entry over a folder, ${nForward} images (the entry, decoding included)`, 'images/s', [nForward / fwdRun.entrySeconds]);
    const fr = summarize(`raw onnxruntime batched forward, ${nForward} decoded inputs`, 'images/s', [nForward / rawFwd]);
    const ge = summarize(`masks gradient entry over a folder, ${nGrad} images (the entry, decoding included)`, 'images/s', [nGrad / gradRun.entrySeconds]);
    const gr = summarize(`autodiff forward + input gradient, ${nGrad} decoded inputs`, 'images/s', [nGrad / rawGrad]);
    return {
      title: `Datasets: streaming memory and throughput on shapes_cnn (64² PNGs resized to 224²)`,
      figures: [rs, rl, fw, fe, fr, gw, ge, gr],
      ratios: [
        { ...ratio(`peak RSS ${large} / ${small} images`, rl, rs, { max: 1.2, text: '≤ 1.2×' }) },
        ratio('dataset forward-only entry / raw batched forward', fe, fr, { min: 0.8, text: '≥ 0.8×' }),
        ratio('dataset saliency entry / autodiff forward + gradient', ge, gr, { min: 0.8, text: '≥ 0.8×' }),
      ],
      notes: ['ratios time the entry (its report durationMs: decoding, resizing, forward, readout); the whole-process figures add start-up and model load; the references run on inputs decoded beforehand'],
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
