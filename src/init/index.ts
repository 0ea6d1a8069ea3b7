// `neurogate init`'s work: inspect a model, guess its preprocessing, scan a few early layers for a
// curve and a line unit, measure a draft spec through the real runner, write the starter spec with
// those measured values as its expectations, and run it once more to prove it passes as written.
import fs from 'node:fs';
import path from 'node:path';
import { chooseDevice, type ConcreteDevice, type Device } from '../engine/session.ts';
import { NeurogateError, badInput } from '../errors.ts';
import { loadModel } from '../models/load.ts';
import { DEFAULT_LIMITS, type RunLimits } from '../probe/limits.ts';
import { createActivationCache } from '../probe/cache.ts';
import { entryKinds } from '../kinds/index.ts';
import { readImage } from '../stimuli/image.ts';
import { VERSION } from '../version.ts';
import { inspectModel, scanCandidates, type ModelFacts } from './inspect.ts';
import { failures, measurementsById, specRunner } from './measure.ts';
import { guessPreprocess, type PreprocessGuess } from './range.ts';
import { STEP_DEG, scanForUnits, type FoundUnit, type UnitScan } from './units.ts';
import { flow, num, scalar, yamlLines, type YamlLines } from './yaml-text.ts';
import { auditDraft, keptScore, killersNote, rejection } from './prove.ts';

/** Ids of the equivalent mutants (named in the spec's header). */
const EQUIVALENT_IDS = ['permute-channels', 'reexport', 'batch-', 'threads-'];

export interface InitOptions {
  /** `zoo:<name>` or a model file, relative to cwd. */
  model: string;
  /** Photographs (relative to cwd) for the output-stability and attribution checks and the range guess. */
  images?: string[];
  /** Where the spec will be written (relative to cwd): model and image paths in it are written relative to its folder. */
  out: string;
  /** Where init measures and what the spec asks for (default cpu). */
  device?: Device;
  cwd?: string;
  /** Progress lines as init goes (it takes tens of seconds). */
  log?: (line: string) => void;
  /** Command-line limits (model size, path policy for the runs that measure the spec). */
  limits?: RunLimits;
}

export interface InitResult {
  /** The spec's text; the caller writes it. */
  text: string;
  /** Absolute path it was measured for. */
  file: string;
  entries: number;
  checks: number;
  facts: ModelFacts;
  preprocess: PreprocessGuess;
  scan: UnitScan;
  /** Why no attribution check was written, when none was. */
  masksSkipped?: string;
  /** Harmful mutants the written checks kill, of those that ran. */
  score: { killed: number; total: number };
  /** Drafted checks the audit threw out, each with why. */
  dropped: string[];
  seconds: number;
}

/** Seed of the written suite: the tuning probe's clutter backgrounds derive from it. */
const SEED = 7;
/** Absolute tolerance of the logit checks: 100× the CPU/GPU difference of logits (~1e-4). */
const LOGIT_TOL = 0.01;
/** Half-width of the preferred-orientation checks, in degrees. */
const PEAK_TOL = 15;
/** The top class must lead the runner-up by this much for init to write a top-1 check. */
const MIN_MARGIN = 0.05;

interface Entry {
  kind: 'neurons' | 'masks';
  id: string;
  above: string[];
  fields: { key: string; value: unknown; comment?: string }[];
  expect: { metric: string; value: Record<string, unknown>; comment?: string }[];
}

interface Input {
  /** As the spec writes it: `image: <path>` or `stimulus: {…}`. */
  field: { key: 'image' | 'stimulus'; value: unknown };
  name: string;
  slug: string;
}

