// Progress while probes run, on stderr: a live bar on a terminal (cli-progress), plain periodic
// lines otherwise (CI logs must stay readable and must not fill with carriage returns).
import cliProgress from 'cli-progress';
import { oneLine } from '../io/terminal.ts';

export interface Progress {
  start(total: number): void;
  /** One task finished; `label` names what finished (`suite/id`). */
  tick(label: string): void;
  /** A probe walking a dataset finished `done` of its `total` images (images/s and ETA). */
  images?(label: string, done: number, total: number): void;
  stop(): void;
}

/** `suite/id 1200/5000 images · 85.3 images/s · ETA 45 s`, from when the walk's first image was seen. */
export function imageRate(now: () => number): (label: string, done: number, total: number) => string {
  const since = new Map<string, { t: number; done: number }>();
  return (label, done, total) => {
    let s = since.get(label);
    // The clock starts at the first report: rate and ETA count the images after it.
    if (!s || done < s.done) since.set(label, (s = { t: now(), done }));
    const dt = (now() - s.t) / 1000;
    const rate = dt > 0 ? (done - s.done) / dt : 0;
    const eta = rate > 0 ? `ETA ${formatSeconds((total - done) / rate)}` : 'ETA –';
    if (done >= total) since.delete(label);
    return `${oneLine(label)} ${done}/${total} images · ${rate.toFixed(1)} images/s · ${eta}`;
  };
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.ceil(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
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
  const rate = imageRate(Date.now);
  return {
    start(total) {
      done = 0;
      bar.start(total, 0, { label: '' });
    },
    tick(label) {
      bar.update(++done, { label: oneLine(label) });
    },
    images(label, n, total) {
      bar.update(done, { label: rate(label, n, total) });
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
  let lastImages = -Infinity;
  const rate = imageRate(now);
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
    images(label, n, of) {
      const t = now();
      const text = rate(label, n, of);
      if (n === of || t - lastImages >= intervalMs) {
        lastImages = t;
        stream.write(`neurogate: ${text}\n`);
      }
    },
    stop() {},
  };
}
