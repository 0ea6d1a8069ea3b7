// A concept-mask manifest: a user's own images with one binary mask file per concept, read into
// rows and checked at the manifest's line before any model loads (missing file, a mask whose
// aspect ratio is not its image's, a concept the header does not name).
//
// Layout, as Broden's index.csv (one column per concept category, each cell a mask file):
//   path,curve,line
//   img/0.png,masks/0-curve.png,
//   img/1.png,masks/1-curve.png,masks/1-line.png
// An empty cell means the concept is absent from the image. A mask pixel is on when its mean RGB
// level is at least 128 (0/255 PNGs, as Broden's per-concept layers are rendered).
import path from 'node:path';
import { isNeurogateError } from '../errors.ts';
import { readGuardedText } from '../io/guarded-fs.ts';
import type { SpecIssue } from '../suite/issues.ts';
import { outsideIssue, specRoot } from '../suite/paths.ts';
import { sourceText } from '../suite/source.ts';
import type { LoadedSpec } from '../suite/spec.ts';
import type { PathSegment } from '../suite/yaml.ts';
import { lineIssue, splitCsv } from './manifest.ts';
import { fileSize } from './source.ts';

const MAX_BYTES = 64 * 2 ** 20;

export interface ConceptMaskRow {
  /** Absolute image file. */
  image: string;
  /** Per concept (in `concepts` order), its absolute mask file, or null when the image lacks it. */
  masks: (string | null)[];
}

export interface ConceptMasks {
  concepts: string[];
  rows: ConceptMaskRow[];
}

/** The manifest's rows, or the issues found (at the spec's `masks:` or at the manifest's lines). */
export function readConceptMasks(spec: LoadedSpec, at: PathSegment[], file: string): { data?: ConceptMasks; issues: SpecIssue[] } {
  const abs = path.resolve(spec.dir, file);
  const outside = outsideIssue(spec, at, abs, 'manifest');
  if (outside) return { issues: [outside] };
  const place = { root: specRoot(spec.dir), allowOutside: spec.allowOutside };
  let text: string;
  try {
    text = readGuardedText(abs, { what: 'concept-mask manifest', code: 'MANIFEST', maxBytes: MAX_BYTES, ...place, missingHint: `paths resolve relative to the spec file (${spec.src.file})` });
  } catch (e) {
    if (!isNeurogateError(e)) throw e;
    return { issues: [spec.issue(at, e.message, e.hint)] };
  }
  const src = sourceText(abs, text.replace(/^\uFEFF/, ''));
  const lines = src.text.split('\n').map((l) => l.replace(/\r$/, ''));
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  const example = 'path,curve,line (one column per concept, each cell a mask file or empty)';
  if (headerAt < 0) return { issues: [lineIssue(src, 1, 'the manifest is empty', `start with a header: ${example}`)] };
  const header = splitCsv(lines[headerAt]).map((h) => h.trim());
  const concepts = header.slice(1);
  const dup = concepts.find((c, i) => concepts.indexOf(c) !== i);
  if (header[0].toLowerCase() !== 'path' || concepts.length === 0 || concepts.some((c) => c === '') || dup) {
    const why = header[0].toLowerCase() !== 'path' ? 'the first column must be `path`' : concepts.length === 0 ? 'the header names no concept' : dup ? `concept "${dup}" is named twice` : 'a concept column has no name';
    return { issues: [lineIssue(src, headerAt + 1, why, `header: ${example}`)] };
  }
  const dir = path.dirname(abs);
  const rows: ConceptMaskRow[] = [];
  const issues: SpecIssue[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const line = i + 1;
    const cells = splitCsv(lines[i]).map((c) => c.trim());
    const bad = (msg: string, hint?: string) => issues.push(lineIssue(src, line, msg, hint));
    if (cells.length !== header.length) {
      bad(`${cells.length} cells, but the header has ${header.length} (path and ${concepts.length} concept${concepts.length > 1 ? 's' : ''})`, 'leave a cell empty when the image lacks that concept');
      continue;
    }
    if (cells[0] === '') {
      bad('no image path', 'every row needs `path` (relative to the manifest)');
      continue;
    }
    const before = issues.length;
    const image = path.resolve(dir, cells[0]);
    const size = fileSize(spec, src, line, image, 'image', issues);
    const masks = cells.slice(1).map((cell, k) => {
      if (cell === '') return null;
      const m = path.resolve(dir, cell);
      const ms = fileSize(spec, src, line, m, `${concepts[k]} mask`, issues);
      // Broden stores masks at a lower resolution than their images: any size of the same shape scales onto it.
      if (ms && size && ms.width * size.height !== ms.height * size.width) {
        bad(`${concepts[k]} mask ${cell} is ${ms.width}×${ms.height}, not the shape of its image (${size.width}×${size.height})`, 'a mask covers its whole image: the same size, or the same aspect ratio at another resolution');
      }
      return m;
    });
    if (issues.length === before) rows.push({ image, masks });
  }
  if (rows.length === 0 && issues.length === 0) issues.push(lineIssue(src, headerAt + 1, 'the manifest lists no image', 'one row per image after the header'));
  return issues.length ? { issues } : { data: { concepts, rows }, issues };
}
