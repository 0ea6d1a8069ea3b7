// Errors users can act on: every failure the harness reports on purpose is a NeurogateError
// with a code (which decides the exit code), where it happened, and what to do about it.

/** bad_input → exit 2 (spec, model, image); internal → exit 3. Check failures are not errors. */
export type ErrorKind = 'bad_input' | 'internal';

export interface ErrorOptions {
  /** Short machine-readable code, e.g. `E_MODEL_TRUNCATED`. */
  code: string;
  kind?: ErrorKind;
  /** Where: `file:line:col` for specs, a file path for models and images. */
  where?: string;
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
}

export class NeurogateError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly where?: string;
  readonly hint?: string;

  constructor(message: string, opts: ErrorOptions) {
    super(message, { cause: opts.cause });
    this.name = 'NeurogateError';
    this.code = opts.code;
    this.kind = opts.kind ?? 'bad_input';
    this.where = opts.where;
    this.hint = opts.hint;
  }

  /** One line for the console: `where: message (hint)`. */
  oneLine(): string {
    const where = this.where ? `${this.where}: ` : '';
    const hint = this.hint ? ` — ${this.hint}` : '';
    return `${where}${this.message}${hint}`;
  }
}

/** Shorthand for the common case: bad input with a code, a place and a hint. */
export function badInput(code: string, message: string, where?: string, hint?: string): NeurogateError {
  return new NeurogateError(message, { code, kind: 'bad_input', where, hint });
}

export function isNeurogateError(e: unknown): e is NeurogateError {
  return e instanceof NeurogateError;
}

/** Exit codes shared by every command: 0 pass · 1 gate failed · 2 bad input · 3 internal. */
export const EXIT = { pass: 0, failed: 1, badInput: 2, internal: 3, interrupted: 130 } as const;

export function exitCodeFor(e: unknown): number {
  if (isNeurogateError(e)) return e.kind === 'bad_input' ? EXIT.badInput : EXIT.internal;
  return EXIT.internal;
}
