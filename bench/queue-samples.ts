// The 1,640 recorded Mistral-7B samples as problems and candidates, through the `replay` generator and its
// documented clean-up (what manifests/humaneval-replay-mistral.json runs). Shared by the queue benchmark and tests.
import { join } from 'node:path';
import type { Candidate, Problem } from '../core/index.js';
import type { Generator } from '../core/index.js';
import { createTestContext, instantiate } from '../core/testing/index.js';
import humaneval from '../plugins/datasets/humaneval.js';
import replay from '../plugins/generators/replay/index.js';

export const SAMPLES_FILE = 'samples/humaneval_mistral-7b-instruct-v0.1_n10_t0.2.results.jsonl';

/** Problems (in HumanEval order) with their samples; `limit` keeps the first problems only. */
export async function loadMistralSamples(dataDir: string, limit = Infinity): Promise<Map<Problem, Candidate[]>> {
  const ctx = createTestContext();
  const all = await (await instantiate<{ load(): Promise<Problem[]> }>(humaneval as never, { path: join(dataDir, 'HumanEval.jsonl.gz') }, ctx)).load();
  const problems = all.slice(0, limit);
  const generator = await instantiate<Generator>(replay as never, { path: join(dataDir, SAMPLES_FILE), postprocess: ['mistral-cleanup'] }, ctx);
  const byId = new Map<string, Candidate[]>();
  for await (const { problem, candidates } of generator.generate(problems)) byId.set(problem.id, candidates);
  return new Map(problems.filter((p) => byId.get(p.id)?.length).map((p) => [p, byId.get(p.id)!]));
}
