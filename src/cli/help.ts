// Help for every command: what it does, each option with its default, and an example — printed
// by `neurogate help <command>` and `neurogate <command> --help`. Kept here, apart from the
// commands, so printing help loads nothing heavy (no onnxruntime, no TF.js).

export interface OptionHelp {
  /** `--name <arg>` as typed. */
  flag: string;
  text: string;
  /** What applies when the option is left out. */
  default?: string;
}

export interface CommandHelp {
  summary: string;
  usage: string;
  about?: string;
  options: OptionHelp[];
  examples: string[];
}

const DEBUG: OptionHelp = { flag: '--debug', text: 'print stack traces with errors' };
const QUIET: OptionHelp = { flag: '--quiet', text: 'print only failures and the final line' };
const HELP: OptionHelp = { flag: '--help, -h', text: 'print this help' };

const RUN_OPTIONS: OptionHelp[] = [
  { flag: '--filter <regex>', text: 'run only entries whose "suite/id" matches', default: 'every entry' },
  { flag: '--device auto|cpu|webgpu|cuda', text: 'the engine to run on (overrides the specs\' engine.device)', default: 'each spec\'s engine.device, else auto' },
  { flag: '--seed <n>', text: 'the run\'s seed, 0 … 4294967295', default: '0' },
  { flag: '--model <ref>', text: 'run every spec on this model instead of its own (file or zoo:name)', default: 'each spec\'s model' },
  { flag: '--baseline <ref>', text: 'the model `change` expectations compare against', default: 'each spec\'s baseline' },
  { flag: '--shard i/n', text: 'run the i-th of n balanced parts of the plan (combine with merge-reports)', default: 'the whole plan' },
  { flag: '--save-maps <dir>', text: 'write every attribution map as a float32 .npy (image__method__target.npy) and a manifest.json', default: 'not saved' },
  { flag: '--save-activations <dir>', text: 'write every neuron entry\'s layer activations per image (or swept stimulus) as a float32 .npy (entry__image__layer.npy) and a manifest.json', default: 'not saved' },
  { flag: '--max-save-bytes <n>', text: 'most bytes --save-activations writes in one run (past it the entry fails, exit 2)', default: '4294967296' },
  { flag: '--cache <dir>', text: 'reuse each entry\'s stored result while its spec, models, images and files are unchanged; leave it off in CI unless asked', default: 'off' },
  { flag: '--cache-max-bytes <n>', text: 'size cap of the --cache folder; least recently used results go first', default: '1073741824 (1 GiB)' },
  { flag: '--reporter <names>', text: 'outputs, comma-separated or repeated: console, github, json, junit, html (json is always written)', default: 'console,json,junit,html' },
  { flag: '--report-dir <dir>', text: 'where report files go', default: 'reports' },
  { flag: '--json', text: 'write only the JSON report (with --junit/--html: those too)', default: 'all three files' },
  { flag: '--junit', text: 'write JUnit XML (junit.xml) besides the JSON', default: 'all three files' },
  { flag: '--html', text: 'write the HTML report (report.html) besides the JSON', default: 'all three files' },
  { flag: '--timeout <seconds>', text: 'fail an entry whose own work takes longer', default: 'no limit' },
  { flag: '--allow-outside', text: 'let specs read models and images outside the project folder', default: 'refused' },
  { flag: '--max-model-bytes <n>', text: 'largest model file that loads', default: '2147483648 (2 GiB)' },
  { flag: '--max-image-pixels <n>', text: 'largest image (width × height) that loads', default: '40000000' },
  QUIET,
  DEBUG,
  HELP,
];