export async function initSpec(opts: InitOptions): Promise<InitResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const cwd = opts.cwd ?? process.cwd();
  const file = path.resolve(cwd, opts.out);
  const dir = path.dirname(file);
  const rel = (abs: string) => path.relative(dir, abs).split(path.sep).join('/');
  const modelRef = opts.model.startsWith('zoo:') ? opts.model : rel(path.resolve(cwd, opts.model));
  const photos = (opts.images ?? []).map((p) => ({ abs: path.resolve(cwd, p), image: readImage(path.resolve(cwd, p)) }));
  const device: ConcreteDevice = (await chooseDevice(opts.device ?? 'cpu')).device;

  const model = await loadModel(opts.model, cwd, { maxBytes: opts.limits?.maxModelBytes });
  const facts = await inspectModel(model, opts.model);
  log(`${opts.model}: input "${facts.input.name}" [${facts.input.dims.join(', ')}] (${facts.input.layout}), ${facts.layers.length} layers${facts.logits ? `, ${facts.logits.classes} classes at "${facts.logits.layer}"` : ''}`);
  const preprocess = await guessPreprocess(model, facts, photos.map((p) => p.image));
  log(`preprocessing: ${preprocess.how}`);

  const probed = await loadModel(opts.model, cwd, { maxBytes: opts.limits?.maxModelBytes, preprocess: preprocess.spec });
  const candidates = scanCandidates(facts);
  const scan = await scanForUnits(probed, candidates, device, photos.map((p) => ({ label: path.basename(p.abs), image: p.image })));
  log(`scanned ${scan.layers.join(', ')} for curves and lines (${scan.stimuli} stimuli, ${scan.seconds.toFixed(1)} s)${describeFound(scan)}`);

  const inputs = inputsOf(photos.map((p) => p.abs), rel);
  const masksWanted = entryKinds().some((k) => k.key === 'masks');
  const masksSkipped = !masksWanted ? 'this neurogate has no `masks:` entries yet' : !photos.length ? 'attribution needs photographs: pass --image' : !facts.logits ? 'the model has no class output to explain' : undefined;

  // 1. Measure: a draft with every probe the spec will hold and expectations that cannot fail.
  const runner = specRunner(device, createActivationCache(), opts.limits);
  const ctx: SpecContext = { modelRef, device, facts, preprocess, scan, file, masksSkipped };
  const draft: Entry[] = [
    ...unitEntries(scan, undefined),
    ...(facts.logits ? inputs.map((inp) => outputDraft(facts, inp)) : []),
    ...(masksSkipped ? [] : [masksEntry(inputs, undefined)]),
  ];
  if (!draft.length) {
    throw badInput('E_INIT_NOTHING', `init found nothing to check in ${opts.model}: no unit tuned to curves or lines in ${scan.layers.join(', ') || 'its layers'}, and no class output`, opts.model,
      'write a spec by hand (specs/README.md); `neurogate layers` and `neurogate scan` show what the model has');
  }
  const tm = performance.now();
  const measured = measurementsById(await runner.run(file, specText(ctx, draft)));
  log(`measured ${draft.length} entries in ${((performance.now() - tm) / 1000).toFixed(1)} s`);
  const broken = [...measured.values()].filter((e) => e.error);
  const maskError = broken.find((e) => e.id === MASKS_ID);
  if (maskError) ctx.masksSkipped = `the attribution probe could not run on this model: ${maskError.error!.message}`;
  // A flat deletion curve (the model keeps its class however many pixels go) cannot judge any map.
  const refused = measured.get(MASKS_ID)?.checks.find((c) => c.reason?.startsWith('uninformative'));
  if (refused && !maskError) ctx.masksSkipped = `deletion cannot tell a good map from a bad one on this model: ${refused.reason!.replace(/^uninformative: /, '')}`;
  const other = broken.filter((e) => e.id !== MASKS_ID);
  if (other.length) {
    throw new NeurogateError(`init could not measure ${other.map((e) => `${e.id} (${e.error!.message})`).join('; ')}`, { code: 'E_INIT_MEASURE', kind: 'internal', hint: 'run again with --debug and report it' });
  }
  const m = (id: string) => measured.get(id)!.measurements;

  // 2. Write the expectations from what was measured.
  const entries: Entry[] = [
    ...unitEntries(scan, m),
    ...(facts.logits ? inputs.flatMap((inp, i) => outputEntries(facts, inp, m(`output-${inp.slug}`).activation as number[], i === 0)) : []),
    ...(ctx.masksSkipped ? [] : [masksEntry(inputs, m(MASKS_ID))]),
  ];
  const text = specText(ctx, entries);

  // 3. Prove it: the spec as written passes.
  const tv = performance.now();
  const verify = await runner.run(file, text);
  if (verify.exitCode !== 0) {
    throw new NeurogateError(`the spec init wrote does not pass when run (exit ${verify.exitCode}): ${failures(verify).slice(0, 5).join('; ')}`, { code: 'E_INIT_VERIFY', kind: 'internal', hint: 'run again with --debug and report it, with the model if you can' });
  }
  log(`ran the written spec: ${verify.summary.passed}/${verify.summary.checks} checks pass (${((performance.now() - tv) / 1000).toFixed(1)} s)`);

  // 4. Prove each check: keep it only if a harmful mutant of the model fails it and no equivalent one does.
  const ta = performance.now();
  const audit = await auditDraft(file, text, { device, limits: opts.limits });
  const byKey = new Map(audit.checks.map((c) => [`${c.entry} · ${c.metric}`, c]));
  const dropped: string[] = [];
  const proved: Entry[] = [];
  for (const e of entries) {
    const expect = e.expect.flatMap((x) => {
      const c = byKey.get(`${e.id} · ${x.metric}`);
      const why = c ? rejection(c) : 'the audit did not see it';
      if (why) {
        dropped.push(`${e.id} · ${x.metric}: ${why}`);
        return [];
      }
      return [{ ...x, comment: `${x.comment ? `${x.comment}; ` : ''}${killersNote(c!)}` }];
    });
    if (expect.length) proved.push({ ...e, expect });
  }
  const keptChecks = audit.checks.filter((c) => !rejection(c));
  const { killed, total } = keptScore(audit, keptChecks);
  log(`audited the spec against ${audit.mutants.filter((m) => !m.skipped).length} mutants (${((performance.now() - ta) / 1000).toFixed(1)} s): ${keptChecks.length} of ${audit.checks.length} checks catch a regression and never flake; mutation score ${killed}/${total}`);
  for (const d of dropped) log(`dropped ${d}`);
  if (!proved.length) {
    throw badInput('E_INIT_NOTHING', `nothing init can measure on ${opts.model} would catch a regression: every check it drafted ${dropped.length ? `was dropped (${dropped.join('; ')})` : 'was empty'}`, opts.model,
      'write checks by hand for what matters in this model, and run `neurogate audit` on them to see what they catch');
  }
  ctx.audit = { killed, total, mutants: audit.mutants.filter((m) => !m.skipped).map((m) => m.id), dropped };
  const provedText = specText(ctx, proved);
  const final = await runner.run(file, provedText);
  if (final.exitCode !== 0) {
    throw new NeurogateError(`the audited spec does not pass when run (exit ${final.exitCode}): ${failures(final).slice(0, 5).join('; ')}`, { code: 'E_INIT_VERIFY', kind: 'internal', hint: 'run again with --debug and report it' });
  }
  return {
    text: provedText, file, entries: proved.length, checks: final.summary.checks, facts, preprocess, scan, score: { killed, total }, dropped,
    ...(ctx.masksSkipped ? { masksSkipped: ctx.masksSkipped } : {}),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Refuse before any work when the spec exists (unless forced) or its folder cannot hold it. */
export function checkOutput(file: string, force: boolean): void {
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(file);
  } catch {
    return;
  }
  if (st.isDirectory()) throw badInput('E_INIT_OUT', `${file} is a folder`, file, 'give the spec file to write, e.g. --out specs/model.yaml');
  if (!force) throw badInput('E_INIT_EXISTS', `${file} already exists; init does not overwrite it`, file, 'pass --force to replace it, or choose another --out');
}

