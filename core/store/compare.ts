// Compares two runs' evaluations through the evaluator plugin that produced them.
import '../builtins.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationResult, Evaluator } from '../kernel/contract/kinds.js';
import type { ComparisonSummary } from '../kernel/contract/summaries.js';
import { CrucibleError } from '../kernel/errors.js';
import { loadPlugin } from '../kernel/registry/load.js';
import { validatePluginConfig } from '../kernel/registry/config.js';
import { standaloneContext } from '../testing/index.js';
import type { RunStore } from './run-store.js';

function readEvaluation(store: RunStore, id: string): { evaluation: EvaluationResult; evaluator: { plugin: string; config: unknown }; baseDir: string } {
  const record = store.load(id);
  const file = join(store.runDir(id), 'stages', 'evaluate', 'evaluation.json');
  if (!existsSync(file)) throw CrucibleError.at('CRUCIBLE_E_COMPARE', { message: `run ${id} has no evaluation`, hint: 'only runs with an evaluator stage can be compared' });
  const evaluator = (record.manifest.stages as Record<string, { plugin: string; config: unknown }> | undefined)?.evaluator;
  if (!evaluator) throw CrucibleError.at('CRUCIBLE_E_COMPARE', { message: `run ${id} has no evaluator in its manifest` });
  return { evaluation: JSON.parse(readFileSync(file, 'utf8')) as EvaluationResult, evaluator, baseDir: record.baseDir };
}

export async function compareRuns(store: RunStore, idA: string, idB: string): Promise<{ a: string; b: string; evaluator: string; comparison: ComparisonSummary; [key: string]: unknown }> {
  const a = readEvaluation(store, idA);
  const b = readEvaluation(store, idB);
  if (a.evaluator.plugin !== b.evaluator.plugin) {
    throw CrucibleError.at('CRUCIBLE_E_COMPARE', { message: `runs used different evaluators (${a.evaluator.plugin} vs ${b.evaluator.plugin})` });
  }
  const { plugin } = await loadPlugin('evaluator', a.evaluator.plugin, { baseDir: a.baseDir });
  const config = validatePluginConfig(plugin, a.evaluator.config, 'stages.evaluator.config');
  // compare() is pure: a throwaway context is enough.
  const evaluator = (await plugin.create(config, standaloneContext())) as Evaluator;
  if (!evaluator.compare) throw CrucibleError.at('CRUCIBLE_E_COMPARE', { message: `evaluator "${plugin.name}" cannot compare runs` });
  return { a: idA, b: idB, evaluator: `${plugin.name}@${plugin.version}`, ...evaluator.compare(a.evaluation, b.evaluation) };
}
