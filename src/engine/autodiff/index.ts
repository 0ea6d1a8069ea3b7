// Reverse-mode autodiff over the ONNX IR — the public face: objectives, gradient(), and the
// builder for inspection. Everything else in this folder is how it is done.
export { gradient, factsFor, gradientNetFor, type GradientRequest, type GradientResult, type GradientOptions, type BuiltGradient } from './gradient.ts';
export { buildGradientModel, checkDifferentiable, type GradientGraph } from './build.ts';
export { probeFacts, type GraphFacts, type TensorFact } from './facts.ts';
export {
  unit, channel, logit, contrastive, weighted, upstream, sum, scale, flattenSum, compileObjective, objectiveTensors,
  type Objective, type ObjectiveStructure, type PerItem, type UnitObjective, type ChannelObjective, type Sum,
} from './objective.ts';
export { differentiableOps } from './rules/index.ts';
export { guidedBackprop, deepLiftRescale, lrpVariant, unusedRows, type BackwardVariant, type LrpRule, type LrpEntry } from './variants/index.ts';
