// Coded errors: every failure a user can cause names its code, where it happened and, when obvious, a fix.

/** Every error code with what it means: docs/error-codes.md is generated from this table (npm run docs:errors). */
export const ERROR_CODES = {
  CRUCIBLE_E_MANIFEST: 'The manifest is invalid: a wrong type, an unknown key, a bad `extends` or `--set`, or a slot combination that cannot run.',
  CRUCIBLE_E_PLUGIN_NOT_FOUND: 'A plugin reference names no built-in, installed package or existing file (close names are suggested).',
  CRUCIBLE_E_PLUGIN_KIND: 'The plugin exists but is of another kind than the slot it was put in.',
  CRUCIBLE_E_PLUGIN_VERSION: "The plugin's `apiVersion` range does not include this crucible's plugin API version.",
  CRUCIBLE_E_PLUGIN_CONFIG: "The plugin's config does not match its `configSchema` (each problem at its manifest path).",
  CRUCIBLE_E_PLUGIN_CREATE: "The plugin's `create` threw; the message names the plugin.",
  CRUCIBLE_E_PLUGIN_INVALID: 'The module cannot be imported, or its default export is not a plugin made with `definePlugin`.',
  CRUCIBLE_E_KERNEL_TWICE: 'Two copies of crucible-ml were loaded in one process (sources beside dist/, or two installs): plugins would register with the wrong one.',
  CRUCIBLE_E_PLUGIN_OUTPUT: "A plugin returned a record that does not match its kind's output schema (pairs, scores, executions, evaluation); nothing was written.",
  CRUCIBLE_E_PLUGIN_NOT_ALLOWED: 'The server (or worker) does not allow this plugin or a value that names a host resource.',
  CRUCIBLE_E_DATASET: 'A dataset file is missing, unreadable or malformed (file and line named).',
  CRUCIBLE_E_INPUT: 'An input file given to the run (external preferences, samples) is missing or malformed.',
  CRUCIBLE_E_LEAKAGE: 'A test-split problem would reach training or tuning.',
  CRUCIBLE_E_STAGE: 'A stage failed for a reason of its own (its message says which stage and why).',
  CRUCIBLE_E_CANCELLED: 'The run was cancelled (Ctrl-C, `crucible cancel`, or the HTTP API).',
  CRUCIBLE_E_GENERATOR: 'Sampling failed: the model server, the in-process model or its prompt format.',
  CRUCIBLE_E_EXECUTOR: 'Executing candidates failed as a whole (not one candidate: those get a status).',
  CRUCIBLE_E_SANDBOX: 'The sandbox cannot give the isolation asked for (bubblewrap, uids, limits).',
  CRUCIBLE_E_WORKER: 'A queue worker or remote executor failed or refused the work.',
  CRUCIBLE_E_PAIRING_GATES: "The pairs failed the pairing stage's quality gates (too few pairs or problems, too many dropped).",
  CRUCIBLE_E_TRAIN: 'Training failed (data, divergence, checkpoints).',
  CRUCIBLE_E_EVAL: 'Evaluation failed or its inputs do not fit (no test problems, no trained model).',
  CRUCIBLE_E_MODEL: 'A model folder is missing or unreadable (config.json, safetensors, tokenizer).',
  CRUCIBLE_E_BACKEND: 'The requested compute backend cannot load (missing package, binding or library).',
  CRUCIBLE_E_SPLIT_GUARD: 'A selection or tuning step asked for problems outside the splits it may see.',
  CRUCIBLE_E_RUN_NOT_FOUND: 'No run with this id (or id prefix) in the runs folder.',
  CRUCIBLE_E_RUN_STATE: 'The run is in a state that does not allow this (already finished, executed by another process).',
  CRUCIBLE_E_COMPARE: 'The runs cannot be compared (no evaluation, other evaluators, other problems or seeds).',
  CRUCIBLE_E_STORAGE: 'The runs folder cannot be written (full disk, read-only, permissions).',
  CRUCIBLE_E_HOST_POLICY: 'A manifest names a host resource (file, folder, URL, executable, nested plugin, isolation setting) the policy of this host does not allow.',
  // HTTP control API
  CRUCIBLE_E_UNAUTHORIZED: 'The request has no valid bearer token.',
  CRUCIBLE_E_NOT_FOUND: 'No such route or resource.',
  CRUCIBLE_E_BODY_TOO_LARGE: 'The request body is over the size limit.',
  CRUCIBLE_E_RATE_LIMIT: 'Too many requests; retry after the time given.',
  CRUCIBLE_E_INTERNAL: 'An unexpected server error (logged with the request id; the response never quotes data).',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem at one place: a JSON path in a manifest, or a line of a data file. */
export interface ErrorDetail {
  message: string;
  /** JSON path, e.g. "stages.pairing.config.minGap". */
  path?: string;
  file?: string;
  line?: number;
  hint?: string;
}

export class CrucibleError extends Error {
  readonly code: ErrorCode;
  /** One entry per place (named `issues`, not `details`: test reporters treat `err.details` as a string). */
  readonly issues: ErrorDetail[];

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CrucibleError';
    this.code = code;
    this.issues = details;
  }

  /** A single-place error: "CODE: file:line path: message (hint)". */
  static at(code: ErrorCode, detail: ErrorDetail, options?: { cause?: unknown }): CrucibleError {
    return new CrucibleError(code, formatDetail(detail), [detail], options);
  }

  override toString(): string {
    return `${this.code}: ${this.message}`;
  }

  /** Multi-line form for terminals: one line per detail. */
  format(): string {
    if (this.issues.length === 0 || (this.issues.length === 1 && this.message === formatDetail(this.issues[0]))) return this.toString();
    return [`${this.code}: ${this.message}`, ...this.issues.map((d) => `  - ${formatDetail(d)}`)].join('\n');
  }

  toJSON(): { code: ErrorCode; message: string; details: ErrorDetail[] } {
    return { code: this.code, message: this.message, details: this.issues };
  }
}

export function formatDetail(d: ErrorDetail): string {
  const where = [d.file && (d.line !== undefined ? `${d.file}:${d.line}` : d.file), d.path].filter(Boolean).join(' ');
  return `${where ? `${where}: ` : ''}${d.message}${d.hint ? ` (${d.hint})` : ''}`;
}

export function isCrucibleError(error: unknown): error is CrucibleError {
  return error instanceof CrucibleError;
}
