// Modified backward passes over the IR graph, each a rule variant of the ordinary autodiff.
export { type BackwardVariant, type VariantContext, type NodeMatch, nodeMatches } from './variant.ts';
export { guidedBackprop } from './guided.ts';
export { deepLiftRescale } from './deeplift.ts';
export { lrpVariant, unusedRows, LRP_LAYER_OPS, type LrpRule, type LrpEntry } from './lrp.ts';
export { RESCALED_OPS, WINNER_OPS, LINEAR_OPS, RESCALE_TOLERANCE } from './rescale.ts';