function describeFound(scan: UnitScan): string {
  const one = (f?: FoundUnit) => (f ? `${f.kind} unit ${f.unit} of ${f.layer.name} (score ${num(f.row.score, 3)}, peak ${num(f.row.peakDeg, 4)}°)` : '');
  const found = [one(scan.curve), one(scan.line)].filter(Boolean);
  return found.length ? `: ${found.join('; ')}` : ': no oriented unit found';
}

/** Ids name inputs by file name; a slug keeps them to characters an id and a filter regex handle plainly. */
function slugOf(s: string): string {
  return s.replace(/\.[A-Za-z0-9]+$/, '').replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'input';
}

function inputsOf(images: readonly string[], rel: (abs: string) => string): Input[] {
  if (!images.length) {
    // Without photographs, a seeded scene of random strokes stands in: still a fixed input whose outputs must not move.
    return [{ field: { key: 'stimulus', value: { blank: { clutter: { strokes: 60, seed: 1 } } } }, name: 'a seeded scene of random strokes (no --image was given; photographs make a better check)', slug: 'clutter-scene' }];
  }
  const seen = new Map<string, number>();
  return images.map((abs) => {
    let slug = slugOf(path.basename(abs));
    const n = (seen.get(slug) ?? 0) + 1;
    seen.set(slug, n);
    if (n > 1) slug = `${slug}-${n}`;
    return { field: { key: 'image', value: rel(abs) }, name: path.basename(abs), slug };
  });
}

