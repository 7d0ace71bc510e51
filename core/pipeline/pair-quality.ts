// What crucible measures and enforces over the pairs of every pairing plugin, built-in or not: statistics
// (pairs per problem, score gaps, status mix) and quality gates that drop trivial negatives (empty, prose,
// refusals, templates, identical to the chosen side) and fail the stage when too little survives. The text
// heuristics behind the gates live in core/util/code-text.ts.
import type { PreferencePair } from '../kernel/contract/data.js';
import { CrucibleError, type ErrorDetail } from '../kernel/errors.js';
import { isRefusal, isTemplate, looksLikeCode, sameText } from '../util/code-text.js';
import type { Manifest } from '../kernel/manifest/schema.js';

const GATES_PATH = 'stages.pairing.gates';

/** The gates as the manifest's schema filled them (every default applied at validation). */
export type GateOptions = Required<NonNullable<NonNullable<NonNullable<Manifest['stages']>['pairing']>['gates']>>;

export const GATE_REASONS = ['empty', 'identical', 'refusal', 'template', 'not_code', 'chosen_invalid'] as const;
export type GateReason = (typeof GATE_REASONS)[number];

function sideProblem(text: string, status: string | undefined, options: GateOptions, extra: RegExp[]): GateReason | undefined {
  if (text.trim() === '') return 'empty';
  if (isRefusal(text)) return 'refusal';
  if (extra.some((re) => re.test(text))) return 'template';
  if (options.requireCode && isTemplate(text)) return 'template';
  // A program that compiled is code by definition; the heuristic only judges what did not.
  if (options.requireCode && (status === undefined || status === 'SYNTAX_ERROR') && !looksLikeCode(text)) return 'not_code';
  return undefined;
}

/** Why a pair is trivial, or undefined when it may reach a trainer. */
export function checkPair(pair: PreferencePair, options: GateOptions, extra: RegExp[] = []): GateReason | undefined {
  const rejected = sideProblem(pair.rejected, pair.rejectedStatus, options, extra);
  if (rejected === 'empty') return 'empty';
  if (sameText(pair.rejected, pair.chosen)) return 'identical';
  if (rejected) return rejected;
  if (sideProblem(pair.chosen, pair.chosenStatus, options, extra)) return 'chosen_invalid';
  return undefined;
}

export interface GateReport {
  input: number;
  kept: number;
  dropped: Record<GateReason, number>;
  dropShare: number;
  problemsKept: number;
  thresholds: { minPairs: number; minProblems: number; maxDropShare: number };
  passed: boolean;
  failures: string[];
}

/** Applies the gates. When the stage must fail, `failure` is the coded error to throw (after writing the report). */
export function applyGates(pairs: PreferencePair[], options: GateOptions): { kept: PreferencePair[]; report: GateReport; failure?: CrucibleError } {
  let extra: RegExp[];
  try {
    extra = options.rejectPatterns.map((p) => new RegExp(p, 'i'));
  } catch (error) {
    throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { path: `${GATES_PATH}.rejectPatterns`, message: `not a valid regular expression: ${(error as Error).message}` });
  }
  const dropped = Object.fromEntries(GATE_REASONS.map((r) => [r, 0])) as Record<GateReason, number>;
  const kept: PreferencePair[] = [];
  for (const pair of pairs) {
    const reason = checkPair(pair, options, extra);
    if (reason) dropped[reason] += 1;
    else kept.push(pair);
  }
  const dropShare = pairs.length ? (pairs.length - kept.length) / pairs.length : 0;
  const problemsKept = new Set(kept.map((p) => p.problemId)).size;
  const counts = GATE_REASONS.filter((r) => dropped[r]).map((r) => `${r} ${dropped[r]}`).join(', ') || 'none';
  const details: ErrorDetail[] = [];
  if (dropShare > options.maxDropShare) {
    details.push({ path: `${GATES_PATH}.maxDropShare`, message: `the gates dropped ${(dropShare * 100).toFixed(1)}% of ${pairs.length} pairs (${counts}), more than the allowed ${(options.maxDropShare * 100).toFixed(1)}%`, hint: 'the candidates hold many trivial negatives: check the generator\'s prompt format and post-processing' });
  }
  if (kept.length < options.minPairs) {
    details.push({ path: `${GATES_PATH}.minPairs`, message: `${kept.length} pairs left, fewer than the required ${options.minPairs}`, hint: 'sample more candidates per problem, loosen the pairing plugin\'s thresholds, or use more training problems' });
  }
  if (problemsKept < options.minProblems) {
    details.push({ path: `${GATES_PATH}.minProblems`, message: `pairs from ${problemsKept} problems, fewer than the required ${options.minProblems}`, hint: 'more problems need both a better and a worse candidate' });
  }
  const report: GateReport = {
    input: pairs.length, kept: kept.length, dropped, dropShare, problemsKept,
    thresholds: { minPairs: options.minPairs, minProblems: options.minProblems, maxDropShare: options.maxDropShare },
    passed: details.length === 0, failures: details.map((d) => d.message),
  };
  const failure = details.length ? new CrucibleError('CRUCIBLE_E_PAIRING_GATES', `the pairing quality gates failed: ${report.failures.join('; ')}`, details) : undefined;
  return { kept, report, failure };
}

