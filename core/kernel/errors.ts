// Coded errors: every failure a user can cause names its code, where it happened and, when obvious, a fix.

export type ErrorCode =
  | 'CRUCIBLE_E_MANIFEST'
  | 'CRUCIBLE_E_PLUGIN_NOT_FOUND'
  | 'CRUCIBLE_E_PLUGIN_KIND'
  | 'CRUCIBLE_E_PLUGIN_VERSION'
  | 'CRUCIBLE_E_PLUGIN_CONFIG'
  | 'CRUCIBLE_E_PLUGIN_CREATE'
  | 'CRUCIBLE_E_PLUGIN_INVALID'
  | 'CRUCIBLE_E_PLUGIN_NOT_ALLOWED'
  | 'CRUCIBLE_E_DATASET'
  | 'CRUCIBLE_E_INPUT'
  | 'CRUCIBLE_E_LEAKAGE'
  | 'CRUCIBLE_E_STAGE'
  | 'CRUCIBLE_E_CANCELLED'
  | 'CRUCIBLE_E_GENERATOR'
  | 'CRUCIBLE_E_EXECUTOR'
  | 'CRUCIBLE_E_SANDBOX'
  | 'CRUCIBLE_E_WORKER'
  | 'CRUCIBLE_E_PAIRING_GATES'
  | 'CRUCIBLE_E_TRAIN'
  | 'CRUCIBLE_E_EVAL'
  | 'CRUCIBLE_E_MODEL'
  | 'CRUCIBLE_E_BACKEND'
  | 'CRUCIBLE_E_SPLIT_GUARD'
  | 'CRUCIBLE_E_RUN_NOT_FOUND'
  | 'CRUCIBLE_E_RUN_STATE'
  | 'CRUCIBLE_E_COMPARE'
  | 'CRUCIBLE_E_STORAGE'
  | 'CRUCIBLE_E_HOST_POLICY'
  // HTTP control API
  | 'CRUCIBLE_E_UNAUTHORIZED'
  | 'CRUCIBLE_E_NOT_FOUND'
  | 'CRUCIBLE_E_BODY_TOO_LARGE'
  | 'CRUCIBLE_E_RATE_LIMIT'
  | 'CRUCIBLE_E_INTERNAL';

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