// ---- (a) the units the scan found --------------------------------------------------------------

const floor2 = (x: number) => Math.floor(x * 100) / 100;
const ceil2 = (x: number) => Math.ceil(x * 100) / 100;

function unitEntries(scan: UnitScan, m: ((id: string) => Record<string, unknown>) | undefined): Entry[] {
  return [scan.curve, scan.line].filter((f): f is FoundUnit => f !== undefined).map((f, i) => unitEntry(f, m?.(unitId(f)), i === 0));
}

function unitId(f: FoundUnit): string {
  return `${f.kind}-unit-${slugOf(f.layer.name)}-${f.unit}`;
}

function unitEntry(f: FoundUnit, got: Record<string, unknown> | undefined, first: boolean): Entry {
  const curve = f.kind === 'curve';
  const what = curve
    ? 'curve-selective: it answers an arc whose convex side faces one direction, and far less the same arc turned by 180°'
    : 'an oriented line (edge) detector: it answers a straight line at one orientation';
  const above = [
    `${first ? '(a) ' : ''}Unit ${f.unit} of ${f.layer.name}, found by init’s scan (rank ${f.rank} of the layer’s ${f.layer.shape[0]} units, score ${num(f.row.score, 3)} = strength × selectivity × (1 − echo) × contrast): ${what}. The check turns the stimulus round the unit’s receptive-field centre in ${STEP_DEG}° steps and reads its tuning curve.`,
  ];
  const stimulusComment = curve ? `arc radius ${num(f.row.best ?? 0)} px: the radius it liked best in the scan` : 'a line through the receptive-field centre';
  const fields: Entry['fields'] = [
    { key: 'layer', value: f.layer.name },
    { key: 'unit', value: f.unit },
    { key: 'stimulus', value: f.stimulus, comment: stimulusComment },
    { key: 'tuning', value: {}, comment: 'tuning curve metrics, and the unit’s rank among all units of the layer on this sweep' },
  ];
  if (!got) return { kind: 'neurons', id: unitId(f), above, fields, expect: [{ metric: 'tuning.peak_deg', value: { max: 1e300 } }] };
  const peak = measuredNumber(got, 'tuning.peak_deg', unitId(f));
  const sel = measuredNumber(got, 'tuning.selectivity', unitId(f));
  const period = curve ? 360 : 180; // a line turned by 180° is the same line
  const expect: Entry['expect'] = [
    {
      metric: 'tuning.peak_deg', value: { near: Number(num(((peak % period) + period) % period, 4)), tol: PEAK_TOL, circular: period },
      comment: `measured ${num(peak, 5)}°, the direction it prefers${curve ? '' : ' (mod 180°)'}; ±${PEAK_TOL}° lets a retrained model drift, 5 suits a re-export`,
    },
    { metric: 'tuning.selectivity', value: { min: floor2(0.8 * sel) }, comment: `measured ${num(sel, 3)} (0 flat … 1 one narrow bump); 80% of it — raise it to tighten` },
  ];
  const echo = got['tuning.echo'];
  if (curve && typeof echo === 'number' && echo < 0.9) {
    expect.push({ metric: 'tuning.echo', value: { max: Math.min(1, ceil2(echo + 0.1)) }, comment: `measured ${num(echo, 3)}: response 180° away ÷ peak (a line detector gives ≈ 1)` });
  }
  return { kind: 'neurons', id: unitId(f), above, fields, expect };
}

