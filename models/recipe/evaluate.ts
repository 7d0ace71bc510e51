// Measures the embedded model on the builtin TEST split with crucible's own plugins (builtin dataset,
// the tfjs-lm generator, the python executor, the pass-at-k evaluator), resolved through the registry
// exactly as a run resolves them. Prints the headline metrics and the error-category mix.
//   npx tsx models/recipe/evaluate.ts [--model models/crucible-tiny-coder] [--split test] [--n 10] [--seed 42]
//     [--generator '{"maxTokens":96}'] [--out models/recipe/out/eval-test.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createTestContext } from '../../core/testing/index.js';
import { splitProblems } from '../../core/pipeline/split.js';
import type { SplitName } from '../../core/kernel/contract/data.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const model = resolve(arg('model', 'models/crucible-tiny-coder'));
const split = arg('split', 'test') as SplitName;
const n = Number(arg('n', '10'));
const seed = Number(arg('seed', '42'));
const out = resolve(arg('out', `models/recipe/out/eval-${split}-seed${seed}.json`));
const ctx = createTestContext({ seed: 42, dir: resolve('models/recipe/out/eval-ctx'), baseDir: process.cwd() });

const dataset = await ctx.plugins.create('dataset', { plugin: 'builtin' }, 'dataset');
const problems = splitProblems(await dataset.load())[split];
const generator = await ctx.plugins.create('generator', { plugin: 'tfjs-lm', config: { model, ...JSON.parse(arg('generator', '{}')) } }, 'generator');
const executor = await ctx.plugins.create('executor', { plugin: 'python' }, 'executor');
const evaluator = await ctx.plugins.create('evaluator', { plugin: 'pass-at-k', config: { n, k: [1, n], temperature: 0.8, topP: 0.95, seed } }, 'evaluator');

const t0 = Date.now();
const result = await evaluator.evaluate({ problems, base: generator, executor });
const base = (result.details as { base?: { statuses?: unknown; taxonomy?: unknown } }).base;
const summary = { model, split, problems: problems.length, n, seed, seconds: Math.round((Date.now() - t0) / 1000), headline: result.headline, taxonomy: base?.taxonomy ?? base?.statuses };
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ summary, details: result.details }, null, 2) + '\n');
console.log(JSON.stringify(summary, null, 2));
await executor.close?.();
await generator.close?.();
