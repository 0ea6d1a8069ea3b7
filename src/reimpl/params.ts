// The named parameters of the clean-room curve network (the "artificial artificial neural
// network"): sizes, orientation counts, radius bands and inhibition strengths, with defaults.
//
// Every length is in input pixels, every angle in degrees, so a parameter reads the same whatever
// grid a layer runs on. Defaults are tuned to the stimuli the comparison uses (5 px strokes, arcs of
// radius 16–32 px, the radii where zoo:inception_v3's mixed2 curve units peak).
import { badInput } from '../errors.ts';

export interface GaborParams {
  /** Line orientations over 180° (the simple cells come in 4 phases per orientation). */
  orientations: number;
  /** Kernel side (odd), on the input grid. */
  kernel: number;
  /** Carrier wavelength: about twice the stroke width makes the even cell a matched line filter. */
  wavelength: number;
  /** Envelope standard deviation across the orientation (px). */
  sigma: number;
  /** Envelope standard deviation along the orientation ÷ across: > 1 elongates the cell. */
  aspect: number;
}

export interface LinesParams {
  /** Kernel side (odd), on the pooled grid (2 px per step). */
  kernel: number;
  /** Gaussian extent along the line (px): how far collinear complex cells are summed. */
  length: number;
  /** Gaussian extent across the line (px). */
  width: number;
  /** Orientation tuning of the excitatory input (std, degrees on the 180° circle). */
  orientationSigma: number;
  /** Strength of the cross-orientation (perpendicular) inhibition, 0 = none. */
  inhibition: number;
}

export interface EarlyCurvesParams {
  /** Curve orientations over 360° (the direction from circle centre to arc midpoint). */
  orientations: number;
  /** Radius of the arc the unit is built along (px). */
  radius: number;
  /** Angle the arc subtends (degrees). */
  span: number;
  /** Kernel side (odd), on the pooled grid (2 px per step). */
  kernel: number;
  /** Positional tolerance of each arc element (std, px). */
  positionSigma: number;
  /** Orientation tuning to the line inputs (std, degrees on the 180° circle). */
  orientationSigma: number;
  /** Strength of the inhibition by lines perpendicular to the arc's tangent, 0 = none. */
  inhibition: number;
}

export interface CurvesParams {
  /** Curve orientations over 360° (16–24 in the published family; InceptionV1 had 10). */
  orientations: number;
  /** Radius band the unit integrates over (px): arcs of `steps` radii from min to max. */
  radius: { min: number; max: number; steps: number };
  /** Angle the arcs subtend (degrees). */
  span: number;
  /** Kernel side (odd), on the twice-pooled grid (4 px per step). */
  kernel: number;
  /** Positional tolerance of each arc element (std, px). */
  positionSigma: number;
  /** Orientation tuning to the early-curve inputs (std, degrees on the 360° circle). */
  orientationSigma: number;
  /**
   * Strength of the inhibition by early curves of the opposite orientation (tangent reversed, the
   * arc bending the other way), 0 = none. This is what removes the echo; the ablation sets it to 0.
   */
  inhibition: number;
  /**
   * Orientation spread of that inhibition (std, degrees, centred on the opposite orientation) at
   * the same total weight; wider also suppresses the flanks (perpendicular early curves).
   */
  inhibitionSigma: number;
}

export interface CurveNetParams {
  /** Side of the square input in pixels. */
  size: number;
  gabor: GaborParams;
  lines: LinesParams;
  earlyCurves: EarlyCurvesParams;
  curves: CurvesParams;
}

export const DEFAULT_PARAMS: CurveNetParams = {
  size: 128,
  gabor: { orientations: 12, kernel: 9, wavelength: 10, sigma: 2.2, aspect: 1.5 },
  lines: { kernel: 5, length: 3, width: 1, orientationSigma: 12, inhibition: 0.5 },
  earlyCurves: { orientations: 24, radius: 10, span: 120, kernel: 9, positionSigma: 1.5, orientationSigma: 15, inhibition: 1 },
  curves: { orientations: 24, radius: { min: 16, max: 32, steps: 5 }, span: 100, kernel: 13, positionSigma: 2, orientationSigma: 20, inhibition: 1, inhibitionSigma: 20 },
};

