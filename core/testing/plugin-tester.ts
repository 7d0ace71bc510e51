// A declarative tester for plugins, in the manner of ESLint's RuleTester: a plugin author lists valid and
// invalid configs and fixture cases (input -> expected output for the plugin's kind); the tester turns each
// into a test of the author's framework (uvu, node:test, ...) and checks what the kernel would check, plus
// determinism under a seed and that an aborted run stops with CRUCIBLE_E_CANCELLED.
import { isDeepStrictEqual } from 'node:util';
import type { PluginContext } from '../kernel/contract/context.js';
import type { AnyPlugin } from '../kernel/contract/define-plugin.js';
import type { Candidate, Execution, Problem, ScoredCandidate } from '../kernel/contract/data.js';
import type { EvaluateInput, GenerateOptions, PluginKind, PluginKinds, TrainInput } from '../kernel/contract/kinds.js';
import { checkOutput } from '../kernel/contract/outputs.js';
import { CrucibleError, isCrucibleError, type ErrorCode } from '../kernel/errors.js';
import { validatePluginConfig } from '../kernel/registry/config.js';
import { standaloneContext } from './context.js';

/** What one call of the plugin's kind takes. */
export interface KindInputs {
  dataset: Record<string, never>;
  generator: { problems: Problem[]; options?: GenerateOptions };
  executor: { problem: Problem; candidates: Candidate[] };
  scorer: { problem: Problem; candidates: Candidate[]; executions: Execution[] };
  pairing: { problem: Problem; scored: ScoredCandidate[] };
  trainer: TrainInput;
  evaluator: EvaluateInput;
}

/** What the call returns, as the tester compares it (a generator's samples collected, ordered by problem id). */
export interface KindOutputs {
  dataset: Awaited<ReturnType<PluginKinds['dataset']['load']>>;
  generator: Array<{ problemId: string; candidates: Candidate[] }>;
  executor: Execution[];
  scorer: number[];
  pairing: Awaited<ReturnType<PluginKinds['pairing']['pair']>>;
  trainer: Awaited<ReturnType<PluginKinds['trainer']['train']>>;
  evaluator: Awaited<ReturnType<PluginKinds['evaluator']['evaluate']>>;
}

export interface ExpectedError {
  code: ErrorCode;
  /** The manifest path of the first problem, e.g. "stages.pairing.config.minGap". */
  path?: string;
  /** A substring of the message or of one problem's message or hint. */
  message?: string;
}

export interface ConfigCase {
  name?: string;
  config: unknown;
}

export interface InvalidConfigCase extends ConfigCase {
  error: ExpectedError;
}

export interface FixtureCase<K extends PluginKind> {
  name: string;
  config?: unknown;
  input: KindInputs[K];
  /** The exact output, or a function that asserts on it (throw to fail). */
  expected?: KindOutputs[K] | ((output: KindOutputs[K]) => void);
  /** Run the case twice with the same seed and require equal outputs (default true). */
  deterministic?: boolean;
  /** Run the case with an already-aborted signal and require CRUCIBLE_E_CANCELLED (default true). */
  honoursAbort?: boolean;
}

export interface PluginTesterCases<K extends PluginKind> {
  valid?: ConfigCase[];
  invalid?: InvalidConfigCase[];
  cases?: FixtureCase<K>[];
}

export interface PluginTesterOptions {
  /** The seed of every context (default 42). */
  seed?: number;
  /** Keys left out, at any depth, before outputs are compared: measurements such as an execution's durationMs. */
  ignoreKeys?: string[];
}

/** The `test(name, fn)` of a test framework: uvu's `test`, node:test's `test`, ... */
export type RegisterTest = (name: string, fn: () => Promise<void>) => unknown;

export class PluginTester<K extends PluginKind> {
  constructor(
    private readonly plugin: AnyPlugin & { kind: K },
    private readonly options: PluginTesterOptions = {},
  ) {}

  /** Registers one test per config and case with `test`. */
  run(cases: PluginTesterCases<K>, test: RegisterTest): void {
    const label = `${this.plugin.kind} plugin "${this.plugin.name}"`;
    for (const c of cases.valid ?? []) test(`${label}: valid config ${c.name ?? JSON.stringify(c.config)}`, () => this.valid(c));
    for (const c of cases.invalid ?? []) test(`${label}: invalid config ${c.name ?? JSON.stringify(c.config)}`, () => this.invalid(c));
    for (const c of cases.cases ?? []) {
      test(`${label}: ${c.name}`, () => this.fixture(c));
      if (c.deterministic !== false) test(`${label}: ${c.name} is deterministic under a seed`, () => this.deterministic(c));
      if (c.honoursAbort !== false) test(`${label}: ${c.name} stops when the run is aborted`, () => this.aborted(c));
    }
  }

  private async valid(c: ConfigCase): Promise<void> {
    await this.plugin.create(this.config(c.config), standaloneContext({ seed: this.seed }));
  }

  private async invalid(c: InvalidConfigCase): Promise<void> {
    await expectError(async () => this.plugin.create(this.config(c.config), standaloneContext({ seed: this.seed })), c.error, 'the config was accepted');
  }

