// `init` proves every check it writes: the draft is audited against a few mutants of the model,
// and a check stays only if it passes on the model, fails on at least one harmful mutant (it
// catches a regression) and on no equivalent one (it does not flake on a harmless change).
import type { Device } from '../engine/session.ts';
import type { RunLimits } from '../probe/limits.ts';
import { loadSpecText } from '../kinds/load.ts';
import { auditSpecs, type CheckAudit, type SuiteAudit } from '../audit/run.ts';

/**
 * The mutants init audits with: a cheap cross-section of the harmful operators (one per family,
 * the targeted ablation of each entry's units) and every equivalent one.
 */
export const INIT_MUTANTS = ['randomize-top-1', 'noise-20%', 'preprocess-bgr', 'swap-classes', 'ablate', 'equivalent'] as const;

export async function auditDraft(file: string, text: string, opts: { device?: Device; limits?: RunLimits; onMutant?: (line: string) => void }): Promise<SuiteAudit> {
  const spec = loadSpecText(file, text, { allowOutside: opts.limits?.allowOutside });
  const audit = await auditSpecs({ paths: [], specs: [spec], mutants: [...INIT_MUTANTS], limits: opts.limits, onMutant: opts.onMutant, ...(opts.device && { device: opts.device }) });
  return audit.suites[0];
}

/** Why a check is not kept, or undefined when it is. */
export function rejection(c: CheckAudit): string | undefined {
  if (!c.passesOriginal) return 'it fails on the model itself';
  if (c.equivalentKills.length) return `it fails on ${c.equivalentKills.join(', ')}, which compute the same function (it would flake)`;
  if (!c.killedBy.length) return 'no harmful mutant makes it fail (it would not catch a regression)';
  return undefined;
}

/** `killed by a, b, c` with at most `max` names. */
export function killersNote(c: CheckAudit, max = 4): string {
  const shown = c.killedBy.slice(0, max).join(', ');
  return `killed by ${shown}${c.killedBy.length > max ? ` and ${c.killedBy.length - max} more` : ''}`;
}

/** The suite's score over the kept checks only: harmful mutants that fail at least one of them ÷ harmful mutants that ran. */
export function keptScore(s: SuiteAudit, kept: readonly CheckAudit[]): { killed: number; total: number } {
  const harmful = s.mutants.filter((m) => m.kind === 'harmful' && !m.skipped);
  const keys = new Set(kept.map((c) => `${c.entry} · ${c.metric}`));
  return { killed: harmful.filter((m) => m.kills.some((k) => keys.has(k))).length, total: harmful.length };
}
