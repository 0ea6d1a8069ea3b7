// TCAV's and channel attribution's image sets from the user's own images: the concept set is the
// images tagged (or labelled) with the concept, random sets come from the rest or from a second
// source. Resolved and checked before any model loads, each problem at the spec's line.
import type { ImagesSpec } from '../../datasets/schema.ts';
import { resolveImages, type DatasetItem } from '../../datasets/source.ts';
import type { SpecIssue } from '../../suite/issues.ts';
import { fileRef } from '../../suite/paths.ts';
import type { LoadedSpec } from '../../suite/spec.ts';
import type { PathSegment } from '../../suite/yaml.ts';

export interface ConceptImageSets {
  /** Absolute files holding the concept (empty when no concept was named). */
  concept: string[];
  /** Absolute files random sets are drawn from. */
  random: string[];
}

function filesOf(spec: LoadedSpec, at: PathSegment[], src: ImagesSpec): { items: DatasetItem[]; issues: SpecIssue[] } {
  const r = resolveImages(spec, at, src);
  // A plain list is checked file by file (resolveImages leaves that to its caller).
  const issues = Array.isArray(src) ? src.flatMap((f, i) => fileRef(spec, [...at, i], f, 'image')) : r.issues;
  if (issues.length === 0 && r.items.some((it) => it.abs === undefined)) {
    issues.push(spec.issue(at, 'generated scenes are not your own images', 'for generated scenes use the entry’s `scenes:`'));
  }
  return { items: r.items, issues };
}

const holds = (it: DatasetItem, concept: string) => it.tags.includes(concept) || it.label === concept;

export function conceptImageSets(spec: LoadedSpec, p: PathSegment[], e: { images: ImagesSpec; random_images?: ImagesSpec; concept?: string; method: string }): { sets?: ConceptImageSets; issues: SpecIssue[] } {
  const own = filesOf(spec, [...p, 'images'], e.images);
  if (own.issues.length) return { issues: own.issues };
  const c = e.concept;
  const concept = c === undefined ? [] : own.items.filter((it) => holds(it, c)).map((it) => it.abs!);
  let random = own.items.filter((it) => c === undefined || !holds(it, c)).map((it) => it.abs!);
  if (e.random_images !== undefined) {
    const r = filesOf(spec, [...p, 'random_images'], e.random_images);
    if (r.issues.length) return { issues: r.issues };
    random = r.items.map((it) => it.abs!);
  }
  const issues: SpecIssue[] = [];
  if (c !== undefined && concept.length < 2) issues.push(spec.issue([...p, 'concept'], `\`images:\` has ${concept.length} image${concept.length === 1 ? '' : 's'} tagged or labelled "${c}"; the concept set needs at least 2`, 'tag them in the manifest (`tags` column, `;`-separated) or give them that label'));
  if (e.method === 'tcav' && random.length < 2) issues.push(spec.issue([...p, e.random_images !== undefined ? 'random_images' : 'images'], `${random.length} image${random.length === 1 ? '' : 's'} to draw random sets from; TCAV needs at least 2`, 'add images without the concept, or name a folder under `random_images:`'));
  return issues.length ? { issues } : { sets: { concept, random }, issues };
}
