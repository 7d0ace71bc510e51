// A no-op executor for the queue benchmark: answers every candidate SUCCESS at once, so what is timed is the
// queue itself (submit, Redis, worker pickup, result, notification). Workers run it with --allow-plugin.
import { definePlugin } from '../core/index.js';
import type { Execution } from '../core/index.js';

export default definePlugin({
  kind: 'executor',
  name: 'noop',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'answers SUCCESS for every candidate without running it (benchmarks only)',
  configSchema: { type: 'object', additionalProperties: false, properties: {} } as const,
  create: () => ({
    execute: async (problem, candidates) =>
      candidates.map((c): Execution => ({ candidateId: c.id, problemId: problem.id, status: 'SUCCESS', passed: problem.tests.length, total: problem.tests.length, passRate: 1, tests: [], durationMs: 0 })),
  }),
});
