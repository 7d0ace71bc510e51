// Runs the dataset helpers in plugins/datasets/python/tool.py: one Python process per command and file,
// its JSON answer cached on disk under a key made of the input file's sha256, the helpers' own source and
// the options, so a second load of the same file costs no Python start. The cache is a per-user folder whose
// entries are verified by content hash before use (verified-cache.ts).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrucibleError } from 'crucible-ml';
import { hashJson, sha256 } from 'crucible-ml/util';
import { packageRoot } from 'crucible-ml/util';
import { resolveInterpreter } from '../../executors/python/interpreter.js';
import { HELPER_UID, sandboxedScriptArgs } from '../../executors/python/sandbox.js';
import { findBwrap } from '../../executors/sandbox/isolation.js';
import { defaultCacheDir, openCacheDir, readVerified, writeVerified } from './verified-cache.js';

export { defaultCacheDir };

export type ToolCommand = 'split-checks' | 'plus-tests' | 'mbpp-prompts';

export function toolDir(): string {
  return join(packageRoot(), 'plugins', 'datasets', 'python');
}

let python: string | undefined;

/** The interpreter's real path (a pyenv shim costs ~150 ms per start); CRUCIBLE_PYTHON overrides. */
export function pythonExecutable(): string {
  if (python) return python;
  const wanted = process.env.CRUCIBLE_PYTHON ?? 'python3';
  const res = spawnSync(wanted, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  if (res.status !== 0 || !res.stdout.trim()) {
    throw new CrucibleError('CRUCIBLE_E_DATASET', `cannot start ${wanted} (needed to split HumanEval tests and compute HumanEval+/MBPP+ expected outputs)`, [
      { message: res.error?.message ?? res.stderr.trim(), hint: 'install Python 3.9+ or set CRUCIBLE_PYTHON' },
    ]);
  }
  python = res.stdout.trim();
  return python;
}

let scriptsHash: string | undefined;
function helpersHash(): string {
  if (scriptsHash) return scriptsHash;
  const dir = toolDir();
  const files = readdirSync(dir).filter((f) => f.endsWith('.py')).sort();
  scriptsHash = sha256(files.map((f) => `${f}\n${readFileSync(join(dir, f), 'utf8')}`).join('\n'));
  return scriptsHash;
}

export interface ToolRun {
  command: ToolCommand;
  tasks: unknown[];
  /** The data file these tasks come from, for error messages. */
  file: string;
  /** sha256 of the data file; with `options` it keys the cache. */
  fileHash: string;
  options?: Record<string, unknown>;
  /** '' = no cache. */
  cacheDir: string;
  /** Whether a cached answer still holds (e.g. the files it names exist); false recomputes it. */
  valid?: (parsed: unknown[]) => boolean;
  /** Takes the raw bytes the helper wrote after its JSON line (plus-tests' data) before the answer is cached. */
  trailer?: (parsed: unknown[], bytes: Buffer) => void;
}

/** Runs one helper command over all tasks (or returns the cached answer). */
export async function runTool<T>(run: ToolRun): Promise<T[]> {
  const key = hashJson({ command: run.command, file: run.fileHash, helpers: helpersHash(), options: run.options ?? {} });
  const dir = run.cacheDir ? openCacheDir(run.cacheDir) : undefined;
  const cacheFile = dir ? join(dir, `${run.command}-${key.slice(0, 32)}.json`) : '';
  const cached = cacheFile ? readVerified(cacheFile) : undefined;
  if (cached !== undefined) {
    try {
      const parsed = JSON.parse(cached) as T[];
      if (!run.valid || run.valid(parsed)) return parsed;
    } catch {
      // hash-verified but not JSON (an old or foreign writer): recomputed below and overwritten
    }
  }
  const raw = await spawnTool(run);
  const nl = raw.indexOf(10);
  let parsed: T[];
  try {
    parsed = JSON.parse(raw.subarray(0, nl < 0 ? raw.length : nl).toString('utf8')) as T[];
  } catch (error) {
    throw new CrucibleError('CRUCIBLE_E_DATASET', `dataset helper ${run.command} returned malformed output for ${run.file}: ${(error as Error).message}`);
  }
  if (run.trailer) run.trailer(parsed, nl < 0 ? Buffer.alloc(0) : raw.subarray(nl + 1));
  if (cacheFile) writeVerified(cacheFile, JSON.stringify(parsed));
  return parsed;
}

let warnedUnsandboxed = false;

/** The helper runs inside the executor's bubblewrap sandbox when bubblewrap is installed: plus-tests executes the
 * canonical solutions of the dataset, which are code like any candidate's. */
async function toolCommand(command: ToolCommand): Promise<{ file: string; args: string[]; env?: NodeJS.ProcessEnv }> {
  const bwrap = findBwrap();
  if (!bwrap) {
    if (!warnedUnsandboxed) {
      warnedUnsandboxed = true;
      process.emitWarning('bubblewrap is not installed: the dataset helpers run the canonical solutions on the host (apt-get install bubblewrap)', { code: 'CRUCIBLE_W_UNSANDBOXED' });
    }
    return { file: pythonExecutable(), args: ['-S', '-I', join(toolDir(), 'tool.py'), command] };
  }
  const interpreter = await resolveInterpreter(process.env.CRUCIBLE_PYTHON ?? '');
  const hide = [packageRoot(), process.cwd(), process.env.HOME ?? '/root'];
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', HOME: '/tmp', CRUCIBLE_DROP_UID: String(HELPER_UID) };
  return { file: bwrap, args: sandboxedScriptArgs(interpreter, toolDir(), 'tool.py', [command], hide), env };
}

async function spawnTool(run: ToolRun): Promise<Buffer> {
  const { file, args, env } = await toolCommand(run.command);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    child.on('error', (error) => reject(new CrucibleError('CRUCIBLE_E_DATASET', `cannot run the dataset helper: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(stdout));
      const tail = Buffer.concat(stderr).toString('utf8').slice(-2000);
      reject(
        CrucibleError.at('CRUCIBLE_E_DATASET', {
          file: run.file,
          message: `dataset helper ${run.command} failed (${signal ?? `exit ${code}`}): ${tail.trim()}`,
        }),
      );
    });
    child.stdin.on('error', () => undefined); // the close handler reports a helper that died early
    child.stdin.end(JSON.stringify(run.tasks));
  });
}
