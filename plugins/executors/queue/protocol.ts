// What travels over Redis between the `queue` executor (the submitting run) and `crucible worker`: the batch
// job, its result, a worker's environment, and how a declared environment is matched. Shared by both sides.
import { createHash } from 'node:crypto';
import type { Candidate, Execution, Problem } from 'crucible-ml';

/** 2: identical candidates sent once, batches cut evenly (a v1 key would name other slices of the same work). */
export const PROTOCOL_VERSION = 2;
/** BullMQ key prefix; every key of a queue lives under `<prefix>:<queue>:`. */
export const KEY_PREFIX = 'crucible';

export interface ExecutorSpec {
  plugin: string;
  config: Record<string, unknown>;
}

/** What a run requires of the machine that executes its batches; empty strings accept anything. */
export interface DeclaredEnvironment {
  /** 'bwrap', 'off' or 'any'. */
  sandbox: string;
  /** A version prefix: "3.11" accepts 3.11.2 but not 3.12.0. */
  python: string;
  node: string;
}

/** What a worker reports about itself (registration, and with every result). */
export interface WorkerEnvironment {
  id: string;
  host: string;
  pid: number;
  sandbox: string;
  python: string;
  node: string;
  /** Executor plugins this worker runs. */
  executors: string[];
  startedAt: string;
}

export interface BatchJob {
  v: number;
  executor: ExecutorSpec;
  environment: DeclaredEnvironment;
  /** Batch `index` of `count` for this problem's candidates. */
  index: number;
  count: number;
  problem: Problem;
  candidates: Candidate[];
}

export interface BatchResult {
  executions: Execution[];
  worker: WorkerEnvironment;
  ms: number;
}

/** A key for one problem's execution work: the execute stage's inputs restricted to that problem (executor, environment, problem, candidates) and how they are cut into batches. */
export function workKey(executor: ExecutorSpec, environment: DeclaredEnvironment, batchSize: number, problem: Problem, candidates: Candidate[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: PROTOCOL_VERSION, executor: canonical(executor), environment: canonical(environment), batchSize }));
  h.update('\0');
  h.update(JSON.stringify(canonical(problem)));
  for (const c of candidates) h.update(`\0${c.id}\0${c.code}`);
  return h.digest('hex').slice(0, 40);
}

/** BullMQ job ids may not contain ':' nor be integers; "<key>-b<index>" is neither. */
export const batchJobId = (key: string, index: number): string => `${key}-b${index}`;

/** Why a worker may not execute batches of this declared environment, or undefined when it may. */
export function environmentMismatch(declared: DeclaredEnvironment, worker: Pick<WorkerEnvironment, 'sandbox' | 'python' | 'node'>): string | undefined {
  if (declared.sandbox && declared.sandbox !== 'any' && declared.sandbox !== worker.sandbox) {
    return `sandbox "${worker.sandbox}" is not the declared "${declared.sandbox}"`;
  }
  if (!versionMatches(declared.python, worker.python)) return `Python ${worker.python || '(none)'} does not match the declared ${declared.python}`;
  if (!versionMatches(declared.node, worker.node)) return `Node ${worker.node} does not match the declared ${declared.node}`;
  return undefined;
}

function versionMatches(prefix: string, actual: string): boolean {
  if (!prefix) return true;
  const want = prefix.replace(/^v/, '');
  const have = actual.replace(/^v/, '');
  return have === want || have.startsWith(`${want}.`);
}

/** Names the refusal list of one declared environment. */
export function environmentKey(environment: DeclaredEnvironment): string {
  return createHash('sha256').update(JSON.stringify([environment.sandbox, environment.python, environment.node])).digest('hex').slice(0, 16);
}

/** A Redis URL fit for logs and records: the password is replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}
