// Finds the real Python interpreter once: a pyenv/asdf shim costs ~150 ms per start, the real binary ~15 ms.
import { execFile } from 'node:child_process';
import { CrucibleError } from 'crucible-ml';

export interface Interpreter {
  /** Absolute real path of the interpreter binary (symlinks and shims resolved). */
  executable: string;
  /** Installation folders the interpreter needs at run time (standard library, shared libraries). */
  prefixes: string[];
  version: string;
}

const PROBE =
  'import json, os, sys\n' +
  'print(json.dumps([os.path.realpath(sys.executable), sys.base_prefix, sys.base_exec_prefix, list(sys.version_info[:3])]))';

const cache = new Map<string, Promise<Interpreter>>();

/** Resolves `python` (a command or a path; default `python3`) to the interpreter it really runs. Cached per process. */
export function resolveInterpreter(python = ''): Promise<Interpreter> {
  const command = python || 'python3';
  let found = cache.get(command);
  if (!found) {
    found = probe(command);
    cache.set(command, found);
    found.catch(() => cache.delete(command));
  }
  return found;
}

function probe(command: string): Promise<Interpreter> {
  return new Promise((resolve, reject) => {
    execFile(command, ['-S', '-I', '-c', PROBE], { timeout: 20_000 }, (error, stdout, stderr) => {
      const fail = (message: string) =>
        reject(CrucibleError.at('CRUCIBLE_E_EXECUTOR', {
          message: `cannot use Python interpreter "${command}": ${message}`,
          path: 'stages.executor.config.python',
          hint: 'install python3 (>= 3.8) or set the executor\'s "python" option to an interpreter path',
        }));
      if (error) return fail((stderr || error.message).trim().split('\n').pop() ?? error.message);
      try {
        const [executable, prefix, execPrefix, version] = JSON.parse(stdout.trim().split('\n').pop() ?? '') as [string, string, string, number[]];
        if (version[0] !== 3 || version[1] < 8) return fail(`Python ${version.join('.')} is too old (>= 3.8 needed)`);
        resolve({ executable, prefixes: [...new Set([prefix, execPrefix])], version: version.join('.') });
      } catch {
        fail(`unexpected probe output ${JSON.stringify(stdout.slice(0, 200))}`);
      }
    });
  });
}
