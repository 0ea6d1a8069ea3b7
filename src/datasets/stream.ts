// A dataset's images decoded one batch at a time: a probe walks a 10,000-image folder holding at
// most one batch of decoded pixels, and the run's progress learns how many images are done.

/** Items produced on demand (decoded, with their boxes and masks at the model's input size). */
export interface ImageStream<T> {
  readonly length: number;
  /** Index of item 0 in the whole dataset when this process runs one part of it (`--shard`); 0 otherwise. */
  readonly offset?: number;
  /** Item i, decoded now; throws a NeurogateError naming the file when it cannot be read. */
  load(i: number): T;
}


/** Decoded items alive now, and the most alive at once since the last reset: the bound tests assert. */
export const streamGauge = { live: 0, peak: 0 };

export function resetStreamGauge(): void {
  streamGauge.live = 0;
  streamGauge.peak = 0;
}

export function isImageStream<T>(x: readonly T[] | ImageStream<T>): x is ImageStream<T> {
  return !Array.isArray(x) && typeof (x as ImageStream<T>).load === 'function';
}

/**
 * The items in order, `size` at a time. A list is sliced; a stream decodes each batch when it is
 * asked for and counts it alive until the next one is asked for (or the walk ends).
 */
export async function* inBatches<T>(items: readonly T[] | ImageStream<T>, size: number): AsyncGenerator<T[]> {
  const n = Math.max(1, Math.floor(size));
  if (!isImageStream(items)) {
    for (let i = 0; i < items.length; i += n) yield items.slice(i, i + n);
    return;
  }
  for (let i = 0; i < items.length; i += n) {
    const batch: T[] = [];
    for (let k = i; k < Math.min(items.length, i + n); k++) batch.push(items.load(k));
    streamGauge.live += batch.length;
    streamGauge.peak = Math.max(streamGauge.peak, streamGauge.live);
    try {
      yield batch;
    } finally {
      streamGauge.live -= batch.length;
    }
  }
}
