// logprob-judge: a judge model's log-probability of each candidate given the prompt, mapped to [0, 1]
// within the problem. Needs no tests, so it scores non-code preference data too.
import { definePlugin } from 'crucible-ml';
import type { RunEvents } from 'crucible-ml';
import type { Scorer } from 'crucible-ml';
import { describeJudge, judgeDefaults, judgeSchemaProperties, judgeValues, loadJudge, mapToUnit, withDefaults, type JudgeModel, type JudgeOptions } from './judge.js';

/** The scorer over an already-resolved judge (tests inject one; the plugin resolves the configured generator). */
export function createLogprobJudge(judge: JudgeModel, config: Partial<JudgeOptions> = {}, events?: RunEvents): Scorer {
  const options = withDefaults(judgeDefaults, config);
  const description = { scorer: 'logprob-judge', ...describeJudge(judge, options) };
  events?.record('scorer.judge', description);
  return {
    async score(problem, candidates) {
      const raw = await judgeValues(judge, candidates.map((c) => ({ prompt: c.prompt || problem.prompt, completion: c.completion })), options);
      return mapToUnit(raw, options.mapping);
    },
    describe: () => description,
  };
}

export default definePlugin({
  kind: 'scorer',
  name: 'logprob-judge',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'a judge model\'s log-prob of the candidate given the prompt (mean or sum over tokens), mapped to [0, 1] within a problem',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['generator'],
    properties: judgeSchemaProperties,
  } as const,
  async create(config, ctx) {
    const judge = await loadJudge(config.generator, ctx, 'stages.scorer.config.generator');
    return createLogprobJudge(judge, config, ctx.events);
  },
});
