// Quality gates run before any trainer: trivial negatives (empty, not code, refusals and templates,
// identical to the chosen side) are dropped with counts, and the stage fails when too little survives.
import type { PluginContext } from 'crucible-ml';
import type { PreferencePair } from 'crucible-ml';
import { CrucibleError, type ErrorDetail } from 'crucible-ml';

export const GATE_REASONS = ['empty', 'identical', 'refusal', 'template', 'not_code', 'chosen_invalid'] as const;
export type GateReason = (typeof GATE_REASONS)[number];

export interface GateOptions {
  minPairs: number;
  minProblems: number;
  maxDropShare: number;
  requireCode: boolean;
  /** Extra case-insensitive regular expressions that mark a side as a refusal or template. */
  rejectPatterns: string[];
}

export const gatesSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'quality gates before any trainer',
  properties: {
    minPairs: { type: 'integer', minimum: 0, default: 1, description: 'fail the stage with fewer pairs left' },
    minProblems: { type: 'integer', minimum: 0, default: 1, description: 'fail the stage with pairs from fewer problems' },
    maxDropShare: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'fail the stage when the gates drop a larger share' },
    requireCode: { type: 'boolean', default: true, description: 'drop sides that are prose, not code (off for non-code preference data)' },
    rejectPatterns: { type: 'array', items: { type: 'string' }, default: [], description: 'extra regexes (case-insensitive) marking refusals or templates' },
  },
} as const;

export function gateOptions(config: Partial<GateOptions> | undefined): GateOptions {
  return {
    minPairs: config?.minPairs ?? 1,
    minProblems: config?.minProblems ?? 1,
    maxDropShare: config?.maxDropShare ?? 0.5,
    requireCode: config?.requireCode ?? true,
    rejectPatterns: config?.rejectPatterns ?? [],
  };
}

const REFUSALS = [
  /\b(i|we)\s*(cannot|can't|can not|won't|will not|am unable to|'m unable to|am not able to)\s+(help|assist|provide|do|comply|complete|write|answer|fulfil)/i,
  /\bas an ai(\s+language model)?\b/i,
  /^\s*(i'?m\s+|i am\s+)?sorry\b/i,
];
const PLACEHOLDERS = /<\s*your code\s*>|your code here|insert (your )?code|implement (this|me)\b/i;
const STUB_LINE = /^(pass|\.\.\.|raise\s+NotImplementedError\b.*|return\s*(None)?)$/;
const CODE_LINE = [
  /^(def|class|return|if|elif|else|for|while|try|except|finally|with|import|from|raise|assert|yield|pass|break|continue|lambda|global|nonlocal|del|print|async|await)\b/,
  /^[\w.[\], ]+\s*(=|\+=|-=|\*=|\/=|%=|\/\/=)/, // assignment
  /^[\w.]+\s*\(.*\)?\s*$/, // a call
  /^[)\]}]/, // closing a bracket
  /[=!<>]=|[+\-*/%]\s*\w|\w\[[^\]]*\]/, // operators and subscripts
];

/** Code lines with docstrings, comments, doctest lines and markdown fences removed. */
function substantiveLines(text: string): string[] {
  const noDocstrings = text.replace(/("""|''')[\s\S]*?(\1|$)/g, '\n');
  return noDocstrings
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('```') && !l.startsWith('>>>'));
}

export function isTemplate(text: string): boolean {
  if (PLACEHOLDERS.test(text)) return true;
  const lines = substantiveLines(text);
  return lines.every((l) => STUB_LINE.test(l)); // only stubs or only comments
}

export function looksLikeCode(text: string): boolean {
  const lines = substantiveLines(text);
  if (lines.length === 0) return false;
  const code = lines.filter((l) => CODE_LINE.some((re) => re.test(l))).length;
  return code / lines.length >= 0.5;
}

const normalize = (s: string) => s.split('\n').map((l) => l.trimEnd()).join('\n').trim();

/** Why one side is trivial, or undefined. */
function sideProblem(text: string, status: string | undefined, options: GateOptions, extra: RegExp[]): GateReason | undefined {
  if (text.trim() === '') return 'empty';
  if (REFUSALS.some((re) => re.test(text))) return 'refusal';
  if (extra.some((re) => re.test(text))) return 'template';
  if (options.requireCode && isTemplate(text)) return 'template';
  // A program that compiled is code by definition; the heuristic only judges what did not.
  if (options.requireCode && (status === undefined || status === 'SYNTAX_ERROR') && !looksLikeCode(text)) return 'not_code';
  return undefined;
}

export function checkPair(pair: PreferencePair, options: GateOptions, extra: RegExp[] = compilePatterns(options)): GateReason | undefined {
  const rejected = sideProblem(pair.rejected, pair.rejectedStatus, options, extra);
  if (rejected === 'empty') return 'empty';
  if (normalize(pair.rejected) === normalize(pair.chosen)) return 'identical';
  if (rejected) return rejected;
  if (sideProblem(pair.chosen, pair.chosenStatus, options, extra)) return 'chosen_invalid';
  return undefined;
}

function compilePatterns(options: GateOptions): RegExp[] {
  return options.rejectPatterns.map((p) => new RegExp(p, 'i'));
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

/** Applies the gates; throws CRUCIBLE_E_PAIRING_GATES (after writing the report) when the stage must fail. */
export function applyGates(pairs: PreferencePair[], options: GateOptions, ctx?: PluginContext, statsOnFailure: Record<string, unknown> = {}): { kept: PreferencePair[]; report: GateReport } {
  let extra: RegExp[];
  try {
    extra = compilePatterns(options);
  } catch (error) {
    throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { path: 'stages.pairing.config.gates.rejectPatterns', message: `not a valid regular expression: ${(error as Error).message}` });
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
  const details: ErrorDetail[] = [];
  const counts = GATE_REASONS.filter((r) => dropped[r]).map((r) => `${r} ${dropped[r]}`).join(', ') || 'none';
  if (dropShare > options.maxDropShare) {
    details.push({ path: 'stages.pairing.config.gates.maxDropShare', message: `the gates dropped ${(dropShare * 100).toFixed(1)}% of ${pairs.length} pairs (${counts}), more than the allowed ${(options.maxDropShare * 100).toFixed(1)}%`, hint: 'the candidates hold many trivial negatives: check the generator\'s prompt format and post-processing' });
  }
  if (kept.length < options.minPairs) {
    details.push({ path: 'stages.pairing.config.gates.minPairs', message: `${kept.length} pairs left, fewer than the required ${options.minPairs}`, hint: 'sample more candidates per problem, lower minGap, or use more training problems' });
  }
  if (problemsKept < options.minProblems) {
    details.push({ path: 'stages.pairing.config.gates.minProblems', message: `pairs from ${problemsKept} problems, fewer than the required ${options.minProblems}`, hint: 'more problems need both a better and a worse candidate' });
  }
  const report: GateReport = {
    input: pairs.length, kept: kept.length, dropped, dropShare, problemsKept,
    thresholds: { minPairs: options.minPairs, minProblems: options.minProblems, maxDropShare: options.maxDropShare },
    passed: details.length === 0, failures: details.map((d) => d.message),
  };
  if (details.length) {
    ctx?.files.writeJson('pairing_gates_report.json', { ...statsOnFailure, gates: report });
    throw new CrucibleError('CRUCIBLE_E_PAIRING_GATES', `the pairing quality gates failed: ${details.map((d) => d.message).join('; ')}`, details);
  }
  return { kept, report };
}
