// The table of built-in plugins: the only place core/ names anything in plugins/.
// Modules load lazily, on first use, through the same contract a third-party package uses.
// Importing this module installs the table into the kernel's registry, with the hosts' plugin loader
// (core/loader/: `.ts` plugin files, crucible-ml resolved to this copy).
import type { Problem } from './kernel/contract/data.js';
import type { PluginKind } from './kernel/contract/kinds.js';
import { installBuiltins, installModuleImporter, type BuiltinEntry } from './kernel/registry/builtin-table.js';
import { importModule } from './loader/typescript.js';

/** Module path relative to this file (works from sources and from dist/). */
const entry = (kind: PluginKind, name: string, module: string): BuiltinEntry => ({ kind, name, url: new URL(module, import.meta.url).href });

export const BUILTIN_PLUGINS: readonly BuiltinEntry[] = [
  entry('dataset', 'humaneval', '../plugins/datasets/humaneval.js'),
  entry('dataset', 'mbpp', '../plugins/datasets/mbpp.js'),
  entry('dataset', 'humaneval-x', '../plugins/datasets/humaneval-x/index.js'),
  entry('dataset', 'builtin', '../plugins/datasets/builtin/index.js'),
  entry('generator', 'replay', '../plugins/generators/replay/index.js'),
  entry('generator', 'openai-compatible', '../plugins/generators/openai-compatible/index.js'),
  entry('generator', 'tfjs-lm', '../plugins/generators/tfjs-lm/index.js'),
  entry('executor', 'python', '../plugins/executors/python/index.js'),
  entry('executor', 'javascript', '../plugins/executors/javascript/index.js'),
  entry('executor', 'queue', '../plugins/executors/queue/index.js'),
  entry('scorer', 'test-pass-rate', '../plugins/scorers/test-pass-rate.js'),
  entry('scorer', 'logprob-judge', '../plugins/scorers/logprob-judge.js'),
  entry('scorer', 'hybrid', '../plugins/scorers/hybrid.js'),
  entry('pairing', 'all-pairs', '../plugins/pairing/all-pairs.js'),
  entry('pairing', 'best-of-n', '../plugins/pairing/best-of-n.js'),
  entry('trainer', 'sft', '../plugins/trainers/sft/index.js'),
  entry('trainer', 'dpo', '../plugins/trainers/dpo/index.js'),
  entry('trainer', 'energy-verifier', '../plugins/trainers/energy-verifier/index.js'),
  entry('evaluator', 'pass-at-k', '../plugins/evaluators/pass-at-k/index.js'),
  entry('evaluator', 'rerank', '../plugins/evaluators/rerank/index.js'),
];

installBuiltins(BUILTIN_PLUGINS);
installModuleImporter(importModule);

/**
 * The built-in plugins a host falls back on when a command or request names none. Hosts take them from here
 * (never a string literal of their own), so the names of built-ins stay in this file.
 */
export const HOST_DEFAULTS = {
  /** The executor for a problem's language: `crucible exec --language`, the sandbox server's /v1/execute. */
  executorForLanguage: { python: 'python', javascript: 'javascript' } satisfies Record<Problem['language'], string>,
  /** `crucible exec`: the dataset plugin reading each kind of problems file. */
  datasetForProblems: { humaneval: 'humaneval', mbpp: 'mbpp', humanevalX: 'humaneval-x' },
  /** The sandbox server's executor: the one behind run_code and --python-config. */
  sandboxServerExecutor: 'python',
  /** A dataset that reads no file: the slot a host fills when it checks one executor spec as a manifest. */
  placeholderDataset: 'builtin',
} as const;

/** Plugin modules a host command runs by themselves (loaded by URL, like the table: no static import of plugins/). */
export const HOST_MODULES = {
  /** `crucible worker`: the queue executor's other half. */
  queueWorker: new URL('../plugins/executors/queue/worker.js', import.meta.url).href,
  /** `crucible serve-model`: the OpenAI-compatible server over an in-process model. */
  modelServer: new URL('../plugins/lm/server/index.js', import.meta.url).href,
} as const;
