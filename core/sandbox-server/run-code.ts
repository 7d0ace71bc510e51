// SandboxFusion's `run_code` for Python on crucible's executor. The program becomes the candidate of a
// one-test problem: a small wrapper, run at definition time in the sandboxed candidate process, feeds it stdin,
// captures its stdout/stderr and exit code, and hands them back in one base64 block at the end of its stderr
// (the only channel a candidate has to the caller). The test (in the trusted checker) only confirms the
// definition finished. Time and memory limits, isolation and the taxonomy are the executor's own.
import { randomBytes } from 'node:crypto';
import type { Candidate, Execution, ExecutionStatus, Problem } from '../kernel/contract/data.js';

export interface RunCodeRequest {
  code: string;
  language: string;
  stdin?: string | null;
  run_timeout?: number;
  compile_timeout?: number;
  memory_limit_MB?: number;
  /** path -> base64 content, written into the working folder before the run. */
  files?: Record<string, string>;
  fetch_files?: string[];
}

export interface RunResult {
  status: 'Finished' | 'Error' | 'TimeLimitExceeded';
  execution_time: number | null;
  return_code: number | null;
  stdout: string | null;
  stderr: string | null;
}

export interface RunCodeResponse {
  status: 'Success' | 'Failed' | 'SandboxError';
  message: string;
  compile_result: null;
  run_result: RunResult | null;
  executor_pod_name: null;
  files: Record<string, string>;
  /** crucible's own reading of the run (not part of SandboxFusion's shape; clients ignore it). */
  crucible: { status: ExecutionStatus; error?: string };
}

const ENTRY = '__crucible_run_code__';
/** Captured stdout and stderr are cut at this many characters each. */
const CAPTURE_CHARS = 1 << 20;
/** Room for the block: both captures base64-encoded, plus fetched files. */
export const RUN_CODE_STDERR_BYTES = 6 << 20;

const WRAPPER = `
def ${ENTRY}():
    return 0

def __crucible_main(src, stdin, files, fetch, marker, cap):
    import sys, io, os, base64, json
    for name, data in files.items():
        folder = os.path.dirname(name)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(name, 'wb') as f:
            f.write(base64.b64decode(data))
    out, err = io.StringIO(), io.StringIO()
    saved = (sys.stdin, sys.stdout, sys.stderr)
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    code, kind = 0, None
    try:
        try:
            program = compile(src, 'main.py', 'exec')
        except (SyntaxError, ValueError) as e:
            import traceback
            traceback.print_exception(type(e), e, None, file=err)
            code, kind = 1, 'SyntaxError'
        else:
            try:
                exec(program, {'__name__': '__main__', '__builtins__': __builtins__})
            except SystemExit as e:
                if e.code is None:
                    code = 0
                elif isinstance(e.code, int):
                    code = e.code
                else:
                    print(e.code, file=err)
                    code = 1
            except BaseException as e:
                import traceback
                traceback.print_exception(type(e), e, e.__traceback__.tb_next, file=err)  # from the program's frame on
                code, kind = 1, type(e).__name__
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    fetched = {}
    for name in fetch:
        try:
            with open(name, 'rb') as f:
                fetched[name] = base64.b64encode(f.read()).decode('ascii')
        except OSError:
            pass
    block = {'code': code, 'kind': kind, 'stdout': out.getvalue()[:cap], 'stderr': err.getvalue()[:cap], 'files': fetched}
    os.write(2, b'\\n' + marker.encode('ascii') + base64.b64encode(json.dumps(block).encode('utf-8', 'surrogatepass')) + b'\\n')
`;

/** The problem and candidate that run `request` (the marker tells the result block apart from the program's own stderr). */
export function runCodeJob(request: RunCodeRequest): { problem: Problem; candidate: Candidate; marker: string } {
  const marker = `CRUCIBLE-RUN-CODE-${randomBytes(9).toString('hex')}:`;
  const args = [request.code, request.stdin ?? '', request.files ?? {}, request.fetch_files ?? [], marker, CAPTURE_CHARS].map((a) => JSON.stringify(a)).join(', ');
  const code = `${WRAPPER}\n__crucible_main(${args})\n`;
  const problem: Problem = { id: 'run_code', prompt: '', entryPoint: ENTRY, tests: [{ id: 'run', code: `assert ${ENTRY}() == 0` }], language: 'python', meta: {} };
  return { problem, marker, candidate: { id: 'run_code', problemId: 'run_code', index: 0, prompt: '', completion: code, code } };
}

interface Block {
  code: number;
  kind: string | null;
  stdout: string;
  stderr: string;
  files: Record<string, string>;
}

function findBlock(stderr: string | undefined, marker: string): Block | undefined {
  const at = stderr?.lastIndexOf(marker) ?? -1;
  if (!stderr || at < 0) return undefined;
  const encoded = stderr.slice(at + marker.length).split('\n')[0];
  try {
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Block;
  } catch {
    return undefined;
  }
}

/** SandboxFusion's response for what the executor observed. */
export function runCodeResponse(execution: Execution, marker: string): RunCodeResponse {
  const seconds = Math.round(execution.durationMs) / 1000;
  const base = { message: '', compile_result: null, executor_pod_name: null } as const;
  if (execution.status === 'TIMEOUT') {
    return { ...base, status: 'Failed', run_result: { status: 'TimeLimitExceeded', execution_time: seconds, return_code: null, stdout: '', stderr: '' }, files: {}, crucible: { status: 'TIMEOUT' } };
  }
  const block = findBlock(execution.stderr, marker);
  if (!block) {
    // The program ended its process (os._exit, a signal, a resource limit) before handing back its output.
    const stderr = (execution.stderr ?? '').split(marker)[0];
    const signal = /^SIG[A-Z]+$/.test(execution.error ?? '') ? execution.error : undefined;
    return {
      ...base,
      status: 'Failed',
      run_result: { status: 'Finished', execution_time: seconds, return_code: null, stdout: '', stderr },
      files: {},
      crucible: { status: 'RUNTIME_ERROR', error: signal ?? execution.error ?? 'exited before reporting' },
    };
  }
  const status: ExecutionStatus = block.kind === 'SyntaxError' ? 'SYNTAX_ERROR' : block.code === 0 ? 'SUCCESS' : 'RUNTIME_ERROR';
  return {
    ...base,
    status: block.code === 0 ? 'Success' : 'Failed',
    run_result: { status: 'Finished', execution_time: seconds, return_code: block.code, stdout: block.stdout, stderr: block.stderr },
    files: block.files,
    crucible: { status, ...(block.kind ? { error: block.kind } : block.code !== 0 ? { error: `exit ${block.code}` } : {}) },
  };
}
