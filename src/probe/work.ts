// Forward-input keys for the shard cost model that several kinds share: image files by path,
// rendered stimuli by their parameters, so entries feeding the same inputs land in one shard.
import path from 'node:path';
import { countSweep, expandSweep } from '../stimuli/index.ts';
import { stimulusFromSpec, type StimulusSpec } from '../suite/schema/stimulus.ts';
import type { LoadedSpec } from '../suite/spec.ts';
import type { EntryWork } from './kind.ts';

/** Beyond this many stimuli a sweep is one counted input group, not a key per stimulus. */
const MAX_KEYED_STIMULI = 1000;

/** One shared input per image file the entry names. */
export function imageInputs(spec: LoadedSpec, files: readonly string[]): EntryWork['inputs'] {
  return files.map((f) => ({ key: `image:${path.resolve(spec.dir, f)}`, count: 1 }));
}

/** One shared input per rendered stimulus of a sweep (counted, not keyed, when the sweep is huge). */
export function stimulusInputs(spec: StimulusSpec, index: number): EntryWork['inputs'] {
  try {
    const { base, sweep } = stimulusFromSpec(spec);
    const n = countSweep(base.kind, sweep);
    if (n > MAX_KEYED_STIMULI) return [{ key: `entry:${index}|stimuli`, count: n }];
    return expandSweep(base, sweep).items.map((it) => ({ key: `stimulus:${JSON.stringify(it.stimulus)}`, count: 1 }));
  } catch {
    // An invalid sweep fails in preparation, with its place in the spec; here it is one input.
    return [{ key: `entry:${index}|stimulus`, count: 1 }];
  }
}
