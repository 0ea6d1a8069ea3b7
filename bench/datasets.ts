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

/** The spec run in a fresh process (after `warmUp` in the same one, when given). */
function child(file: string, warmUp?: string): { seconds: number; entrySeconds: number; maxRssBytes: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(here, 'datasets-child.ts'), file, ...(warmUp ? [warmUp] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
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
    makeFolder(root, 'warm', 1);
    const gradWarm = child(spec(root, 'grad-warm', masks('grad')), spec(root, 'warm-up', masks('warm')));
    const model = await loadModel(MODEL, root);
    const files = fs.readdirSync(path.join(root, 'fwd')).sort().map((f) => path.join(root, 'fwd', f));
    const inputs = files.map((f) => toModelInput(readImage(f), model.preprocess));
    const tap = '/Relu_output_0';
    await runBatched(model.net, model.input.name, inputs.slice(0, 16), [tap], { batchSize: 16 });
    const t0 = performance.now();
    await runBatched(model.net, model.input.name, inputs, [tap], { batchSize: 16 });
    const rawFwd = (performance.now() - t0) / 1000;
    // The reference: the autodiff's forward + input gradient on the decoded inputs, timed twice.
    // Cold, its first call builds the gradient graph and session, as the cold entry's first image
    // does. Warm (the graph built), at batch 1 and at the entry's batch 16, the faster taken: the
    // autodiff's best throughput, which the warm entry (run after a one-image warm-up entry in the
    // same process, sharing the gradient session) is held to.
    const logits = model.logits!;
    const g = inputs.slice(0, nGrad);
    const per = g[0].data.length;
    const stack = (xs: typeof g) => {
      const data = new Float32Array(xs.length * per);
      xs.forEach((x, i) => data.set(x.data, i * per));
      return { dims: [xs.length, ...g[0].dims.slice(1)], data };
    };
    const grad = (x: (typeof g)[number]) => gradient(model.net, { input: { [model.input.name]: x }, objective: logit(logits, 0), wrt: [model.input.name] });
    const timeGrad = async (batch: number) => {
      const t = performance.now();
      for (let i = 0; i < g.length; i += batch) await grad(batch === 1 ? g[i] : stack(g.slice(i, i + batch)));
      return (performance.now() - t) / 1000;
    };
    const rawGradCold = await timeGrad(1);
    const rawGradB1 = await timeGrad(1);
    await grad(stack(g.slice(0, 16)));
    const rawGradB16 = await timeGrad(16);

    const fw = summarize(`neurons entry over a folder, ${nForward} images (whole process)`, 'images/s', [nForward / fwdRun.seconds]);
    const gp = summarize(`masks gradient entry over a folder, ${nGrad} images (whole process)`, 'images/s', [nGrad / gradRun.seconds]);
    const fe = summarize(`neurons entry over a folder, ${nForward} images (the entry, decoding included)`, 'images/s', [nForward / fwdRun.entrySeconds]);
    const fr = summarize(`raw onnxruntime batched forward, ${nForward} decoded inputs`, 'images/s', [nForward / rawFwd]);
    const ge = summarize(`masks gradient entry over a folder, ${nGrad} images (the entry, decoding included, gradient session built in it)`, 'images/s', [nGrad / gradRun.entrySeconds]);
    const gc = summarize(`autodiff forward + input gradient, ${nGrad} decoded inputs at batch 1, first call building the session`, 'images/s', [nGrad / rawGradCold]);
    const gw = summarize(`masks gradient entry over a folder, ${nGrad} images (the entry, decoding included, after a warm-up entry)`, 'images/s', [nGrad / gradWarm.entrySeconds]);
    const g1 = summarize(`autodiff forward + input gradient, ${nGrad} decoded inputs at batch 1`, 'images/s', [nGrad / rawGradB1]);
    const g16 = summarize(`autodiff forward + input gradient, ${nGrad} decoded inputs at batch 16`, 'images/s', [nGrad / rawGradB16]);
    const gr = g1.median >= g16.median ? g1 : g16;

    return {
      title: `Datasets: streaming memory and throughput on shapes_cnn (64² PNGs resized to 224²)`,
      figures: [rs, rl, fw, fe, fr, gp, ge, gc, gw, g1, g16],
      ratios: [
        { ...ratio(`peak RSS ${large} / ${small} images`, rl, rs, { max: 1.2, text: '≤ 1.2×' }) },
        ratio('dataset forward-only entry / raw batched forward', fe, fr, { min: 0.8, text: '≥ 0.8×' }),
        ratio('dataset saliency entry / autodiff forward + gradient (both warm, the faster batch)', gw, gr, { min: 0.8, text: '≥ 0.8×' }),
        ratio('dataset saliency entry / autodiff forward + gradient (both cold: the session built inside)', ge, gc),
      ],
      notes: [
        'ratios time the entry (its report durationMs: decoding, resizing, forward, readout); the whole-process figures add start-up and model load; the references run on inputs decoded beforehand',
        'saliency: the target ratio compares warm with warm (the entry after a one-image warm-up entry in its process, the reference after its own first call) against the faster of batch 1 and 16; the cold ratio, for information, has both build the gradient session inside the timing',
      ],
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
