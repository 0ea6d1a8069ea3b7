// The `preprocess:` block: how pixels become a user model's input (which input, its layout and size,
// the value range, mean/std, channel order). A suite sets it as a default; an entry may override it.
import { z } from 'zod';

const Size = z.int().min(1).max(16_384);
const Triple = (description: string) => z.tuple([z.number(), z.number(), z.number()]).meta({ description });

export const PreprocessSchema = z
  .strictObject({
    input: z.string().min(1).max(500).meta({ description: 'The model’s image input, named as in the model file (`neurogate layers <model>` prints it); validate checks it exists' }).optional(),
    layout: z.enum(['NCHW', 'NHWC']).meta({ description: 'Layout of that input in the model file: NCHW (PyTorch) or NHWC (TensorFlow, Keras); validate checks it against the input’s shape' }).optional(),
    size: z.tuple([Size, Size]).meta({ description: '[height, width] the model takes; every image is resized to it, so it must equal the model’s fixed input size' }).optional(),
    range: z.tuple([z.number(), z.number()]).meta({ description: 'The values pixel levels 0 and 255 map to, linearly: [0, 1] (default), [-1, 1], [0, 255]' }).optional(),
    scale: z.number().gt(0).meta({ description: 'Instead of `range`: multiply pixel levels 0..255 by this (1/255 ≙ range [0, 1])' }).optional(),
    mean: Triple('Subtracted per channel after `range`, in its units and in the model’s channel order (torchvision: [0.485, 0.456, 0.406]); default: the importer’s, 0').optional(),
    std: Triple('Then divided by, per channel (torchvision: [0.229, 0.224, 0.225]); default: the importer’s, 1').optional(),
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