export interface Spread {
  min: number;
  max: number;
  mean: number;
  median: number;
}

function spread(values: number[]): Spread {
  if (values.length === 0) return { min: 0, max: 0, mean: 0, median: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], max: sorted[sorted.length - 1], mean: sorted.reduce((s, v) => s + v, 0) / sorted.length, median };
}

export const GAP_EDGES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/** pairing_stats.json and results.json's `pairing.stats`: the same fields for every pairing plugin. */
export interface PairingStatistics {
  /** The pairing plugin's name. */
  plugin: string;
  pairs: number;
  /** Problems with at least one pair. */
  problems: number;
  pairsPerProblem: Spread;
  /** 1 when a strategy keeps one chosen per problem (best-of-n); larger for all pairs. */
  distinctChosenPerProblem: Spread;
  scoreGap: Spread & { histogram: { edges: number[]; counts: number[] } };
  chosenScore: Spread;
  rejectedScore: Spread;
  statusMix: { chosen: Record<string, number>; rejected: Record<string, number> };
  gates: GateReport;
  /** Numbers the plugin reported about itself (its finalize()'s stats): shown as they are, never interpreted. */
  pluginStats?: Record<string, unknown>;
}

export function pairStatistics(pairs: PreferencePair[]): Omit<PairingStatistics, 'plugin' | 'gates' | 'pluginStats'> {
  const perProblem = new Map<string, { pairs: number; chosen: Set<string> }>();
  const gaps: number[] = [];
  const counts = new Array<number>(GAP_EDGES.length - 1).fill(0);
  const statusMix = { chosen: {} as Record<string, number>, rejected: {} as Record<string, number> };
  for (const p of pairs) {
    const entry = perProblem.get(p.problemId ?? '(unknown)') ?? { pairs: 0, chosen: new Set<string>() };
    entry.pairs += 1;
    entry.chosen.add(p.chosenId ?? p.chosen);
    perProblem.set(p.problemId ?? '(unknown)', entry);
    if (typeof p.chosenScore === 'number' && typeof p.rejectedScore === 'number') {
      const gap = p.chosenScore - p.rejectedScore;
      gaps.push(gap);
      counts[Math.min(counts.length - 1, Math.max(0, Math.floor(gap * 10 + 1e-9)))] += 1;
    }
    const [cs, rs] = [p.chosenStatus ?? 'UNKNOWN', p.rejectedStatus ?? 'UNKNOWN'];
    statusMix.chosen[cs] = (statusMix.chosen[cs] ?? 0) + 1;
    statusMix.rejected[rs] = (statusMix.rejected[rs] ?? 0) + 1;
  }
  const entries = [...perProblem.values()];
  const scores = (side: 'chosenScore' | 'rejectedScore') => pairs.flatMap((p) => (typeof p[side] === 'number' ? [p[side]] : []));
  return {
    pairs: pairs.length,
    problems: perProblem.size,
    pairsPerProblem: spread(entries.map((e) => e.pairs)),
    distinctChosenPerProblem: spread(entries.map((e) => e.chosen.size)),
    scoreGap: { ...spread(gaps), histogram: { edges: GAP_EDGES, counts } },
    chosenScore: spread(scores('chosenScore')),
    rejectedScore: spread(scores('rejectedScore')),
    statusMix,
  };
}
