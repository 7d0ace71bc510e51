// rerank: k candidates per test problem from the base generator, executed; a trained energy verifier
// picks the lowest-energy one. Reports random pass@1 (c/k), verifier pass@1, the generator's log-prob
// reranker as a baseline, oracle pass@k, the share of the random-to-oracle gap recovered, and paired
// tests (t-test + Wilcoxon) of each reranker against random over problems.
import { definePlugin } from 'crucible-ml';
import type { PluginContext } from 'crucible-ml';
import type { Execution } from 'crucible-ml';
import type { EvaluateInput, EvaluationResult, Evaluator } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { toJsonl } from 'crucible-ml/util';
import { pairedTTest, wilcoxonSignedRank } from '../stats/index.js';
import { evaluationSummaryOf, headlineOf, rerankProblem, summarize, type ProblemRerank } from './metrics.js';

export interface EnergyScorer {
  /** `logprobs`: the generator's summed log-prob per code, for verifiers that use it as a feature. */
  energy(prompt: string, codes: string[], logprobs?: Array<number | undefined>): Promise<number[]>;
  dispose?(): void;
}

interface Sampling {
  k: number;
  seed: number;
  temperature: number;
  topP: number;
  maxTokens?: number;
}

async function openVerifier(input: EvaluateInput, ctx: PluginContext): Promise<EnergyScorer> {
  const artifact = input.artifact;
  if (!artifact || artifact.kind !== 'verifier') {
    throw CrucibleError.at('CRUCIBLE_E_EVAL', {
      path: 'stages.trainer',
      message: artifact ? `rerank needs a verifier, but the train stage produced a ${artifact.kind}` : 'rerank needs a trained verifier, and there is none',
      hint: 'add stages.trainer { "plugin": "energy-verifier" } (and no pairing slot) so the train stage produces one',
    });
  }
  const { loadVerifier } = await import('../../trainers/energy-verifier/verifier.js');
  ctx.logger.info({ path: artifact.path }, 'rerank: loading the verifier');
  return loadVerifier(artifact.path);
}

async function evaluate(input: EvaluateInput, sampling: Sampling, ctx: PluginContext, scorerOverride?: EnergyScorer): Promise<EvaluationResult> {
  if (input.problems.length === 0) {
    throw CrucibleError.at('CRUCIBLE_E_EVAL', { path: 'dataset.split.test', message: 'there are no test problems to rerank', hint: 'give the test split a non-zero share' });
  }
  const verifier = scorerOverride ?? (await openVerifier(input, ctx));
  ctx.events.record('evaluation', { evaluator: 'rerank', ...sampling });
  ctx.progress.start(input.problems.length, 'rerank');
  const results: ProblemRerank[] = [];
  const rows: unknown[] = [];
  const wanted = new Set(input.problems.map((p) => p.id));
  const started = Date.now();
  let scoringMs = 0;
  try {
    const options = { n: sampling.k, seed: sampling.seed, temperature: sampling.temperature, topP: sampling.topP, maxTokens: sampling.maxTokens };
    for await (const { problem, candidates } of input.base.generate(input.problems, options)) {
      ctx.throwIfCancelled();
      if (!wanted.delete(problem.id)) {
        throw CrucibleError.at('CRUCIBLE_E_EVAL', { path: 'stages.generator', message: `the generator returned "${problem.id}", which was not requested or came twice` });
      }
      if (candidates.length === 0) {
        throw CrucibleError.at('CRUCIBLE_E_EVAL', { path: 'stages.generator', message: `no candidates for ${problem.id}`, hint: `rerank needs k = ${sampling.k} candidates per problem` });
      }
      const executions: Execution[] = await input.executor.execute(problem, candidates);
      if (executions.length !== candidates.length) {
        throw CrucibleError.at('CRUCIBLE_E_EVAL', { path: 'stages.executor', message: `the executor returned ${executions.length} results for ${candidates.length} candidates of ${problem.id}` });
      }
      const t0 = Date.now();
      // Candidates of one problem share the prompt the generator saw.
      const energies = await verifier.energy(candidates[0].prompt, candidates.map((c) => c.completion), candidates.map((c) => c.logprob));
      scoringMs += Date.now() - t0;
      const passes = executions.map((e) => (e.status === 'SUCCESS' ? 1 : 0) as 0 | 1);
      const r = rerankProblem({ problemId: problem.id, passes, energies, logprobs: candidates.map((c) => c.logprob), tokens: candidates.map((c) => c.tokens) });
      results.push(r);
      candidates.forEach((c, i) => rows.push({
        problemId: problem.id, candidateId: c.id, index: c.index, status: executions[i].status, passRate: executions[i].passRate,
        energy: energies[i], logprob: c.logprob, tokens: c.tokens, verifierPick: i === r.verifierPick, logprobPick: i === r.logprobPick, completion: c.completion,
      }));
      ctx.progress.tick();
    }
  } finally {
    if (!scorerOverride) verifier.dispose?.();
  }
  if (wanted.size) {
    throw CrucibleError.at('CRUCIBLE_E_EVAL', { path: 'stages.generator', message: `the generator returned no samples for ${wanted.size} problem(s), e.g. ${[...wanted][0]}` });
  }
  const summary = summarize(results);
  ctx.files.writeText('rerank.per_problem.jsonl', toJsonl(results));
  ctx.files.writeText('rerank.samples.jsonl', toJsonl(rows));
  const timing = { totalMs: Date.now() - started, verifierScoringMs: scoringMs };
  const headline = headlineOf(summary);
  ctx.logger.info(headline, `rerank: random ${summary.random.pass1.toFixed(3)}, verifier ${summary.verifier.pass1.toFixed(3)}, oracle ${summary.oracle.passK.toFixed(3)}`);
  return { headline, details: { evaluator: 'rerank', config: sampling, artifact: input.artifact, summary, timing, perProblem: results }, summary: evaluationSummaryOf(summary, sampling) };
}

