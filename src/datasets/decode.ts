// A dataset's images as a stream of named pixels, for probes that need nothing else of an item
// (neurons): file headers checked now, pixels decoded (or scenes generated) when a batch is reached.
import { isNeurogateError } from '../errors.ts';
import { readImage, type RgbImage } from '../stimuli/image.ts';
import { specRoot } from '../suite/paths.ts';
import type { LoadedSpec } from '../suite/spec.ts';
import type { PathSegment } from '../suite/yaml.ts';
import type { EntryDataset } from './entry.ts';
import { imageSize } from './image-size.ts';
import type { ImageStream } from './stream.ts';

/** Decoded images by absolute path (each read once per run); returns undefined after recording an issue. */
export type ImageSource = (abs: string, specPath: PathSegment[]) => RgbImage | undefined;

/**
 * Reads every file's header (a few bytes each; pixels wait until a batch reaches the image); false
 * after the image source recorded the first unreadable file's issue at the spec's place.
 */
export function headersReadable(ds: EntryDataset, images: ImageSource, place: { root: string; allowOutside?: boolean }): boolean {
  for (const [i, it] of ds.items.entries()) {
    if (!it.abs || it.where) continue; // generated, or a manifest row (checked at its line)
    try {
      imageSize(it.abs, place);
    } catch (e) {
      if (!isNeurogateError(e)) throw e;
      images(it.abs, ds.at[i]); // decodes the file to record why
      return false;
    }
  }
  return true;
}

/**
 * Undefined after recording an issue at the spec's place when a file's header is unreadable (the
 * run's image source decodes that one file to say why).
 */
export function namedImageStream(spec: LoadedSpec, ds: EntryDataset, images: ImageSource, policy: { allowOutside?: boolean } = {}, part?: { from: number; to: number }): ImageStream<{ label: string; image: RgbImage }> | undefined {
  const place = { root: specRoot(spec.dir), allowOutside: policy.allowOutside };
  if (!headersReadable(ds, images, place)) return undefined;
  // One shard's part of the images (every shard checked all headers above, so all fail alike).
  const from = part?.from ?? 0;
  return {
    length: (part?.to ?? ds.items.length) - from,
    offset: from,
    load(k) {
      const it = ds.items[from + k];
      return { label: it.name, image: it.generate ? it.generate().image : readImage(it.abs!, undefined, place) };
    },
  };
}
