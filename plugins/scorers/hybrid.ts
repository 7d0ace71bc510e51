// hybrid: the test pass rate first, a judge's log-prob only to break ties between equal pass rates.
// score = (1 - w) * passRate + w * tieBreak, with w small enough that no tie-break can reorder two different
// pass rates (w < 1 / (tests + 1)); tieBreak is the judge value mapped within the tied group, 0.5 when not tied.
import { definePlugin } from 'crucible-ml';
import type { RunEvents } from 'crucible-ml';
import type { Scorer } from 'crucible-ml';
import { describeJudge, judgeDefaults, judgeSchemaProperties, judgeValues, loadJudge, mapToUnit, withDefaults, type JudgeModel, type JudgeOptions } from './judge.js';
import { executionsFor, passRateScore } from './pass-rate.js';

export interface HybridOptions extends JudgeOptions {
  weight: number;
  partialCredit: boolean;
}

const hybridProperties = {
  ...judgeSchemaProperties,
  weight: { type: 'number', exclusiveMinimum: 0, maximum: 0.5, default: 0.05, description: 'tie-break weight (capped at 1 / (2 (tests + 1)) per problem)' },
  partialCredit: { type: 'boolean', default: true },
} as const;

/** Defaults for the programmatic API, read from the schema. */
const hybridDefaults: HybridOptions = { ...judgeDefaults, weight: hybridProperties.weight.default, partialCredit: hybridProperties.partialCredit.default };

export function createHybridScorer(judge: JudgeModel, config: Partial<HybridOptions> = {}, events?: RunEvents): Scorer {
  const options = withDefaults(hybridDefaults, config);
  const description = { scorer: 'hybrid', weight: options.weight, partialCredit: options.partialCredit, ...describeJudge(judge, options) };
  events?.record('scorer.judge', description);
  return {
    async score(problem, candidates, executions) {
      const execs = executionsFor(problem, candidates, executions, 'hybrid');
      const pass = execs.map((e) => passRateScore(e, options.partialCredit));
      const tests = Math.max(1, problem.tests.length, ...execs.map((e) => e.total || 0));
      const w = Math.min(options.weight, 1 / (2 * (tests + 1)));
      const tieBreak = pass.map(() => 0.5);
      const groups = new Map<number, number[]>();
      pass.forEach((p, i) => groups.set(p, [...(groups.get(p) ?? []), i]));
      const tied = [...groups.values()].filter((g) => g.length > 1);
      if (tied.length) {
        // Only tied candidates cost a judge call.
        const members = tied.flat();
        const raw = await judgeValues(judge, members.map((i) => ({ prompt: candidates[i].prompt || problem.prompt, completion: candidates[i].completion })), options);
        const rawOf = new Map(members.map((i, j) => [i, raw[j]]));
        for (const group of tied) {
          const mapped = mapToUnit(group.map((i) => rawOf.get(i)!), options.mapping);
          group.forEach((i, j) => { tieBreak[i] = mapped[j]; });
        }
      }
      return pass.map((p, i) => (1 - w) * p + w * tieBreak[i]);
    },
    describe: () => description,
  };
}

export default definePlugin({
  kind: 'scorer',
  name: 'hybrid',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'test pass rate first, a judge model\'s log-prob as tie-break (a useful default for best-of-n)',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['generator'],
    properties: hybridProperties,
  } as const,
  async create(config, ctx) {
    const judge = await loadJudge(config.generator, ctx, 'stages.scorer.config.generator');
    return createHybridScorer(judge, config, ctx.events);
  },
});
