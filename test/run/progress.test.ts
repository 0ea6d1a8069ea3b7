// Progress output: plain periodic lines when stderr is not a terminal (readable CI logs), a live
// bar on a terminal, nothing with --quiet.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { createProgress } from '../../src/run/progress.ts';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }), { isTTY, columns: 100 });
  return { stream, text: () => chunks.join('') };
}

test('not a terminal: a start line, then at most one line per interval, and always the last', () => {
  const s = sink(false);
  let now = 0;
  const p = createProgress({ stream: s.stream, intervalMs: 10_000, now: () => now });
  p.start(5);
  for (const t of [1000, 2000, 12_500, 13_000, 14_000]) {
    now = t;
    p.tick(`suite/e${t}`);
  }
  p.stop();
  assert.equal(s.text().trimEnd().split('\n'), [
    'neurogate: running 5 probes',
    'neurogate: 3/5 probes (60%) 12.5 s · suite/e12500',
    'neurogate: 5/5 probes (100%) 14.0 s · suite/e14000',
  ]);
  assert.not.match(s.text(), /\r|\x1b\[/, 'no carriage returns or escape codes in logs');
});

test('a dataset walk: images done, images/s and ETA, at most one line per interval and always the last', () => {
  const s = sink(false);
  let now = 0;
  const p = createProgress({ stream: s.stream, intervalMs: 10_000, now: () => now });
  p.start(1);
  for (const [t, done] of [[0, 1], [5000, 51], [20_000, 201], [40_000, 400]]) {
    now = t;
    p.images!('suite/big', done, 400);
  }
  const lines = s.text().trimEnd().split('\n').slice(1);
  assert.equal(lines, [
    'neurogate: suite/big 1/400 images · 0.0 images/s · ETA –',
    'neurogate: suite/big 201/400 images · 10.0 images/s · ETA 20 s',
    'neurogate: suite/big 400/400 images · 10.0 images/s · ETA 0 s',
  ]);
});

test('a terminal gets a live bar; --quiet prints nothing', () => {
  const tty = sink(true);
  const p = createProgress({ stream: tty.stream });
  p.start(2);
  p.tick('s/a');
  p.tick('s/b');
  p.stop();
  assert.match(tty.text(), /neurogate .* 2\/2 probes/);
  const quiet = sink(false);
  const q = createProgress({ stream: quiet.stream, quiet: true });
  q.start(3);
  q.tick('x');
  q.stop();
  assert.is(quiet.text(), '');
});

test.run();
