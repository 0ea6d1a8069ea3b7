// The dataset of one entry (`image:` or `images:`), resolved once per loaded entry and shared by
// its cross-checks, shard cost and preparation; with the class names it is checked against.
import path from 'node:path';
import type { SpecIssue } from '../suite/issues.ts';
import type { LoadedSpec } from '../suite/spec.ts';
import type { PathSegment } from '../suite/yaml.ts';
import { fileRef } from '../suite/paths.ts';
import { suiteLabels } from './labels.ts';
import type { ImagesSpec } from './schema.ts';
import { resolveImages, type DatasetItem } from './source.ts';

export interface EntryDataset {
  items: DatasetItem[];
  issues: SpecIssue[];
  /** Class names: the suite's `labels:`, else those the source brings (scenes); else the model's. */
  labels?: readonly string[];
  /** Spec path of each item (a list's element, or the source key) for errors met when decoding. */
  at: PathSegment[][];
}

const cache = new WeakMap<object, EntryDataset>();

export function entryDataset(spec: LoadedSpec, p: PathSegment[], entry: { image?: string; images?: ImagesSpec }): EntryDataset {
  const hit = cache.get(entry);
  if (hit) return hit;
  const suite = suiteLabels(spec);
  let out: EntryDataset;
  if (entry.image !== undefined) {
    out = { items: [{ name: entry.image, abs: path.resolve(spec.dir, entry.image), boxes: [], tags: [], difficult: false }], issues: fileRef(spec, [...p, 'image'], entry.image, 'image'), labels: suite.labels, at: [[...p, 'image']] };
  } else if (Array.isArray(entry.images)) {
    const r = resolveImages(spec, [...p, 'images'], entry.images, suite.labels);
    out = { ...r, issues: entry.images.flatMap((f, i) => fileRef(spec, [...p, 'images', i], f, 'image')), labels: suite.labels, at: entry.images.map((_, i) => [...p, 'images', i]) };
  } else if (entry.images) {
    const r = resolveImages(spec, [...p, 'images'], entry.images, suite.labels);
    const key = Object.keys(entry.images).find((k) => k !== 'sample')!;
    out = { items: r.items, issues: r.issues, labels: suite.labels ?? r.labels, at: r.items.map(() => [...p, 'images', key]) };
  } else out = { items: [], issues: [], labels: suite.labels, at: [] };
  cache.set(entry, out);
  return out;
}
