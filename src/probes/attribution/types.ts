// The shared vocabulary of attribution: what is explained (a Subject), what about it (a Target),
// and what every method hands back (an Attribution). Plain data, so checks and reports can read it.
import type { Tensor } from '../../engine/tensor.ts';
import type { ConcreteDevice, Net } from '../../engine/session.ts';
import type { ChannelObjective, ElementObjective, DirectionObjective, RegionObjective, UnitObjective } from '../../engine/autodiff/objective.ts';
import type { MaxPoolTies } from '../../engine/autodiff/rules/pool.ts';

/**
 * The model as attribution methods see it: one image input (NCHW, batch free) and the tensor
 * holding class scores. Built from an ImportedModel by `subjectOf`.
 */
export interface Subject {
  net: Net;
  /** Name of the IR's image input. */
  input: string;
  /** Item dims of the input: [C, H, W]. */
  inputDims: [number, number, number];
  /** Tensor with class scores before softmax (class and contrastive targets read it). */
  logits?: string;
  labels?: string[];
  device: ConcreteDevice;
  /** Most items per onnxruntime run (the memory bound every batched method respects). */
  batchSize: number;
  /** Who gets a max-pool window's gradient when inputs tie for its max (the engine's default, `split`, when absent). */
  maxPoolTies?: MaxPoolTies;
}

/**
 * What is explained, in the engine's objective vocabulary (engine/autodiff/objective.ts: the same
 * kinds and field names feature visualization uses). One value type serves every method (the
 * Captum lesson: no per-target copies of each method).
 * - class: the logit of class `index` of the subject's class output (the engine's `logit`, its tensor implied);
 * - contrastive: y_c − max over every other class c' of y_c' — TorchRay's contrastive reward
 *   (the gradient goes to the best other class, first on ties);
 * - unit: one channel of a tensor at a position (default: the centre), or one element of a
 *   rank-2 tensor when the tensor has no spatial axes;
 * - channel: the spatial mean of one channel of a tensor;
 * - region: the sum (or mean) of one channel of a dense map over a box or a mask (segmentation);
 * - element / direction: one element of any tensor, or its dot product with a vector (regression);
 * - detection: the score of one detection of a decoded head (see DetectionTarget).
 */
export type Target =
  | { kind: 'class'; index: number }
  | { kind: 'contrastive'; index: number }
  | UnitObjective<number>
  | ChannelObjective<number>
  | RegionObjective
  | ElementObjective
  | DirectionObjective
  | DetectionTarget;

/**
 * The score of the highest-scoring detection of class `class` whose box overlaps `box` by IoU ≥
 * `iou`, in a decoded head: `boxes` [N, D, 4] holding [y0, x0, y1, x1] per detection (in the units
 * `box` is given in), `tensor` the scores [N, D, K] (or [N, D] for one class). Which detection is
 * chosen once, on the unperturbed input (`pick`), and stays fixed: re-choosing it on every
 * perturbed or interpolated input would make the target an argmax that jumps between detections,
 * a function of the input that is neither continuous nor differentiable, so gradients and forward
 * scores would explain different things. With `pick` set it is the element of the scores at `pick.index`.
 */
export interface DetectionTarget {
  kind: 'detection';
  /** The scores tensor (the one the target's value is read from). */
  tensor: string;
  boxes: string;
  class: number;
  box: readonly [number, number, number, number];
  iou: number;
  /** The chosen detection, absent until it is chosen on the unperturbed input: its number, its score's index in one item of `tensor`, its box's IoU with `box`. */
  pick?: { detection: number; index: readonly number[]; iou: number };
}

/** A method's spec name (`gradient`, `integrated_gradients`, …): the `name` of its descriptor in methods/index.ts. */
export type MethodName = string;

export type ParamValue = number | string | boolean | number[] | null;

/** One optimised mask (extremal perturbation per area, meaningful perturbation once). */
export interface MaskResult {
  /** The area the mask was asked for (extremal), or null when area is not constrained. */
  requestedArea: number | null;
  /** Mask at input resolution [H, W], values in [0, 1]. Preserve games: 1 keeps the input; delete games: 1 marks what is removed. */
  mask: Tensor;
  /** Mean of the mask over the image. */
  area: number;
  /** Mean over the generator's full output including its margin (what the area constraint sees), when there is one. */
  areaFull?: number;
  /** Target score of the input perturbed through the mask: 1 keeps, 0 perturbs. */
  preserved: number;
  /** Target score of the input perturbed through 1 − mask. */
  deleted: number;
  /** Energy terms per iteration: reward and regulariser (TorchRay's `hist`), or the loss terms. */
  reward: number[];
  regulariser: number[];
}

/** What every method returns: the map plus everything the method knows about its own run. */
export interface Attribution {
  method: MethodName;
  target: Target;
  /**
   * The attribution: [C, H, W] for per-input-element methods (gradient, IG, …), [H, W] for
   * spatial ones (Grad-CAM, occlusion, RISE, masks). Larger = more evidence for the target.
   */
  map: Tensor;
  /** Every hyperparameter the run used, defaults filled in (echoed in reports). */
  params: Record<string, ParamValue>;
  /** Target score F(x) at the input. */
  score: number;
  /** IG: Σ attribution − (F(x) − F(x′)), and the two terms. */
  completeness?: { sum: number; delta: number; gap: number };
  masks?: MaskResult[];
  /** Forward-equivalent model evaluations spent (a gradient counts as one forward + one backward). */
  evaluations: { forward: number; backward: number };
  /** Where the time went, in ms (e.g. `model`, `mask`): for benchmarks, never for checks. */
  timing?: Record<string, number>;
}

/** A method: one signature for all (engine, input [1,C,H,W], target, options). */
export type Method<O> = (subject: Subject, input: Tensor, target: Target, options?: Partial<O>) => Promise<Attribution>;
