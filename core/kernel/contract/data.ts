// The records that flow between stages. Every stage writes them as JSONL, so they stay plain JSON.

/** One independent test case: Python source run after the solution is defined (it may call the entry point). */
export interface TestCase {
  id: string;
  code: string;
}

/** A HumanEval-shaped superset: what every dataset plugin produces. */
export interface Problem {
  id: string;
  /** The text a completion model continues (signature + docstring for HumanEval-style problems). */
  prompt: string;
  entryPoint: string;
  /** Independent test cases; the pass rate counts them one by one. */
  tests: TestCase[];
  /** Code run once before the tests (imports, helpers, MBPP's test_setup_code). */
  testSetup?: string;
  canonicalSolution?: string;
  /**
   * Trusted test data too large or too exact for source text (HumanEval+/MBPP+ inputs and expected values): a file
   * named by its content hash that an executor's checker loads; tests then refer to it by index. Executors that do
   * not support it must refuse the problem rather than run its tests without it.
   */
  testData?: { file: string; sha256: string; format: 'crucible-plus-v1' };
  language: 'python' | 'javascript';
  meta: Record<string, unknown>;
}

export type SplitName = 'train' | 'val' | 'test';

/** One sampled program. `code` is what the executor runs; `completion` is what the model wrote after `prompt`. */
export interface Candidate {
  id: string;
  problemId: string;
  index: number;
  prompt: string;
  completion: string;
  code: string;
  /** The model's raw text before post-processing, when post-processing changed it. */
  raw?: string;
  /** e.g. "completion:raw" or "chat:<template>"; recorded so a chat template is never applied silently. */
  promptFormat?: string;
  /** Sum of the completion tokens' log-probs, when the generator reports them. */
  logprob?: number;
  tokens?: number;
  durationMs?: number;
  meta?: Record<string, unknown>;
}

export type ExecutionStatus = 'SYNTAX_ERROR' | 'RUNTIME_ERROR' | 'TIMEOUT' | 'WRONG_OUTPUT' | 'SUCCESS';
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  'SYNTAX_ERROR',
  'RUNTIME_ERROR',
  'TIMEOUT',
  'WRONG_OUTPUT',
  'SUCCESS',
];

export interface TestOutcome {
  id: string;
  /** skipped: not run, because a fast-check execution stopped at an earlier failing test. */
  outcome: 'pass' | 'fail' | 'error' | 'timeout' | 'skipped';
  /** Exception type (e.g. "ZeroDivisionError") when the test raised something other than AssertionError. */
  error?: string;
  durationMs?: number;
  /** For a timeout: the CPU seconds the test (or, when the whole program ran out, the program) was allowed. */
  limitSeconds?: number;
}

export interface Execution {
  candidateId: string;
  problemId: string;
  status: ExecutionStatus;
  passed: number;
  total: number;
  passRate: number;
  tests: TestOutcome[];
  durationMs: number;
  /** Exception type, signal ("SIGKILL") or limit ("memory", "cpu", "output") where there was one. */
  error?: string;
  stderr?: string;
  /**
   * How the tests reached the candidate, for executors that say: "checker" (tests ran in a trusted process and
   * called the candidate's process with plain data), or "in-process" (the recorded fallback: tests ran inside the
   * candidate's process, for tests that need its own classes or global state).
   */
  isolation?: 'checker' | 'in-process';
  /**
   * graded: every test ran (passed/total is exact: a reward); fast-check: stopped at the first failing test, as
   * evalplus does by default (the status is exact, passed is a lower bound). Absent: every test ran.
   */
  checkMode?: 'graded' | 'fast-check';
}

/** A candidate with its execution and score, as the pairing stage and trainers see it. */
export interface ScoredCandidate {
  candidate: Candidate;
  execution?: Execution;
  score: number;
}

/** TRL's preference format plus crucible metadata. */
export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
  problemId?: string;
  split?: SplitName;
  chosenScore?: number;
  rejectedScore?: number;
  chosenStatus?: ExecutionStatus;
  rejectedStatus?: ExecutionStatus;
  chosenId?: string;
  rejectedId?: string;
  why?: string;
}

/** A labelled sample for verifier training: (prompt, code, label, passRate, status). */
export interface LabelledSample {
  problemId: string;
  split?: SplitName;
  candidateId: string;
  prompt: string;
  code: string;
  label: 0 | 1;
  passRate: number;
  status: ExecutionStatus;
  logprob?: number;
}

/** A model a trainer produced or a generator can be bound to. */
export interface ModelArtifact {
  kind: 'policy' | 'verifier';
  /** Folder: a Hugging Face model folder for policies, the verifier's own folder for verifiers. */
  path: string;
  /** For LoRA: the PEFT adapter folder beside the merged model. */
  adapterPath?: string;
  meta?: Record<string, unknown>;
}
