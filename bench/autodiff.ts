// Gradient cost on the zoo models: one forward pass vs one forward+gradient pass (input
// gradient of a class logit) through gradient(), measured interleaved in the same run so
// machine load hits both alike. Target: gradient ≤ 3× forward.
import { loadModel } from '../src/models/load.ts';
import { run, type ConcreteDevice } from '../src/engine/session.ts';
import { gradient, logit } from '../src/engine/autodiff/index.ts';
import { summarize, ratio, type Section } from './lib.ts';

export interface GradientBenchOptions {
  batch?: number;
  repeats?: number;
  device?: ConcreteDevice;
  models?: string[];
}

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export async function benchGradient(opts: GradientBenchOptions = {}): Promise<Section> {
  const batch = opts.batch ?? 1;
  const repeats = opts.repeats ?? 7;
  const device = opts.device ?? 'cpu';
  const section: Section = { title: `Autodiff: forward vs forward+input-gradient (${device}, batch ${batch})`, figures: [], ratios: [], notes: [] };
  for (const name of opts.models ?? ['mobilenet_v2', 'inception_v3']) {
    const m = await loadModel(`zoo:${name}`);
    const { channels, height, width } = m.input;
    const n = batch * channels * height * width;
    const x = { dims: [batch, channels, height, width], data: Float32Array.from({ length: n }, (_, i) => ((i * 2654435761) % 1000) / 1000) };
    const logits = m.logits!;
    const forward = () => run(m.net, { [m.input.name]: x }, [logits], { device });
    const backward = () => gradient(m.net, { input: { [m.input.name]: x }, objective: logit(logits, 0), wrt: [m.input.name] }, { device });
    const firstForward = await seconds(forward);
    const build = await seconds(backward); // probe shapes, build the VJP graph, create its session
    const f: number[] = [], g: number[] = [];
    for (let i = 0; i < repeats + 1; i++) {
      const tf = await seconds(forward);
      const tg = await seconds(backward);
      if (i > 0) { f.push(tf); g.push(tg); } // first lap warms both sessions
    }
    const ff = summarize(`${name} ${height}² forward`, 's', f);
    const gg = summarize(`${name} ${height}² forward+gradient`, 's', g);
    section.figures.push(ff, gg, summarize(`${name} first gradient call (build + session)`, 's', [build]));
    section.ratios.push({ ...ratio(`${name}: forward+gradient ÷ forward (time)`, gg, ff, { max: 3, text: '≤ 3×' }) });
    section.notes!.push(`${name}: first forward ${firstForward.toFixed(2)} s (session creation)`);
  }
  return section;
}
