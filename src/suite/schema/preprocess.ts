// The `preprocess:` block: how pixels become a user model's input (which input, its layout and size,
// the value range, mean/std, channel order, grey rule) and the values of its other inputs. A suite
// sets it as a default; an entry may override it key by key.
import { z } from 'zod';

const Size = z.int().min(1).max(16_384);
// One value per input channel: RGB models take 3, grey 1, RGBA 4, multispectral up to 64 (INPUT_LIMITS).
const PerChannel = (description: string) => z.array(z.number()).min(1).max(64).meta({ description });

const FixedInputSchema = z
  .union([
    z.strictObject({ fill: z.number().meta({ description: 'Every element set to this value' }) }),
    z.strictObject({ npy: z.string().min(1).max(4096).meta({ description: 'A .npy file holding the value of one sample (its shape without the batch axis), relative to the spec file' }) }),
    z.array(z.number()).min(1).max(1_000_000).meta({ description: 'Every element of one sample, flattened in C order' }),
  ])
  .meta({ description: 'The value a non-image input is held at for every image' });

export const PreprocessSchema = z
  .strictObject({
    input: z.string().min(1).max(500).meta({ description: 'The model’s image input, named as in the model file (`neurogate layers <model>` prints it); validate checks it exists' }).optional(),
    layout: z.enum(['NCHW', 'NHWC']).meta({ description: 'Layout of that input in the model file: NCHW (PyTorch) or NHWC (TensorFlow, Keras); validate checks it against the input’s shape' }).optional(),
    size: z.tuple([Size, Size]).meta({ description: '[height, width] the model takes; every image is resized to it, so it must equal the model’s fixed input size' }).optional(),
    range: z.tuple([z.number(), z.number()]).meta({ description: 'The values pixel levels 0 and 255 map to, linearly: [0, 1] (default), [-1, 1], [0, 255]' }).optional(),
    scale: z.number().gt(0).meta({ description: 'Instead of `range`: multiply pixel levels 0..255 by this (1/255 ≙ range [0, 1])' }).optional(),
    mean: PerChannel('Subtracted per channel after `range`, in its units and in the model’s channel order (torchvision: [0.485, 0.456, 0.406]); one value per input channel; default: the importer’s, 0').optional(),
    std: PerChannel('Then divided by, per channel (torchvision: [0.229, 0.224, 0.225]); one value per input channel; default: the importer’s, 1').optional(),
    grey: z.enum(['bt601', 'bt709', 'mean']).meta({ description: 'For a 1-channel input: the grey level made from RGB, ITU-R BT.601 luma 0.299·R + 0.587·G + 0.114·B (default), BT.709 luma 0.2126·R + 0.7152·G + 0.0722·B, or the mean of R, G and B' }).optional(),
    inputs: z
      .record(z.string().min(1).max(500), FixedInputSchema)
      .meta({ description: 'Values of the model’s other inputs, by name, held fixed while images are fed to `input`; gradients are taken with respect to the image only' })
      .optional(),
    resize: z
      .union([
        z.literal('stretch').meta({ description: 'Both sides resized to the input size (default)' }),
        z.strictObject({ center_crop: z.strictObject({ short_side: Size.meta({ description: 'Short side after the resize (default: the smallest that covers the input; torchvision’s Resize(256) + CenterCrop(224): 256)' }).optional() }) }),
        z.strictObject({ letterbox: z.strictObject({ fill: z.number().min(0).max(255).meta({ description: 'Pixel level (0..255) of the padding (default 0)' }).optional() }) }),
      ])
      .meta({ description: 'How an image reaches the input size: stretch (default), center_crop after resizing the short side, or letterbox (fit inside, pad with `fill`)' })
      .optional(),
    channel_order: z.enum(['RGB', 'BGR']).meta({ description: 'Channel order the model takes (BGR for Caffe-style models); default: the importer’s, RGB' }).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.range && p.scale !== undefined) ctx.addIssue({ code: 'custom', path: ['scale'], message: 'give `range:` or `scale:`, not both: each says how 0..255 pixel levels are scaled' });
    if (p.range && !(p.range[1] > p.range[0])) ctx.addIssue({ code: 'custom', path: ['range'], message: `range [${p.range.join(', ')}] must rise: [value of level 0, value of level 255], e.g. [0, 1]` });
    p.std?.forEach((s, i) => {
      if (!(s > 0)) ctx.addIssue({ code: 'custom', path: ['std', i], message: `std must be > 0 (got ${s}): the input is divided by it` });
    });
  })
  .meta({ description: 'How images become the model’s input; keys left out keep what the importer assumes (RGB, range [0, 1], no mean/std). Checked against the model by `neurogate validate`' });

export type PreprocessSpec = z.output<typeof PreprocessSchema>;