/** Two saved rerank results on the same problems: verifier pass@1 of B against A, paired over problems. */
function compare(a: EvaluationResult, b: EvaluationResult): ReturnType<NonNullable<Evaluator['compare']>> {
  const per = (r: EvaluationResult, label: string) => {
    const list = (r.details as { perProblem?: ProblemRerank[] }).perProblem;
    if (!Array.isArray(list)) throw CrucibleError.at('CRUCIBLE_E_COMPARE', { message: `${label} is not a rerank result (no perProblem)` });
    return new Map(list.map((p) => [p.problemId, p]));
  };
  const pa = per(a, 'A');
  const pb = per(b, 'B');
  const ids = [...pa.keys()].filter((id) => pb.has(id));
  if (ids.length !== pa.size || ids.length !== pb.size) {
    throw CrucibleError.at('CRUCIBLE_E_COMPARE', { message: `the two results cover different problems (${pa.size} vs ${pb.size}, ${ids.length} shared)`, hint: 'compare runs with the same dataset, split and seed' });
  }
  const va = ids.map((id) => pa.get(id)!.verifier as number);
  const vb = ids.map((id) => pb.get(id)!.verifier as number);
  const [meanA, meanB] = [va.reduce((s, v) => s + v, 0) / ids.length, vb.reduce((s, v) => s + v, 0) / ids.length];
  const test = { ttest: pairedTTest(va, vb), wilcoxon: wilcoxonSignedRank(va, vb) };
  return {
    problems: ids.length,
    'verifier_pass@1': { a: meanA, b: meanB },
    ...test,
    comparison: { a: 'A', b: 'B', problems: ids.length, metrics: { 'verifier_pass@1': { a: meanA, b: meanB, absolute: meanB - meanA, relative: meanA === 0 ? null : (meanB - meanA) / meanA, test } } },
  };
}

export default definePlugin({
  kind: 'evaluator',
  name: 'rerank',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'best-of-k reranking with a trained energy verifier: random / verifier / log-prob / oracle pass@1, gap recovered, paired tests',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      k: { type: 'integer', minimum: 1, default: 16, description: 'candidates per test problem' },
      temperature: { type: 'number', minimum: 0, default: 0.8 },
      topP: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.95 },
      seed: { type: 'integer', default: 42, description: 'sampling seed of the test candidates' },
      maxTokens: { type: 'integer', minimum: 1 },
    },
  } as const,
  create(config, ctx) {
    const sampling: Sampling = { k: config.k, seed: config.seed, temperature: config.temperature, topP: config.topP };
    if (config.maxTokens !== undefined) sampling.maxTokens = config.maxTokens;
    return { evaluate: (input: EvaluateInput) => evaluate(input, sampling, ctx), compare };
  },
});

/** For tests and programmatic use: the same evaluation with a given energy scorer instead of a verifier folder. */
export function evaluateWithScorer(input: EvaluateInput, sampling: Sampling, ctx: PluginContext, scorer: EnergyScorer): Promise<EvaluationResult> {
  return evaluate(input, sampling, ctx, scorer);
}
