// What an attribution method declares about itself, once: its spec name, the options a spec may
// set (zod type, meaning, default), whether it draws random numbers or returns masks, what one
// image costs, and the function. The spec schema, the runner's seeding and the shard cost model
// all read these descriptors; nothing else lists methods.
import { z } from 'zod';
import type { Method } from './types.ts';

/** One option a spec may set, keyed by its snake_case spec name in `MethodDescriptor.options`. */
export interface OptionSpec {
  /** The value's type and bounds; the description and `.optional()` are added from the fields below. */
  schema: z.ZodType;
  /** What the option means, without its default (that is appended from `defaults`). */
  description: string;
  /** The option's name in the method's options object, when it is not the spec name in camelCase. */
  key?: string;
  /** The default in words, for options whose default is not a constant (it depends on the target, the engine …). */
  defaultText?: string;
  /** The spec must give it (most options are optional). */
  required?: boolean;
}

/** A random method must let the spec set its seed: the runner hands it the suite's seed otherwise. */
type Randomness = { random: true; options: { seed: OptionSpec } } | { random?: false };

export type MethodDescriptor<O extends object = Record<string, unknown>> = {
  /** The key under `method:` in a spec (snake_case). */
  name: string;
  /** Published defaults, in the options object's own keys; the single place they are written. */
  defaults: Partial<O>;
  options: Record<string, OptionSpec>;
  /** The result is a mask in [0, 1] (one per area), not a signed evidence map. */
  mask?: boolean;
  /** The spec option a bare value sets (`file: "maps/{image}.npy"` is `file: { path: … }`). */
  shorthand?: string;
  /** The runner hands it each image's name and position as `options.image` (a method run outside the model, a user's command, names its files by them). */
  perImage?: true;
  /** Forward-pass equivalents of one image, given the options with the defaults filled in. */
  passes: (options: O) => number;
  run: Method<O>;
} & Randomness;

/** A method of any options type, as lists hold them. */
export type AnyMethodDescriptor = MethodDescriptor<any>;

/** A gradient run costs about three forward passes (forward, backward through every layer). */
export const GRADIENT_PASSES = 3;

/** Typed identity: lets a method file write its descriptor against its own options type. */
export function describeMethod<O extends object>(d: MethodDescriptor<O>): MethodDescriptor<O> {
  return d;
}

/** The options object's key of a spec option (`learning_rate` → `learningRate`). */
export function optionKey(specKey: string, spec: OptionSpec): string {
  return spec.key ?? specKey.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function formatDefault(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(formatDefault).join(', ')}]`;
  return String(v);
}

/** The default as the schema text shows it after `default` (` 50`, `: engine batch`), or undefined when the option has none. */
export function defaultText(options: Record<string, OptionSpec>, defaults: object, specKey: string): string | undefined {
  const spec = options[specKey];
  if (spec.defaultText !== undefined) return `: ${spec.defaultText}`;
  const v = (defaults as Record<string, unknown>)[optionKey(specKey, spec)];
  return v === undefined ? undefined : ` ${formatDefault(v)}`;
}

/** A strict object of optional options, each described with its default (methods' and metrics' spec blocks). */
export function blockSchema(options: Record<string, OptionSpec>, defaults: object): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, o] of Object.entries(options)) {
    const dt = defaultText(options, defaults, k);
    const described = o.schema.meta({ description: dt === undefined ? o.description : `${o.description} (default${dt})` });
    shape[k] = o.required ? described : described.optional();
  }
  return z.strictObject(shape);
}

/** The zod schema of the method's block in a spec: every option optional, its default in the description. */
export function optionsSchema(d: AnyMethodDescriptor): z.ZodType {
  if (Object.keys(d.options).length === 0) return z.strictObject({}).meta({ description: 'No hyperparameters' });
  const block = blockSchema(d.options, d.defaults);
  return d.shorthand ? z.union([d.options[d.shorthand].schema, block]) : block;
}

/** A spec block as an options object: spec names → option keys; options left out are absent (not undefined). */
export function optionsOf(options: Record<string, OptionSpec>, spec: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec ?? {})) if (v !== undefined) out[options[k] ? optionKey(k, options[k]) : k] = v;
  return out;
}

/** A spec's option block as the method's own options object (spec names → option keys). */
export function optionsFromSpec(d: AnyMethodDescriptor, spec: Record<string, unknown> | string | undefined): Record<string, unknown> {
  if (typeof spec !== 'object' && spec !== undefined) return d.shorthand ? optionsOf(d.options, { [d.shorthand]: spec }) : {};
  return optionsOf(d.options, spec);
}

/** The options with the published defaults filled in (options that depend on the run stay as given). */
export function withDefaults<O extends object>(d: MethodDescriptor<O>, options: Partial<O>): O {
  return { ...d.defaults, ...options } as O;
}

/** Option types most methods share. */
export const int = (min: number, max: number) => z.int().min(min).max(max);
export const positive = () => z.number().gt(0);
export const layerName = () => z.string().min(1).max(500);
export const seedOption: OptionSpec = { schema: int(0, 2 ** 32 - 1), description: 'Seed of the method’s random draws', defaultText: 'the entry’s seed' };
