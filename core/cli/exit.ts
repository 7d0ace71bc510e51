// Exit codes: 0 ok, 1 the run failed, 2 bad input. Errors print as "CODE: file:line path: message (hint)".
import { isCrucibleError } from '../kernel/errors.js';

const BAD_INPUT = new Set([
  'CRUCIBLE_E_MANIFEST',
  'CRUCIBLE_E_PLUGIN_NOT_FOUND',
  'CRUCIBLE_E_PLUGIN_KIND',
  'CRUCIBLE_E_PLUGIN_VERSION',
  'CRUCIBLE_E_PLUGIN_CONFIG',
  'CRUCIBLE_E_PLUGIN_INVALID',
  'CRUCIBLE_E_PLUGIN_NOT_ALLOWED',
  'CRUCIBLE_E_HOST_POLICY',
  'CRUCIBLE_E_INPUT',
  'CRUCIBLE_E_DATASET',
  'CRUCIBLE_E_RUN_NOT_FOUND',
  'CRUCIBLE_E_COMPARE',
]);

export class ExitError extends Error {
  constructor(readonly exitCode: number, message = '') {
    super(message);
  }
}

export function reportError(error: unknown): number {
  if (error instanceof ExitError) {
    if (error.message) process.stderr.write(error.message + '\n');
    return error.exitCode;
  }
  if (isCrucibleError(error)) {
    process.stderr.write(error.format() + '\n');
    return BAD_INPUT.has(error.code) ? 2 : 1;
  }
  process.stderr.write(`crucible: ${(error as Error)?.stack ?? String(error)}\n`);
  return 1;
}