function measuredNumber(got: Record<string, unknown>, metric: string, id: string): number {
  const v = got[metric];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new NeurogateError(`init measured no ${metric} for ${id} (got ${JSON.stringify(v)})`, { code: 'E_INIT_MEASURE', kind: 'internal', hint: 'run again with --debug and report it' });
  }
  return v;
}

// ---- (b) output stability ----------------------------------------------------------------------

const allClasses = (facts: ModelFacts) => Array.from({ length: facts.logits!.classes }, (_, i) => i);

function outputDraft(facts: ModelFacts, inp: Input): Entry {
  return {
    kind: 'neurons', id: `output-${inp.slug}`, above: [],
    fields: [{ key: 'layer', value: facts.logits!.layer }, { key: 'units', value: allClasses(facts) }, { key: inp.field.key, value: inp.field.value }],
    expect: [{ metric: 'activation', value: { max: 1e300 } }],
  };
}

function className(facts: ModelFacts, i: number): string {
  const label = facts.labels?.[i];
  return label ? `class ${i} (${label})` : `class ${i}`;
}

function outputEntries(facts: ModelFacts, inp: Input, logits: number[], first: boolean): Entry[] {
  const order = logits.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v || a.i - b.i);
  const [top, second] = order;
  const layer = facts.logits!.layer;
  const input = { key: inp.field.key, value: inp.field.value };
  const tol = Math.max(LOGIT_TOL, Number(num(0.002 * Math.abs(top.v), 2)));
  const near = { near: Number(num(top.v)), tol };
  const nearComment = `measured ${num(top.v, 7)}; tol ${tol} covers CPU vs GPU kernels (~1e-4): 0.001 for a CPU-only gate, wider if you retrain`;
  const stable = second !== undefined && top.v - second.v >= MIN_MARGIN;
  const bound = stable ? Number(num((top.v + second.v) / 2, 4)) : undefined;
  const pin = stable
    ? ` With the next entry it pins the prediction: this logit stays above ${bound} (halfway to the runner-up) and every other logit below it.`
    : second ? ` The two are less than ${MIN_MARGIN} apart, too close to pin the top-1 class; only the logit itself is checked.` : '';
  const intro = [
    `${first ? '(b) ' : ''}What the model outputs on ${inp.name}: ${className(facts, top.i)} scores highest, logit ${num(top.v, 5)}${second ? `; the runner-up is ${className(facts, second.i)} at ${num(second.v, 5)}` : ''}.${pin}`,
  ];
  const topEntry: Entry = {
    kind: 'neurons', id: `top1-${inp.slug}`, above: intro,
    fields: [{ key: 'layer', value: layer, comment: 'the class scores before softmax' }, { key: 'unit', value: top.i, comment: className(facts, top.i) }, input],
    expect: [{ metric: 'activation', value: bound === undefined ? near : { ...near, min: bound }, comment: nearComment }],
  };
  if (!stable) return [topEntry];
  const rest = order.slice(1).sort((a, b) => a.i - b.i);
  const shown = rest.slice(0, 6).map((r) => `${num(r.v, 4)} (${r.i})`).join(', ');
  return [topEntry, {
    kind: 'neurons', id: `others-below-${inp.slug}`, above: [],
    fields: [{ key: 'layer', value: layer }, { key: 'units', value: rest.map((r) => r.i), comment: 'every other class' }, input],
    expect: [{ metric: 'activation', value: { max: bound }, comment: `measured ${shown}${rest.length > 6 ? ', …' : ''}` }],
  }];
}