  private async fixture(c: FixtureCase<K>): Promise<void> {
    const output = await this.call(c, standaloneContext({ seed: this.seed }));
    if (typeof c.expected === 'function') c.expected(output);
    else if (c.expected !== undefined && !isDeepStrictEqual(this.comparable(output), this.comparable(c.expected))) {
      throw new Error(`"${c.name}": the output differs from the expected one\n  expected ${JSON.stringify(c.expected)}\n  actual   ${JSON.stringify(output)}`);
    }
  }

  private async deterministic(c: FixtureCase<K>): Promise<void> {
    const first = await this.call(c, standaloneContext({ seed: this.seed }));
    const second = await this.call(c, standaloneContext({ seed: this.seed }));
    if (!isDeepStrictEqual(this.comparable(first), this.comparable(second))) {
      throw new Error(`"${c.name}": two runs with seed ${this.seed} differ\n  first  ${JSON.stringify(first)}\n  second ${JSON.stringify(second)}`);
    }
  }

  private async aborted(c: FixtureCase<K>): Promise<void> {
    const ctx = standaloneContext({ seed: this.seed });
    ctx.abort();
    await expectError(() => this.call(c, ctx), { code: 'CRUCIBLE_E_CANCELLED' }, 'it ignored the aborted signal and returned');
  }

  private get seed(): number {
    return this.options.seed ?? 42;
  }

  private comparable(value: unknown): unknown {
    const ignored = new Set(this.options.ignoreKeys ?? []);
    if (ignored.size === 0) return value;
    return JSON.parse(JSON.stringify(value, (key, v) => (ignored.has(key) ? undefined : v)));
  }

  private config(config: unknown): unknown {
    return validatePluginConfig(this.plugin, config ?? {}, `stages.${this.plugin.kind}.config`);
  }

  /** Creates the plugin with the case's config and calls its kind's method; outputs are checked like the kernel does. */
  private async call(c: FixtureCase<K>, ctx: PluginContext): Promise<KindOutputs[K]> {
    const api = (await this.plugin.create(this.config(c.config), ctx)) as PluginKinds[PluginKind];
    const where = { kind: this.plugin.kind, plugin: this.plugin.name };
    const input = c.input as KindInputs[PluginKind];
    let output: unknown;
    switch (this.plugin.kind) {
      case 'dataset':
        output = await (api as PluginKinds['dataset']).load();
        break;
      case 'generator': {
        const { problems, options } = input as KindInputs['generator'];
        const collected: KindOutputs['generator'] = [];
        for await (const { problem, candidates } of (api as PluginKinds['generator']).generate(problems, options)) collected.push({ problemId: problem.id, candidates });
        output = collected.sort((a, b) => (a.problemId < b.problemId ? -1 : a.problemId > b.problemId ? 1 : 0));
        break;
      }
      case 'executor': {
        const { problem, candidates } = input as KindInputs['executor'];
        output = await (api as PluginKinds['executor']).execute(problem, candidates);
        checkOutput('executions', output, { ...where, problemId: problem.id, count: candidates.length });
        break;
      }
      case 'scorer': {
        const { problem, candidates, executions } = input as KindInputs['scorer'];
        output = await (api as PluginKinds['scorer']).score(problem, candidates, executions);
        checkOutput('scores', output, { ...where, problemId: problem.id, count: candidates.length });
        break;
      }
      case 'pairing': {
        const { problem, scored } = input as KindInputs['pairing'];
        output = await (api as PluginKinds['pairing']).pair(problem, scored);
        checkOutput('pairs', output, { ...where, problemId: problem.id });
        break;
      }
      case 'trainer':
        output = await (api as PluginKinds['trainer']).train(input as TrainInput);
        checkOutput('training', output, where);
        break;
      case 'evaluator':
        output = await (api as PluginKinds['evaluator']).evaluate(input as EvaluateInput);
        checkOutput('evaluation', output, where);
        break;
    }
    return output as KindOutputs[K];
  }
}

async function expectError(run: () => Promise<unknown>, expected: ExpectedError, otherwise: string): Promise<void> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  if (caught === undefined) throw new Error(`expected ${expected.code}, but ${otherwise}`);
  if (!isCrucibleError(caught)) throw new Error(`expected ${expected.code}, got an uncoded error: ${(caught as Error)?.message ?? String(caught)}`);
  const error: CrucibleError = caught;
  const problems: string[] = [];
  if (error.code !== expected.code) problems.push(`code ${error.code}, expected ${expected.code}`);
  if (expected.path !== undefined && error.issues[0]?.path !== expected.path) problems.push(`path ${error.issues[0]?.path ?? '(none)'}, expected ${expected.path}`);
  const text = [error.message, ...error.issues.flatMap((issue) => [issue.message, issue.hint ?? ''])].join('\n');
  if (expected.message !== undefined && !text.includes(expected.message)) problems.push(`message "${text}" does not contain "${expected.message}"`);
  if (problems.length > 0) throw new Error(`wrong error: ${problems.join('; ')}`, { cause: error });
}
