// What a zoo entry is: a name, how to build the model, and the files whose content identifies it.
// Its own file so modules that bring zoo models (the clean-room network) need not import the zoo.
import type { ImportedModel } from '../types.ts';

export interface ZooEntry {
  name: string;
  description: string;
  load: () => ImportedModel;
  /** Files whose content identifies the source (hashed for the cache key). */
  sources: () => string[];
}