// ---- (c) attribution ---------------------------------------------------------------------------

const MASKS_ID = 'attribution-grad-cam';

function masksEntry(inputs: readonly Input[], got: Record<string, unknown> | undefined): Entry {
  const above = [
    '(c) Where the model looks: a Grad-CAM map of the predicted class on each photograph, scored by deletion — pixels removed in the map’s order, most important first, while the class probability is read (20 steps). deletion_auc_vs_random is that curve’s area minus the area for a seeded random order: negative means the map finds the evidence faster than chance.',
  ];
  const fields: Entry['fields'] = [
    { key: 'images', value: inputs.map((i) => i.field.value) },
    { key: 'target', value: 'top', comment: 'the class the model predicts for each image' },
    { key: 'method', value: { grad_cam: {} }, comment: 'on the last feature map before the target' },
    { key: 'measure', value: { deletion: { steps: 20 }, random_baseline: true } },
  ];
  if (!got) return { kind: 'masks', id: MASKS_ID, above, fields, expect: [{ metric: 'deletion_auc_vs_random', value: { max: 1e300 } }] };
  const vals = ([] as unknown[]).concat(got.deletion_auc_vs_random).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (vals.length !== inputs.length) {
    throw new NeurogateError(`init measured ${vals.length} deletion scores for ${inputs.length} images`, { code: 'E_INIT_MEASURE', kind: 'internal', hint: 'run again with --debug and report it' });
  }
  const worst = Math.max(...vals);
  return {
    kind: 'masks', id: MASKS_ID, above, fields,
    expect: [{
      metric: 'deletion_auc_vs_random', value: { max: ceil2(worst + 0.05) },
      comment: `measured ${vals.map((v, i) => `${num(v, 3)} (${path.basename(String(inputs[i].field.value))})`).join(', ')}; the worst + 0.05${worst > 0 ? ' (a positive value: that map is no better than chance)' : ''} — lower it to demand maps that beat chance`,
    }],
  };
}

// ---- the file ----------------------------------------------------------------------------------

interface SpecContext {
  modelRef: string;
  device: ConcreteDevice;
  facts: ModelFacts;
  preprocess: PreprocessGuess;
  scan: UnitScan;
  file: string;
  masksSkipped?: string;
  /** What the audit of the draft found (written as a comment once known). */
  audit?: { killed: number; total: number; mutants: string[]; dropped: string[] };
}

/** Where editors find the schema: this neurogate's specs/schema.json, relative to the spec. */
function schemaRef(file: string): string {
  const schema = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'specs', 'schema.json');
  return path.relative(path.dirname(file), schema).split(path.sep).join('/');
}

function suiteName(facts: ModelFacts): string {
  const base = facts.kind === 'zoo' ? facts.ref.slice(4) : path.basename(facts.ref).replace(/\.(onnx|json)$/i, '');
  return `${slugOf(base)}-starter`;
}

