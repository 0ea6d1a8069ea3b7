// The path policy of a spec: files it names stay inside its project. Shared by loading (models and
// images a spec names), preparation (images found later) and `init` (where it writes).
import fs from 'node:fs';
import path from 'node:path';
import type { SpecIssue } from './issues.ts';
import type { LoadedSpec } from './spec.ts';
import type { PathSegment } from './yaml.ts';

/**
 * The directory a spec's file references must stay inside: the nearest ancestor of the spec
 * holding package.json or .git (the project), else the spec's own directory. A project keeps its
 * specs in one folder and its models and images in others (specs/ next to test/fixtures/), so the
 * spec's own folder alone would be too narrow; the project is what a CI checkout trusts.
 */
export function specRoot(specDir: string): string {
  let dir = realOr(specDir);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) || fs.existsSync(path.join(dir, '.git'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return realOr(specDir);
    dir = up;
  }
}

/**
 * Whether `abs` (after following every symlink) lies inside `root`. A missing file is judged by
 * its path as written, so a later "not found" still names it.
 */
export function isInside(root: string, abs: string): boolean {
  const r = realOr(root);
  const t = realOr(abs);
  const rel = path.relative(r, t);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
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
