// The layering of src/ as dependency-cruiser rules (docs/architecture.md draws the picture).
// Top to bottom: cli, init → run → kinds (the list) → probes/*, reimpl (the kinds) → probe (the
// contract) → suite (the spec language) → engine, models, stimuli, util. check, golden and report
// read the contract's types and never the engine, the models or the kinds.
import type { IForbiddenRuleType } from 'dependency-cruiser';

const dirs = (...names: string[]) => `^src/(${names.join('|')})/`;

// Edges that the attribution reorganisation (docs/attribution-architecture.md) left pointing the wrong
// way: the heatmap overlay moved to report/ but the masks probe renders it, and the synthetic scenes
// moved to stimuli/ but score with attribution metrics. Listed by file so that no new edge hides here.
export const KNOWN_EXCEPTIONS = {
  probesToReport: { from: '^src/probes/attribution/probe[.]ts$', to: '^src/report/overlay[.]ts$' },
  reportOverlay: { from: '^src/report/overlay[.]ts$', to: '^src/(engine/tensor|probes/attribution/maps)[.]ts$' },
  stimuliScenes: { from: '^src/stimuli/scenes[.]ts$', to: '^src/probes/attribution/' },
};

/** Whether an edge is one of the known exceptions (the folder-cycle check skips them too). */
export function isKnownException(from: string, to: string): boolean {
  return Object.values(KNOWN_EXCEPTIONS).some((e) => new RegExp(e.from).test(from) && new RegExp(e.to).test(to));
}

export const LAYER_RULES: IForbiddenRuleType[] = [
  {
    name: 'bottom-layer-imports-nothing-above',
    comment: 'engine, models, stimuli and util know nothing of specs, probes, runs or reports',
    severity: 'error',
    from: { path: dirs('engine', 'models', 'stimuli', 'util') },
    to: { path: dirs('suite', 'probe', 'probes', 'reimpl', 'compare', 'generators', 'kinds', 'run', 'cli', 'init', 'check', 'golden', 'report'), pathNot: KNOWN_EXCEPTIONS.stimuliScenes.to },
  },
  {
    name: 'suite-is-the-spec-language',
    comment: 'the spec language knows no kind, probe or runner: kinds bring their schemas to it',
    severity: 'error',
    from: { path: dirs('suite') },
    to: { path: dirs('probe', 'probes', 'reimpl', 'compare', 'generators', 'kinds', 'run', 'cli', 'init', 'check', 'golden', 'report') },
  },
  {
    name: 'contract-is-below-the-kinds',
    comment: 'src/probe is what kinds, runner and reports share; it imports none of them',
    severity: 'error',
    from: { path: dirs('probe') },
    to: { path: dirs('probes', 'reimpl', 'compare', 'generators', 'kinds', 'run', 'cli', 'init', 'check', 'golden', 'report') },
  },
  {
    name: 'kinds-do-not-reach-up',
    comment: 'a kind knows the contract and the layers below it, never the list of kinds, the runner or the reports',
    severity: 'error',
    from: { path: dirs('probes', 'reimpl', 'compare', 'generators') },
    to: { path: dirs('kinds', 'run', 'cli', 'init', 'check', 'golden', 'report'), pathNot: KNOWN_EXCEPTIONS.probesToReport.to },
  },
  {
    name: 'kind-list-is-below-the-runner',
    severity: 'error',
    from: { path: dirs('kinds') },
    to: { path: dirs('run', 'cli', 'init', 'check', 'golden', 'report') },
  },
  {
    name: 'runner-is-below-the-commands',
    severity: 'error',
    from: { path: dirs('run') },
    to: { path: dirs('cli', 'init') },
  },
  {
    name: 'results-read-contract-types-only',
    comment: 'check, golden and report read measurements from src/probe; they never import the engine, models, kinds or the runner',
    severity: 'error',
    from: { path: dirs('check', 'golden', 'report') },
    to: { path: dirs('engine', 'models', 'suite', 'probes', 'reimpl', 'compare', 'generators', 'kinds', 'run', 'cli', 'init'), pathNot: KNOWN_EXCEPTIONS.reportOverlay.to },
  },
  {
    name: 'no-module-cycles',
    comment: 'modules that import each other at run time depend on evaluation order; type-only imports are erased, so a cycle through one is harmless',
    severity: 'error',
    from: {},
    to: { circular: true, dependencyTypesNot: ['type-only'], viaOnly: { dependencyTypesNot: ['type-only'] } },
  },
];
