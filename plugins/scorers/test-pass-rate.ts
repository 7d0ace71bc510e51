// test-pass-rate: the share of a problem's test cases the candidate passes.
import { definePlugin } from 'crucible-ml';
import { executionsFor, passRateScore } from './pass-rate.js';

export default definePlugin({
  kind: 'scorer',
  name: 'test-pass-rate',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'the execution\'s test pass rate in [0, 1]; SYNTAX_ERROR, TIMEOUT and crashes count 0',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      partialCredit: { type: 'boolean', default: true, description: 'false: 1 for SUCCESS, 0 for anything else' },
    },
  } as const,
  create(config) {
    const partialCredit = config.partialCredit;
    return {
      async score(problem, candidates, executions) {
        return executionsFor(problem, candidates, executions, 'test-pass-rate').map((e) => passRateScore(e, partialCredit));
      },
      describe: () => ({ scorer: 'test-pass-rate', partialCredit, zero: ['SYNTAX_ERROR', 'TIMEOUT', 'crash (signal or resource limit)'] }),
    };
  },
});
