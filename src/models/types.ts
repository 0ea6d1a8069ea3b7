// What every importer hands the rest of neurogate: an ONNX IR in NCHW plus the facts a user
// needs to feed it (input name and size, preprocessing, labels, which outputs are logits).
import type { Net } from '../engine/session.ts';

/** How an image reaches the input size: stretched, centre-cropped after a short-side resize, or letterboxed with a fill level (0..255). */
export type ResizeMode = { mode: 'stretch' } | { mode: 'center_crop'; shortSide?: number } | { mode: 'letterbox'; fill: number };

/** How an RGB image becomes one grey channel: the channel mean, or the luma weights of ITU-R BT.601 / BT.709. */
export type GreyRule = 'mean' | 'bt601' | 'bt709';

/**
 * How raw pixels in [0,255] become the model's input tensor. `mean` and `std` hold one value per
 * input channel, so their length is the input's channel count: 3 for RGB, 1 for greyscale (the
 * image's luma by `grey`), 4 for RGBA (the image's alpha, 255 where it has none), any other
 * count for multispectral inputs read from .npy files.
 */
export interface Preprocess {
  /** Input height and width the model expects. */
  height: number;
  width: number;
  /** Multiply 0..255 pixels by this first (1/255 for [0,1] models). */
  scale: number;
  /** Then subtract mean and divide by std, per channel of the model's input (in its channel order). */
  mean: number[];
  std: number[];
  /** Order of the colour channels (3- and 4-channel inputs; BGR feeds BGR or BGRA). */
  channelOrder: 'RGB' | 'BGR';
  /** How a 1-channel input is made from RGB (BT.601 luma when absent). */
  grey?: GreyRule;
  /** Layout of the IR input. Importers always produce NCHW; this records the original. */
  sourceLayout: 'NCHW' | 'NHWC';
  /** How an image reaches width × height (stretch when absent). */
  resize?: ResizeMode;
}

export interface ImportedModel {
  net: Net;
  /** The IR's image input (NCHW, batch dimension free). */
  input: { name: string; channels: number; height: number; width: number };
  /** The file's other inputs, now constants of the IR at the values the spec gave (`preprocess.inputs`). */
  fixedInputs?: string[];
  /** Tensor holding class scores before softmax, if the model has one. */
  logits?: string;
  /** Tensor holding class probabilities, if the model ends in softmax. */
  probabilities?: string;
  labels?: string[];
  preprocess: Preprocess;
  /**
   * User-facing layer names → IR tensor names, when they differ from the tensor names
   * (e.g. Keras `conv2d_1` with a fused activation: `tensor` is after the activation,
   * `preActivation` before it). Layers not listed are named by their tensor name.
   */
  layerAliases?: Record<string, { tensor: string; preActivation?: string; kind?: string }>;
}
