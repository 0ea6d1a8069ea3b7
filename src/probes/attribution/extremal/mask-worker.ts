// Worker thread of the parallel mask generator: builds its own tables, then waits on the shared
// control word and runs its share of each forward or adjoint pass (see mask-parallel.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { adjointRows, buildTables, forwardRows } from './mask-generator.ts';
import { CMD_ADJOINT, CMD_EXIT, CMD_FORWARD, CTRL_CMD, CTRL_DONE, CTRL_FAIL, CTRL_GEN, CTRL_SLOT, share, sharedViews, type SharedSetup } from './mask-parallel.ts';

const setup = workerData as SharedSetup & { index: number };
const t = buildTables(setup.height, setup.width, setup.opts, setup.memory, setup.index, setup.threads, setup.states);
const { ctrl, full, slots } = sharedViews(setup, t);
const T = setup.threads;
const i = setup.index;

// Read the generation before saying ready: a command sent right after would otherwise be missed.
let seen = Atomics.load(ctrl, CTRL_GEN);
parentPort!.postMessage('ready');
for (;;) {
  Atomics.wait(ctrl, CTRL_GEN, seen);
  seen = Atomics.load(ctrl, CTRL_GEN);
  const cmd = Atomics.load(ctrl, CTRL_CMD);
  if (cmd === CMD_EXIT) break;
  try {
    const slot = Atomics.load(ctrl, CTRL_SLOT);
    if (cmd === CMD_FORWARD) {
      const [a, b] = share(t.hmid, i, T);
      forwardRows(t, full, slots[slot], a, b);
    } else if (cmd === CMD_ADJOINT) {
      const [a, b] = share(t.hin, i, T);
      adjointRows(t, slots[slot], a, b);
    }
  } catch {
    Atomics.store(ctrl, CTRL_FAIL, 1);
  }
  Atomics.add(ctrl, CTRL_DONE, 1);
  Atomics.notify(ctrl, CTRL_DONE);
}