/** Nested partial parameters: what a spec or a caller overrides. */
export type CurveNetOverrides = {
  size?: number;
  gabor?: Partial<GaborParams>;
  lines?: Partial<LinesParams>;
  earlyCurves?: Partial<EarlyCurvesParams>;
  curves?: Partial<Omit<CurvesParams, 'radius'>> & { radius?: Partial<CurvesParams['radius']> };
};

/** Valid values of every parameter: integer, odd integer (kernel sides), number > lo, or number ≥ lo; all ≤ hi. */
const RANGES: Record<string, ['int' | 'odd' | 'positive' | 'non-negative', number, number]> = {
  size: ['int', 32, 1024],
  'gabor.orientations': ['int', 4, 64],
  'gabor.kernel': ['odd', 1, 31],
  'gabor.wavelength': ['positive', 0, 100],
  'gabor.sigma': ['positive', 0, 50],
  'gabor.aspect': ['positive', 0, 10],
  'lines.kernel': ['odd', 1, 31],
  'lines.length': ['positive', 0, 100],
  'lines.width': ['positive', 0, 100],
  'lines.orientationSigma': ['positive', 0, 90],
  'lines.inhibition': ['non-negative', 0, 100],
  'earlyCurves.orientations': ['int', 4, 72],
  'earlyCurves.radius': ['positive', 0, 1000],
  'earlyCurves.span': ['positive', 0, 360],
  'earlyCurves.kernel': ['odd', 1, 41],
  'earlyCurves.positionSigma': ['positive', 0, 100],
  'earlyCurves.orientationSigma': ['positive', 0, 90],
  'earlyCurves.inhibition': ['non-negative', 0, 100],
  'curves.orientations': ['int', 4, 72],
  'curves.radius.min': ['positive', 0, 1000],
  'curves.radius.max': ['positive', 0, 1000],
  'curves.radius.steps': ['int', 1, 32],
  'curves.span': ['positive', 0, 360],
  'curves.kernel': ['odd', 1, 63],
  'curves.positionSigma': ['positive', 0, 100],
  'curves.orientationSigma': ['positive', 0, 180],
  'curves.inhibition': ['non-negative', 0, 100],
  'curves.inhibitionSigma': ['positive', 0, 180],
};

/** Defaults filled in and every value checked (bad values are bad input, naming the parameter). */
export function resolveParams(o: CurveNetOverrides = {}, where = 'reimpl'): CurveNetParams {
  const p: CurveNetParams = {
    size: o.size ?? DEFAULT_PARAMS.size,
    gabor: { ...DEFAULT_PARAMS.gabor, ...o.gabor },
    lines: { ...DEFAULT_PARAMS.lines, ...o.lines },
    earlyCurves: { ...DEFAULT_PARAMS.earlyCurves, ...o.earlyCurves },
    curves: { ...DEFAULT_PARAMS.curves, ...o.curves, radius: { ...DEFAULT_PARAMS.curves.radius, ...o.curves?.radius } },
  };
  const fail = (name: string, v: unknown, need: string) => {
    throw badInput('E_REIMPL_PARAM', `${name} = ${JSON.stringify(v)}: ${need}`, where, 'see src/reimpl/params.ts for what each parameter means');
  };
  for (const [name, [kind, lo, hi]] of Object.entries(RANGES)) {
    const v = name.split('.').reduce<unknown>((obj, key) => (obj as Record<string, unknown>)[key], p) as number;
    const ok = kind === 'int' ? Number.isInteger(v) && v >= lo && v <= hi
      : kind === 'odd' ? Number.isInteger(v) && v >= lo && v <= hi && v % 2 === 1
        : kind === 'positive' ? Number.isFinite(v) && v > lo && v <= hi
          : Number.isFinite(v) && v >= lo && v <= hi;
    if (!ok) fail(name, v, kind === 'int' ? `must be an integer in ${lo}..${hi}` : kind === 'odd' ? `must be an odd integer in ${lo}..${hi}` : kind === 'positive' ? `must be a number in (${lo}, ${hi}]` : `must be a number in [${lo}, ${hi}]`);
  }
  if (p.curves.radius.max < p.curves.radius.min) fail('curves.radius.max', p.curves.radius.max, `must be ≥ curves.radius.min (${p.curves.radius.min})`);
  return p;
}
