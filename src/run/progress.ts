// Progress while probes run, on stderr: a live bar on a terminal (cli-progress), plain periodic
// lines otherwise (CI logs must stay readable and must not fill with carriage returns).
import cliProgress from 'cli-progress';
import { oneLine } from '../io/terminal.ts';

export interface Progress {
  start(total: number): void;
  /** One task finished; `label` names what finished (`suite/id`). */
  tick(label: string): void;
  stop(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  quiet?: boolean;
  /** Plain mode: at most one line per this many ms (the last line always prints). */
  intervalMs?: number;
  /** Injected clock, for tests. */
  now?: () => number;
}

export const silentProgress: Progress = { start() {}, tick() {}, stop() {} };

export function createProgress(opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return silentProgress;
  return stream.isTTY ? barProgress(stream) : lineProgress(stream, opts.intervalMs ?? 10_000, opts.now ?? Date.now);
}

function barProgress(stream: NodeJS.WritableStream): Progress {
  const bar = new cliProgress.SingleBar({
    stream,
    format: 'neurogate {bar} {value}/{total} probes · {duration_formatted} · {label}',
    hideCursor: true,
    clearOnComplete: true,
    fps: 10,
  }, cliProgress.Presets.shades_classic);
  let done = 0;
  return {
    start(total) {
      done = 0;
      bar.start(total, 0, { label: '' });
    },
    tick(label) {
      bar.update(++done, { label: oneLine(label) });
    },
    stop() {
      bar.stop();
    },
  };
}

function lineProgress(stream: NodeJS.WritableStream, intervalMs: number, now: () => number): Progress {
  let total = 0;
  let done = 0;
  let t0 = 0;
  let last = 0;
  const line = (label: string) => {
    const pct = total ? Math.floor((100 * done) / total) : 100;
    stream.write(`neurogate: ${done}/${total} probes (${pct}%) ${((now() - t0) / 1000).toFixed(1)} s${label ? ` · ${oneLine(label)}` : ''}\n`);
  };
  return {
    start(n) {
      total = n;
      done = 0;
      t0 = last = now();
      stream.write(`neurogate: running ${n} probe${n === 1 ? '' : 's'}\n`);
    },
    tick(label) {
      done++;
      const t = now();
      if (done === total || t - last >= intervalMs) {
        last = t;
        line(label);
      }
    },
    stop() {},
  };
}
