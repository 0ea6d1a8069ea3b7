// The rules added for architectures beyond plain CNNs (ViTs, MobileNetV3/EfficientNet, UNets,
// detectors), gathered so the rule index takes them in one line.
import type { RuleTable } from './rule.ts';
import { smoothRules } from './smooth.ts';
import { layerNormRules } from './layernorm.ts';
import { gatherRules } from './gather.ts';
import { reduceRules } from './reduce.ts';
import { resizeRules } from './resize.ts';
import { einsumRules } from './einsum.ts';

export const modernRules: RuleTable = { ...smoothRules, ...layerNormRules, ...gatherRules, ...reduceRules, ...resizeRules, ...einsumRules };
