// Failures of the disk under the runs folder (full, read-only, gone, no permission) become one coded error,
// CRUCIBLE_E_STORAGE, naming the folder and what to do, instead of a raw ENOSPC or SqliteError stack.
import { CrucibleError, isCrucibleError } from '../kernel/errors.js';

const FS_CODES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'an I/O error occurred',
};

/** What went wrong with the storage, or undefined when `error` is not a storage failure. */
export function storageFailure(error: unknown, creating = false): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  // mkdir -p on a read-only file system answers ENOENT for the first missing level.
  if (creating && (code === 'ENOENT' || code === 'ENOTDIR')) return 'the folder cannot be created';
  if (FS_CODES[code]) return FS_CODES[code];
  if (code === 'SQLITE_FULL') return 'the disk is full';
  if (code.startsWith('SQLITE_READONLY')) return 'the run index is read-only';
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') return 'the run index cannot be written';
  return undefined;
}

/** CRUCIBLE_E_STORAGE for a storage failure under `where` (the runs folder); other errors come back unchanged. */
export function asStorageError(error: unknown, where: string, creating = false): unknown {
  if (isCrucibleError(error)) return error;
  const what = storageFailure(error, creating);
  if (!what) return error;
  return CrucibleError.at(
    'CRUCIBLE_E_STORAGE',
    { file: where, message: `cannot write the runs folder: ${what}`, hint: 'free space or make the folder writable; a run that failed this way continues with `crucible resume <runId>`' },
    { cause: error },
  );
}

/** Runs `body`, turning a storage failure into CRUCIBLE_E_STORAGE; `creating`: body creates `where`. */
export function guardStorage<T>(where: string, body: () => T, creating = false): T {
  try {
    return body();
  } catch (error) {
    throw asStorageError(error, where, creating);
  }
}
