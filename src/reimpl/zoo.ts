// The zoo entry of the clean-room curve network: `zoo:reimpl-curves` builds it with the default
// parameters. The reimpl kind brings it and the kind list registers it, so the zoo never imports reimpl.
import { fileURLToPath } from 'node:url';
import type { ZooEntry } from '../models/zoo/entry.ts';
import { buildCurveNet } from './network.ts';

/** The files whose content decides the weights: the disk cache is keyed on them, so editing a rule rebuilds. */
const RULE_FILES = ['params.ts', 'family.ts', 'rules.ts', 'network.ts'];

export const reimplCurvesEntry: ZooEntry = {
  name: 'reimpl-curves',
  description: 'clean-room curve detectors (128², grey inside): Gabor → complex → lines → early curves → 24 curves, weights written from geometric rules, no training',
  load: () => buildCurveNet({}, 'zoo:reimpl-curves').model,
  sources: () => RULE_FILES.map((f) => fileURLToPath(new URL(`./${f}`, import.meta.url))),
};
