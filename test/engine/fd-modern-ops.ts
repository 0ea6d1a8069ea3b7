// The ops whose VJP rules autodiff-fd-modern.test.ts checks (its generators emit each; it
// asserts so). autodiff-fd.test.ts counts them as covered.
export const MODERN_FD_OPS = [
  'Erf', 'Gelu', 'HardSigmoid', 'HardSwish', 'Elu', 'Selu', 'Softplus', 'Softsign', 'Sin', 'Cos', 'Reciprocal',
  'PRelu', 'Pow', 'Max', 'Min', 'Where', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSum', 'ReduceLogSumExp',
  'LayerNormalization', 'InstanceNormalization', 'GroupNormalization', 'Gather', 'GatherElements', 'Tile', 'Resize', 'Einsum',
];
