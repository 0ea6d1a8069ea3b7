// The stimulus vocabulary as plain data: one record per kind (a discriminated union on `kind`),
// the options of a render call, and clutter backgrounds. Defaults and ranges live in params.ts.
//
// Geometry conventions (probes and specs rely on them):
// - Image coordinates are continuous, x to the right, y DOWN; pixel (col c, row r) covers
//   [c, c+1) × [r, r+1), so its centre is (c + 0.5, r + 0.5). The default placement point is
//   (width / 2, height / 2).
// - Angles are degrees, counter-clockwise as seen on screen, from +x: the unit direction of
//   angle θ is (cos θ, −sin θ) in image coordinates. 90° points up.
// - curve: θ is the direction from the circle's centre to the arc's midpoint, i.e. the way the
//   convex side faces (θ = 90° draws ∩). The arc's midpoint sits exactly on the placement point.
// - line: θ is the direction of the line itself (0° horizontal, 90° vertical); its midpoint sits on
//   the placement point. A curve of orientation θ flattens into the line of orientation θ + 90°.
// - angle: like the curve, θ is the direction the vertex points (θ = 90° draws ∧); the vertex sits
//   on the placement point and the two rays leave it at θ + 180° ± opening / 2.
// - grating: θ is the direction of the stripes (a grating at θ is made of lines at θ); phase 0
//   puts the middle of an ink stripe on the placement point.

/** A colour: a grey level 0..255, `#rrggbb` / `#rgb`, or an [r, g, b] triple of 0..255. */
export type Color = number | string | readonly [number, number, number];

/** `light-on-dark` swaps ink and background (so the default becomes white on black). */
export type Polarity = 'dark-on-light' | 'light-on-dark';

/** Seeded background clutter, drawn on the background before the stimulus. */
export interface Clutter {
  /** Number of random short strokes (ink colour, uniform position and orientation). */
  strokes?: number;
  /** Stroke length in pixels (centre line; ends are round). */
  strokeLength?: number;
  /** Stroke width in pixels. */
  strokeWidth?: number;
  /** Stroke opacity 0..1 (1 = full ink). */
  contrast?: number;
  /** No stroke comes within this many pixels of the placement point (keeps the probed spot clean). */
  clear?: number;
  /** Standard deviation of grey Gaussian pixel noise, in grey levels (0..255 scale). */
  noise?: number;
  /** Seed used when the render call passes no generator. */
  seed?: number;
}

/** What every kind shares: colours, polarity and an optional clutter background. */
export interface Look {
  ink: Color;
  background: Color;
  polarity: Polarity;
  clutter?: Clutter;
}

/** An arc of a circle. `length` (arc length in px), when set, replaces `span`. */
export interface CurveStimulus extends Look {
  kind: 'curve';
  orientation: number;
  radius: number;
  span: number;
  length?: number;
  width: number;
}

export interface LineStimulus extends Look {
  kind: 'line';
  orientation: number;
  length: number;
  width: number;
}

/** Two rays of `length` from a common vertex, `opening` degrees apart. */
export interface AngleStimulus extends Look {
  kind: 'angle';
  orientation: number;
  opening: number;
  length: number;
  width: number;
}

/** A ring of `radius` (centre line) and `width`; `filled` fills it out to its outer edge. */
export interface CircleStimulus extends Look {
  kind: 'circle';
  radius: number;
  width: number;
  filled: boolean;
}

/** A sinusoidal grating; with `sigma` a Gabor patch (Gaussian envelope of that many px). */
export interface GratingStimulus extends Look {
  kind: 'grating';
  orientation: number;
  /** Cycles per pixel (0 < f ≤ 0.5, the Nyquist limit). */
  frequency: number;
  phase: number;
  sigma?: number;
  contrast: number;
}

/** The background alone (with its clutter, if any). */
export interface BlankStimulus extends Look {
  kind: 'blank';
}

export type Stimulus = CurveStimulus | LineStimulus | AngleStimulus | CircleStimulus | GratingStimulus | BlankStimulus;
export type StimulusKind = Stimulus['kind'];
export type StimulusOf<K extends StimulusKind> = Extract<Stimulus, { kind: K }>;

/** A stimulus with any parameter left out; the defaults of params.ts fill the gaps. */
export type StimulusInput = { [K in StimulusKind]: { kind: K } & Partial<Omit<StimulusOf<K>, 'kind'>> }[StimulusKind];

export interface RenderOptions {
  width: number;
  height: number;
  /** Placement point in image coordinates (default: the image centre). */
  center?: { x: number; y: number };
}