export const HELP_TEXTS: Record<string, CommandHelp> = {
  run: {
    summary: 'run spec files or folders and write reports',
    usage: 'neurogate run [files|dirs…] [options]',
    about: 'Runs every entry of the specs and exits 0 when every check passed, 1 when one failed, 2 on bad input, 3 on an internal error. Without paths it runs specs/.',
    options: RUN_OPTIONS,
    examples: ['neurogate run specs/', 'neurogate run specs/curves.yaml --filter "^inception-v3-curve-detectors/" --report-dir reports/curves', 'neurogate run specs/ --reporter github,junit'],
  },
  validate: {
    summary: 'check spec files without running models',
    usage: 'neurogate validate [files|dirs…] [options]',
    about: 'Checks the specs against the schema and loads their models to check layers, units, positions and the preprocess block; runs no probe.',
    options: [
      { flag: '--schema-only', text: 'check the YAML against the schema only; load no model', default: 'models are loaded' },
      RUN_OPTIONS[0], RUN_OPTIONS[3], RUN_OPTIONS[4],
      RUN_OPTIONS.find((o) => o.flag === '--allow-outside')!,
      RUN_OPTIONS.find((o) => o.flag.startsWith('--max-image-pixels'))!,
      QUIET, DEBUG, HELP,
    ],
    examples: ['neurogate validate specs/', 'neurogate validate my-specs/model.yaml --schema-only'],
  },
  init: {
    summary: 'write a starter spec for a model, every expectation measured on it',
    usage: 'neurogate init --model <file|zoo:name> [--image <file>]… [options]',
    about: 'Inspects the model, scans a few layers for curve and line units, measures logits and a Grad-CAM map on the images, and writes a spec that passes as written.',
    options: [
      { flag: '--model <file|zoo:name>', text: 'the model: an .onnx file, a TF.js model.json, or zoo:inception_v3 / zoo:mobilenet_v2 (required)' },
      { flag: '--image <file>', text: 'an image to measure on; repeat for more', default: 'a seeded scene of random strokes' },
      { flag: '--out <spec.yaml>', text: 'where the spec is written', default: 'specs/<model>.yaml' },
      { flag: '--device cpu|auto|webgpu|cuda', text: 'the engine that measures', default: 'cpu' },
      { flag: '--force', text: 'overwrite an existing spec', default: 'refuse' },
      RUN_OPTIONS.find((o) => o.flag === '--allow-outside')!,
      RUN_OPTIONS.find((o) => o.flag.startsWith('--max-model-bytes'))!,
      QUIET, DEBUG, HELP,
    ],
    examples: ['neurogate init --model zoo:mobilenet_v2 --image cat.png --out my-specs/mobilenet_v2.yaml', 'neurogate init --model model.onnx --image a.png --image b.png'],
  },
  layers: {
    summary: 'list the layers of a model (names, shapes, concat branches)',
    usage: 'neurogate layers <model> [options]',
    options: [
      { flag: '--filter <regex>', text: 'only layers whose name matches', default: 'every layer' },
      { flag: '--json', text: 'print JSON instead of a table', default: 'a table' },
      DEBUG, HELP,
    ],
    examples: ['neurogate layers zoo:inception_v3 --filter mixed3', 'neurogate layers model.onnx --json'],
  },
  export: {
    summary: 'write a model as the ONNX IR neurogate runs',
    usage: 'neurogate export <model> <out.onnx> [options]',
    options: [
      { flag: '--edit <spec.yaml>#<circuit-id>', text: 'apply that circuit entry\'s weight edit before writing', default: 'the model unchanged' },
      DEBUG, HELP,
    ],
    examples: ['neurogate export zoo:mobilenet_v2 mobilenet_v2.onnx', 'neurogate export zoo:inception_v3 edited.onnx --edit specs/circuits.yaml#curve-echo'],
  },
  bless: {
    summary: 'write or update goldens from the current results',
    usage: 'neurogate bless [files|dirs…] [run options]',
    about: 'Runs the matching entries like `run` and records their results as goldens under golden/: missing goldens are written, goldens outside their tolerance rewritten, goldens within it left untouched. It lists new files apart (untracked: `git diff` does not show them). Refused when CI is set.',
    options: RUN_OPTIONS,
    examples: ['neurogate bless specs/shapes.yaml --filter "^shapes/square-logits$"'],
  },
  scan: {
    summary: 'rank the units of a layer by a stimulus family (e.g. curves)',
    usage: 'neurogate scan <model> --layer <name> [options]',
    options: [
      { flag: '--layer <name>', text: 'the layer to scan (list them with `neurogate layers <model>`; required)' },
      { flag: '--stimulus curve|line|angle|grating', text: 'the stimulus family', default: 'curve' },
      { flag: '--top <K>', text: 'how many units to list', default: '20' },
      { flag: '--step <deg>', text: 'orientation step in degrees, in (0, 90]', default: '5' },
      { flag: '--radius <r1,r2,…>', text: 'curve radii in pixels (curve only)', default: 'scaled to the receptive field' },
      { flag: '--width <px>', text: 'stroke width in pixels', default: 'the family\'s default' },
      { flag: '--polarity dark-on-light|light-on-dark', text: 'stroke and background', default: 'the family\'s default' },
      { flag: '--position <y,x>', text: 'the grid cell to read (row, column)', default: 'the centre' },
      { flag: '--images <dir>', text: 'also rank units on the images in this folder', default: 'stimuli only' },
      { flag: '--device auto|cpu|webgpu|cuda', text: 'the engine', default: 'auto' },
      { flag: '--batch <N>', text: 'stimuli per forward pass, 1 … 1024', default: '16' },
      { flag: '--json', text: 'print JSON instead of a table', default: 'a table' },
      DEBUG, HELP,
    ],
    examples: ['neurogate scan zoo:inception_v3 --layer mixed3b --top 10'],
  },
  'merge-reports': {
    summary: 'combine the reports of sharded runs (run --shard i/n) into one',
    usage: 'neurogate merge-reports <dir|files…> [options]',
    options: [
      { flag: '--report-dir <dir>', text: 'where the merged reports go', default: 'reports' },
      { flag: '--json', text: 'write only the JSON report (with --junit/--html: those too)', default: 'all three files' },
      { flag: '--junit', text: 'write JUnit XML besides the JSON', default: 'all three files' },
      { flag: '--html', text: 'write the HTML report besides the JSON', default: 'all three files' },
      QUIET, DEBUG, HELP,
    ],
    examples: ['neurogate merge-reports shard-1/ shard-2/ shard-3/ --report-dir reports'],
  },
  diff: {
    summary: 'compare a candidate model with its baseline inside: CKA, matched units, logit and attribution drift',
    usage: 'neurogate diff <baseline> <candidate> [options]',
    about: 'Runs both models on the same probe set (curve sweeps, and images when given) and prints a layer-by-layer table like git diff --stat; writes diff.json and diff.html. Exit 0 unless --exit-code is given and something changed.',
    options: [
      { flag: '--layers <a,b,…>', text: 'layers to compare (names as `neurogate layers` prints them)', default: 'up to 8 spatial layers spread over the model' },
      { flag: '--images <dir>', text: 'a folder of PNG/JPEG images added to the probe set (logit and attribution drift need them)', default: 'stimuli only' },
      { flag: '--methods <m,…|none>', text: 'attribution methods whose maps are compared on the images', default: 'gradient' },
      { flag: '--threshold <r>', text: 'correlation a matched unit must reach to count as matched', default: '0.8' },
      { flag: '--orientations <n>', text: 'orientations of the curve sweep in the probe set', default: '16' },
      { flag: '--device auto|cpu|webgpu|cuda', text: 'the engine to run on', default: 'auto' },
      { flag: '--batch <n>', text: 'inputs per forward pass', default: '8' },
      { flag: '--json', text: 'print the JSON instead of the table' },
      { flag: '--report-dir <dir>', text: 'where diff.json and diff.html go', default: 'reports' },
      { flag: '--exit-code', text: 'exit 1 when the models differ (as git diff --exit-code)', default: 'exit 0' },
      QUIET,
      DEBUG,
      HELP,
    ],
    examples: ['neurogate diff zoo:inception_v3 candidate.onnx --layers mixed2,mixed3 --images test/fixtures/images'],
  },
  audit: {
    summary: 'mutation-test specs: which checks catch broken copies of the model, which fail on equivalent ones',
    usage: 'neurogate audit [files|dirs…] [options]',
    about: 'Runs each suite on its model and on every mutant; a check killed by no harmful mutant survives (vacuous), one killed by an equivalent mutant is fragile. Exit 1 when a suite has a surviving, fragile or failing check or scores below --min-score.',
    options: [
      { flag: '--list', text: 'list the mutant operators and their ids, then exit' },
      { flag: '--mutants <ids>', text: 'comma-separated mutant ids, operator names, or the groups harmful / equivalent', default: 'every mutant' },
      { flag: '--min-score <0..1>', text: 'lowest mutation score a suite may have', default: '0' },
      { flag: '--shard i/n', text: 'run the i-th of n parts of the mutants (combine with merge-reports)', default: 'every mutant' },
      RUN_OPTIONS[0], RUN_OPTIONS[1], RUN_OPTIONS[2], RUN_OPTIONS[3],
      { flag: '--allow-outside', text: 'let specs read models and images outside the project folder', default: 'refused' },
      { flag: '--timeout <seconds>', text: 'fail an entry whose own work takes longer', default: 'no limit' },
      { flag: '--report-dir <dir>', text: 'where audit.json, audit-matrix.json and audit.html go', default: 'reports' },
      { flag: '--json', text: 'write the JSON files only (no audit.html)', default: 'JSON and HTML' },
      QUIET,
      DEBUG,
      HELP,
    ],
    examples: ['neurogate audit specs/shapes_cnn.yaml', 'neurogate audit specs/ --mutants noise-20,ablate,permute-channels --min-score 0.8', 'neurogate audit --list'],
  },
  help: {
    summary: 'print help for a command',
    usage: 'neurogate help [command]',
    options: [],
    examples: ['neurogate help run'],
  },
};

/** The whole help of one command, options aligned, defaults in brackets. */
export function commandHelp(name: string): string {
  const h = HELP_TEXTS[name];
  const width = Math.max(0, ...h.options.map((o) => o.flag.length));
  const lines = [`usage: ${h.usage}`, '', h.summary + (h.about ? `. ${h.about}` : '')];
  if (h.options.length) {
    lines.push('', 'options:');
    for (const o of h.options) lines.push(`  ${o.flag.padEnd(width)}  ${o.text}${o.default ? ` [default: ${o.default}]` : ''}`);
  }
  lines.push('', h.examples.length === 1 ? 'example:' : 'examples:', ...h.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** The option names (`--name`) a command's help documents. */
export function documentedOptions(name: string): string[] {
  return HELP_TEXTS[name].options.flatMap((o) => o.flag.split(/,\s+/).map((f) => f.split(' ')[0]));
}
