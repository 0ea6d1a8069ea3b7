// Goldens: numeric values (atol/rtol per engine) and images (pixelmatch) compared with committed
// references, changed only by `neurogate bless`; nothing is written when CI is set.
//
//   const store = openGoldenStore({ root: 'golden', outDir: 'reports' });      // ci from $CI
//   const r = compareOrBless(store, { suite, entry, name: 'logits' }, values, toleranceFor('cpu'), mode);
//   entry.checks.push({ ...r.check, where }); entry.artifacts.push(...r.artifacts);
export { compareOrBless, compareOrBlessImage, blessHint, type GoldenMode, type GoldenResult, type GoldenRunOptions } from './compare-or-bless.ts';
export { openGoldenStore, isCI, formatBlessSummary, goldenRelPath, goldenDisplayPath, GOLDEN_DEVICES, type GoldenStore, type GoldenKey } from './store.ts';
export { DEFAULT_TOLERANCES, toleranceFor, withinTolerance, allowedError, type Tolerance } from './tolerance.ts';
export { compareNumeric, type NumericComparison } from './numeric.ts';
export { compareImages, DEFAULT_IMAGE_TOLERANCE, type ImageTolerance, type ImageComparison, type RgbaImage } from './image.ts';
