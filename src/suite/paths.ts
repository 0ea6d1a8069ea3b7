// The path policy of a spec: files it names stay inside its project. Shared by loading (models and
// images a spec names), preparation (images found later) and `init` (where it writes).
import fs from 'node:fs';
import path from 'node:path';
import { realPath, within } from '../io/guarded-fs.ts';
import { projectRoot } from '../io/project-root.ts';
import type { SpecIssue } from './issues.ts';
import type { LoadedSpec } from './spec.ts';
import type { PathSegment } from './yaml.ts';

/**
 * The directory a spec's file references must stay inside: its project (src/io/project-root.ts).
 * A project keeps its specs in one folder and its models and images in others (specs/ next to
 * test/fixtures/), so the spec's own folder alone would be too narrow.
 */
export function specRoot(specDir: string): string {
  return projectRoot(specDir);
}

/**
 * Whether `abs` (after following every symlink) lies inside `root`. A missing file is judged by
 * its path as written, so a later "not found" still names it.
 */
export function isInside(root: string, abs: string): boolean {
  return within(realOr(root), realOr(abs));
}

function realOr(p: string): string {
  return realPath(p) ?? path.resolve(p);
}

/** A model or image path must exist (zoo refs are checked when models load). */
export function fileRef(spec: LoadedSpec, p: PathSegment[], ref: string, what: 'model' | 'image'): SpecIssue[] {
  if (what === 'model' && ref.startsWith('zoo:')) return [];
  const abs = path.resolve(spec.dir, ref);
  const outside = outsideIssue(spec, p, abs, what);
  if (outside) return [outside];
  if (!fs.existsSync(abs)) {
    return [spec.issue(p, `${what} file not found: ${abs}`, `paths resolve relative to the spec file (${spec.src.file})`)];
  }
  if (what === 'image' && !fs.statSync(abs).isFile()) return [spec.issue(p, `image path is not a file: ${abs}`)];
  return [];
}

/**
 * Files a spec names stay inside its project (see specRoot), symlinks followed, unless
 * --allow-outside: a spec from an untrusted branch must not make CI read arbitrary files.
 */
export function outsideIssue(spec: LoadedSpec, p: PathSegment[], abs: string, what: string): SpecIssue | undefined {
  if (spec.allowOutside) return undefined;
  const root = specRoot(spec.dir);
  if (isInside(root, abs)) return undefined;
  return spec.issue(p, `${what} path resolves outside the spec's project root ${root}: ${abs}`, 'keep models and images inside the project (the nearest folder above the spec with package.json or .git; symlinks are followed), or pass --allow-outside');
}

/** The `image:` or `images:` files of an entry must exist inside the project. */
export function imageRefs(spec: LoadedSpec, p: PathSegment[], e: { image?: string; images?: string[] }): SpecIssue[] {
  return [
    ...(e.image ? fileRef(spec, [...p, 'image'], e.image, 'image') : []),
    ...(e.images ?? []).flatMap((img, i) => fileRef(spec, [...p, 'images', i], img, 'image')),
  ];
}
