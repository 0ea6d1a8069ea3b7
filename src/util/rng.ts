// Seeded pseudo-random numbers: every random draw in neurogate (clutter, jitter, initial images,
// sampling) comes from a generator made here from a seed the user or the spec can see.
//
// sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state, passes PractRand)
// seeded through splitmix32 so that nearby seeds (1, 2, 3) give unrelated streams.

/** A stream of uniform draws in [0, 1). Plain function: pass it down, never share it across threads. */
export type Rng = () => number;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator from a 32-bit integer seed (other numbers are truncated to their low 32 bits). */
export function makeRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const init = splitmix32(Math.trunc(seed) >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next: Rng = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  // Discard the first draws: they still carry structure from the seeding.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A new independent generator drawn from `rng` (for a sub-task that must not shift the parent's stream). */
export function forkRng(rng: Rng): Rng {
  return makeRng(Math.floor(rng() * 4294967296));
}

/** Uniform in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** Uniform integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Standard normal draw (Box–Muller; one draw per call keeps the stream position easy to reason about). */
export function normal(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: log stays finite
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
