// A third-party pairing plugin, written only against crucible's public API (the `crucible-ml` package).
// Idea: among passing candidates prefer the shortest (less room for hallucinated extras) and pair it with
// each failing candidate.
import { definePlugin, type PreferencePair } from 'crucible-ml';

export default definePlugin({
  kind: 'pairing',
  name: 'shortest-passing',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'shortest passing candidate vs every failing candidate',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      passThreshold: { type: 'number', minimum: 0, maximum: 1, default: 1 },
      maxPairsPerProblem: { type: 'integer', minimum: 1, default: 8 },
    },
  } as const,
  create: (config, ctx) => ({
    pair(problem, scored) {
      // A cancelled run stops here with crucible's coded error instead of finishing the stage.
      ctx.throwIfCancelled();
      const passing = scored
        .filter((s) => s.score >= config.passThreshold)
        .sort((a, b) => a.candidate.completion.length - b.candidate.completion.length || a.candidate.index - b.candidate.index);
      const failing = scored.filter((s) => s.score < config.passThreshold);
      const best = passing[0];
      if (!best) return [];
      return failing.slice(0, config.maxPairsPerProblem).map(
        (f): PreferencePair => ({
          prompt: problem.prompt,
          chosen: best.candidate.completion,
          rejected: f.candidate.completion,
          problemId: problem.id,
          chosenScore: best.score,
          rejectedScore: f.score,
          chosenId: best.candidate.id,
          rejectedId: f.candidate.id,
          why: 'shortest passing vs failing',
        }),
      );
    },
  }),
});
