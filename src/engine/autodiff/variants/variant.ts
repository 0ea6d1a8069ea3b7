// Modified backward passes: a variant swaps the VJP rule of chosen nodes (Guided Backprop's ReLU,
// DeepLIFT's multipliers, LRP's layer rules) and keeps every other op's ordinary rule.
import type { NodeProto } from '../../onnx.ts';
import type { VjpRule } from '../rules/rule.ts';

/** What a variant may ask about the graph while it picks a node's rule. */
export interface VariantContext {
  /** Whether a tensor depends on the differentiated input (false: a weight, a constant, a shape). */
  variable(t: string): boolean;
  /** The tensor's value on the reference input; only for variants with `reference: true`. */
  reference(t: string): string;
  /** The nodes reading a tensor (in the graph as built, after folding). */
  consumers(t: string): NodeProto[];
  where: string;
}

export interface BackwardVariant {
  /** Names the variant and its settings in the gradient-graph cache: equal keys, equal graphs. */
  key: string;
  /** The forward pass also runs on a reference input (DeepLIFT's baseline), fed beside the input. */
  reference?: boolean;
  /** The node's rule; undefined keeps the ordinary VJP. Throws for an op the variant cannot model. */
  ruleFor(n: NodeProto, ctx: VariantContext): VjpRule | undefined;
}

/** Which nodes a rule-table row applies to: op types and/or a name pattern (`*` any run of characters). */
export interface NodeMatch {
  op?: string[];
  /** Matched against the node's name and its first output's name (what `neurogate layers` lists). */
  name?: string;
  /** Only nodes whose output goes straight into rectifiers (Relu, or Clip as ReLU6): where outputs that carry relevance are positive. */
  rectified?: boolean;
}

function globRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

const RECTIFIERS = new Set(['Relu', 'Clip']);

export function nodeMatches(m: NodeMatch, n: NodeProto, consumers?: (t: string) => NodeProto[]): boolean {
  if (m.op && !m.op.includes(n.opType)) return false;
  if (m.rectified && consumers) {
    const next = consumers(n.output[0]);
    if (next.length === 0 || !next.every((c) => RECTIFIERS.has(c.opType))) return false;
  }
  if (m.name === undefined) return true;
  const re = globRegExp(m.name);
  return re.test(n.name) || re.test(n.output[0] ?? '');
}
