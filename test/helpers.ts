// Small assertions shared by test files (not a test file itself: no `.test.ts`).
import * as assert from 'uvu/assert';
import { NeurogateError } from '../src/errors.ts';

/** Run fn, expect it to throw a NeurogateError, and return it (other errors propagate). */
export function errorOf(fn: () => unknown): NeurogateError {
  try { fn(); } catch (e) { if (e instanceof NeurogateError) return e; throw e; }
  throw new Error('expected an error');
}

/** The same for async code. */
export async function asyncErrorOf(fn: () => Promise<unknown>): Promise<NeurogateError> {
  try { await fn(); } catch (e) { if (e instanceof NeurogateError) return e; throw e; }
  throw new Error('expected an error');
}

/** Every named relative error is within tol. */
export function assertClose(errs: Record<string, number>, tol = 1e-5): void {
  for (const [k, v] of Object.entries(errs)) assert.ok(v <= tol, `${k}: relative error ${v} > ${tol}`);
}