function specText(ctx: SpecContext, entries: readonly Entry[]): string {
  const { facts, preprocess: g } = ctx;
  const y = yamlLines();
  y.line(0, `# yaml-language-server: $schema=${schemaRef(ctx.file)}`);
  y.comment(0,
    `Starter spec for ${ctx.modelRef}, written by \`neurogate init\` (neurogate ${VERSION}). Every number in it was measured on this model (${ctx.device}) when the file was written, and the file was run once before it was saved: \`neurogate run\` passes it now (exit 0). Commit it next to the model; a later model that changes what it checks fails the gate (exit 1).`,
    '',
    `The model: image input "${facts.input.name}" [${facts.input.dims.join(', ')}] (${facts.input.layout}), ${facts.layers.length} layers${facts.logits ? `, ${facts.logits.classes} classes at layer "${facts.logits.layer}"` : ''}. \`neurogate layers <model>\` lists every layer; specs/README.md documents every key and metric.`,
    'To tighten a check: narrow its `tol:`, or move its `min:` / `max:` toward the measured value in its comment. To add one: copy an entry and change its layer, unit or image.',
  );
  if (ctx.audit) {
    y.comment(0, '',
      `Every check below was audited (\`neurogate audit\`): it passes on this model, fails on at least one broken copy of it (its comment names which), and passes on copies that compute the same function (${ctx.audit.mutants.filter((m) => EQUIVALENT_IDS.some((p) => m.startsWith(p))).join(', ')}). Mutation score: ${ctx.audit.killed} of ${ctx.audit.total} broken copies fail this spec.`,
      ...(ctx.audit.dropped.length ? ['Drafted and dropped:', ...ctx.audit.dropped.map((d) => `  ${d}`)] : []),
    );
  }
  y.kv(0, 'suite', suiteName(facts));
  y.kv(0, 'model', ctx.modelRef, ctx.modelRef.startsWith('zoo:') ? 'a model that ships with neurogate' : 'relative to this file');
  y.kv(0, 'engine', { device: ctx.device }, `measured on ${ctx.device}; \`auto\` takes a GPU when one works (values move by ~1e-4, inside every tolerance here)`);
  y.kv(0, 'seed', SEED, 'every random draw (the clutter backgrounds of the tuning checks) derives from it');
  y.blank();
  y.comment(0,
    `How pixels become the model’s input. input, layout and size are read from the model file, and \`neurogate validate\` checks them against it. The numbers (range, mean, std, channel order) come from ${g.how}.`,
    ...(g.evidence.length ? ['Fit of each convention to that BatchNorm’s statistics (0 = identical):', ...g.evidence.map((e) => `  ${e}`)] : []),
    'If your training code preprocessed differently, correct them here: every value below depends on them, so run the spec (`neurogate run`) and move each bound to what it measures now (`init --force` would guess the preprocessing again).',
  );
  const p = g.spec;
  y.line(0, 'preprocess:');
  y.kv(2, 'input', p.input, 'the model’s image input, as the file names it');
  y.kv(2, 'layout', p.layout, p.layout === 'NCHW' ? 'channels first (PyTorch); NHWC is channels last (TensorFlow / Keras)' : 'channels last (TensorFlow / Keras); NCHW is channels first (PyTorch)');
  y.kv(2, 'size', p.size, '[height, width]: every image is resized to it');
  y.kv(2, 'range', p.range, 'pixel levels 0..255 map linearly onto this range');
  y.kv(2, 'mean', p.mean, 'then subtracted, per channel');
  y.kv(2, 'std', p.std, 'then divided by, per channel');
  y.kv(2, 'channel_order', p.channel_order, 'BGR for Caffe-style models');
  for (const kind of ['neurons', 'masks'] as const) {
    const list = entries.filter((e) => e.kind === kind);
    if (!list.length) continue;
    y.blank();
    y.line(0, `${kind}:`);
    list.forEach((e, i) => {
      if (i > 0) y.blank();
      writeEntry(y, e);
    });
  }
  if (!ctx.scan.curve && !ctx.scan.line) {
    y.blank();
    y.comment(0, `No unit check: the scan of ${ctx.scan.layers.join(', ') || 'the model (it has no spatial activation layer)'} found no unit tuned to curves or lines. \`neurogate scan <model> --layer <name>\` ranks the units of any layer.`);
  }
  if (ctx.masksSkipped) {
    y.blank();
    y.comment(0, `No attribution check: ${ctx.masksSkipped}.`);
  }
  return y.text();
}

function writeEntry(y: YamlLines, e: Entry): void {
  if (e.above.length) y.comment(2, ...e.above);
  y.line(2, `- id: ${scalar(e.id)}`);
  for (const f of e.fields) y.kv(4, f.key, f.value, f.comment);
  y.line(4, 'expect:');
  for (const x of e.expect) y.line(6, `${x.metric}: ${flow(x.value)}`, x.comment);
}


