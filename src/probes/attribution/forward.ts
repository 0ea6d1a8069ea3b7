// Batched forward scoring of many generated inputs (occlusion windows, deletion curves): inputs
// are written straight into batch buffers. onnxruntime-node runs a session on the calling thread
// (its run() only defers to setImmediate), so filling never overlaps a run: keep `fill` cheap.
import { run } from '../../engine/session.ts';
import type { Tensor } from '../../engine/tensor.ts';
import { scoresOf, targetTensor } from './target.ts';
import type { Subject, Target } from './types.ts';

export interface ScoreManyOptions {
  /** Override the subject's batch size (items per onnxruntime run). */
  batchSize?: number;
  /** Turn the target tensor of a batch into one score per item (default: the target's value). */
  reduce?: (t: Tensor) => Float64Array;
  /** Called after each batch with (done, total). */
  onBatch?: (done: number, total: number) => void;
}

/**
 * Scores of `count` inputs that `fill(i, dst)` writes (item i, [C, H, W] values) into `dst`.
 * `fill` may also keep per-item state (e.g. the RISE mask) for `consume`, which sees each batch's
 * scores in order before its buffers are reused.
 */
export async function scoreMany(
  subject: Subject,
  target: Target,
  count: number,
  fill: (i: number, dst: Float32Array) => void,
  opts: ScoreManyOptions & { consume?: (start: number, scores: Float64Array) => void } = {},
): Promise<Float64Array> {
  const [C, H, W] = subject.inputDims;
  const per = C * H * W;
  const bs = Math.max(1, Math.min(opts.batchSize ?? subject.batchSize, count));
  const tensor = targetTensor(subject, target);
  const reduce = opts.reduce ?? ((t: Tensor) => scoresOf(target, t));
  const out = new Float64Array(count);
  // Two buffers: the next batch is filled before the pending run has read its feeds.
  const bufs = [new Float32Array(bs * per), new Float32Array(bs * per)];
  const fillBatch = (start: number, buf: Float32Array) => {
    const n = Math.min(bs, count - start);
    for (let j = 0; j < n; j++) fill(start + j, buf.subarray(j * per, (j + 1) * per));
    return n;
  };
  if (count === 0) return out;
  let start = 0;
  let n = fillBatch(0, bufs[0]);
  let which = 0;
  while (start < count) {
    const buf = bufs[which];
    const pending = run(subject.net, { [subject.input]: { dims: [n, C, H, W], data: n === bs ? buf : buf.subarray(0, n * per) } }, [tensor], { device: subject.device });
    const nextStart = start + n;
    let nextN = 0;
    if (nextStart < count) nextN = fillBatch(nextStart, bufs[1 - which]);
    const res = await pending;
    const scores = reduce(res[tensor]);
    out.set(scores, start);
    opts.consume?.(start, scores);
    opts.onBatch?.(nextStart, count);
    start = nextStart;
    n = nextN;
    which = 1 - which;
  }
  return out;
}

/** Score of the target at one input [1, C, H, W], with the raw target tensor. */
export async function scoreOne(subject: Subject, target: Target, input: Tensor): Promise<{ score: number; raw: Tensor }> {
  const tensor = targetTensor(subject, target);
  const res = await run(subject.net, { [subject.input]: input }, [tensor], { device: subject.device });
  return { score: scoresOf(target, res[tensor])[0], raw: res[tensor] };
}
