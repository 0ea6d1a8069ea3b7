// The table of VJP rules by op type. Ops listed as constant have no gradient path (their
// outputs are ints, bools, or piecewise constant); any other op without a rule is refused
// when the gradient graph is built, naming the node.
import type { RuleTable, VjpRule } from './rule.ts';
import { activationRules } from './activation.ts';
import { arithmeticRules } from './arithmetic.ts';
import { shapeRules } from './shape.ts';
import { convRules } from './conv.ts';
import { poolRules } from './pool.ts';
import { normRules } from './norm.ts';
import { modernRules } from './modern.ts';

const CONSTANT_OPS = [
  'Shape', 'Size', 'Constant', 'ConstantOfShape', 'Range', 'ArgMax', 'ArgMin', 'Equal', 'Greater', 'Less',
  'GreaterOrEqual', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor', 'NonZero', 'Sign', 'Floor', 'Ceil', 'Round',
  'IsNaN', 'IsInf', 'EyeLike', 'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike',
];

const constant: VjpRule = { diff: [], vjp: (_e, n) => n.input.map(() => undefined) };

export const RULES: RuleTable = {
  ...Object.fromEntries(CONSTANT_OPS.map((op) => [op, constant])),
  ...activationRules,
  ...arithmeticRules,
  ...shapeRules,
  ...convRules,
  ...poolRules,
  ...normRules,
  ...modernRules,
};

export function ruleFor(opType: string, domain = ''): VjpRule | undefined {
  if (domain && domain !== 'ai.onnx') return undefined;
  return Object.hasOwn(RULES, opType) ? RULES[opType] : undefined;
}

/** Op types with a gradient rule (for messages and docs). */
export function differentiableOps(): string[] {
  return Object.keys(RULES).filter((op) => RULES[op] !== constant).sort();
}
