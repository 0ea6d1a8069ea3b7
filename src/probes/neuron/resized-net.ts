// A model cut down to the tensors a probe reads, with its image input resized: receptive-field
// crops and feature visualization run fully convolutional prefixes at sizes the model never saw.
import { valueInfo, withOutputs } from '../../engine/graph.ts';
import { makeNet } from '../../engine/net.ts';
import type { Net } from '../../engine/session.ts';
import { badInput } from '../../errors.ts';
import type { ImportedModel } from '../../models/types.ts';

/** The model pruned to `outputs` with its image input resized to h×w (the graph must be fully convolutional up to them). */
export function resizedNet(model: ImportedModel, outputs: readonly string[], h: number, w: number): Net {
  const pruned = withOutputs(model.net.model, [...outputs], model.net.where);
  const g = pruned.graph!;
  const i = g.input.findIndex((v) => v.name === model.input.name);
  if (i < 0) throw badInput('E_FEATUREVIZ', `the layers ${outputs.join(', ')} do not depend on the image input`, model.net.where, 'pick a layer computed from the image');
  g.input[i] = valueInfo(model.input.name, ['N', model.input.channels, h, w]);
  return makeNet(pruned, `${model.net.where} [${h}×${w} → ${outputs.join(', ')}]`);
}

