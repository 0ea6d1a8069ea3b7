// A hand-made ONNX model whose units have known preferred orientations: each unit is a zero-mean
// matched filter (the coverage of a rendered light curve or line at a chosen orientation) on all
// three colour channels, followed by a ReLU. Built with the engine's graph builders.
import { createModel, node, floatTensorProto } from '../../../src/engine/graph.ts';
import { makeNet } from '../../../src/engine/net.ts';
import type { ImportedModel } from '../../../src/models/types.ts';
import { renderCoverage, type StimulusInput } from '../../../src/stimuli/index.ts';

export interface OrientedUnit {
  template: StimulusInput;
}

/** Input size × size, kernel k × k ('same' padding, stride 1), one output channel per unit. */
export function orientedModel(units: readonly OrientedUnit[], size = 48, k = 25): ImportedModel {
  const w = new Float32Array(units.length * 3 * k * k);
  units.forEach((u, o) => {
    const cov = renderCoverage(u.template, { width: k, height: k });
    let mean = 0;
    for (const v of cov.data) mean += v;
    mean /= cov.data.length;
    for (let c = 0; c < 3; c++) for (let i = 0; i < k * k; i++) w[(o * 3 + c) * k * k + i] = (cov.data[i] - mean) / 3;
  });
  const p = (k - 1) / 2;
  const model = createModel({
    inputs: [{ name: 'image', dims: ['N', 3, size, size] }],
    outputs: [{ name: 'relu' }],
    nodes: [
      node('Conv', ['image', 'w'], ['conv'], { kernel_shape: { ints: [k, k] }, pads: { ints: [p, p, p, p] }, strides: { ints: [1, 1] } }),
      node('Relu', ['conv'], ['relu']),
    ],
    initializers: [floatTensorProto('w', { dims: [units.length, 3, k, k], data: w })],
  });
  return {
    net: makeNet(model, 'oriented-test-model'),
    input: { name: 'image', channels: 3, height: size, width: size },
    preprocess: { height: size, width: size, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'RGB', sourceLayout: 'NCHW' },
    layerAliases: { units: { tensor: 'relu', preActivation: 'conv' } },
  };
}
