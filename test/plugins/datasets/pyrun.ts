// Test helper (a time limit per program and per test, 5 s by default): runs programs against split tests as the executor will (program, then testSetup, then each
// test on its own copy of that namespace) and reports per-test outcomes. A stand-in for the real executor.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Problem } from '../../../core/kernel/contract/data.js';
import { packageRoot } from '../../../core/util/package-root.js';
import { pythonExecutable } from '../../../plugins/datasets/python/run.js';

export const DATA = join(packageRoot(), '..', 'shared', 'data');

const RUNNER = String.raw`
import contextlib, io, json, signal, sys
def alarm(*_): raise TimeoutError()
signal.signal(signal.SIGALRM, alarm)
req = json.load(sys.stdin)
jobs, limit = req["jobs"], req["limit"]
out = []
for job in jobs:
    res = []
    ns = {"__name__": "__main__"}
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(job["program"], ns)
            exec(job["setup"], ns)
    except BaseException as e:
        out.append({"label": job["label"], "setup_error": type(e).__name__ + ": " + str(e)[:200], "results": []})
        signal.setitimer(signal.ITIMER_REAL, 0)
        continue
    for t in job["tests"]:
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(t, dict(ns))
            res.append("pass")
        except AssertionError:
            res.append("fail")
        except BaseException as e:
            res.append("error:" + type(e).__name__ + ": " + str(e)[:200])
    signal.setitimer(signal.ITIMER_REAL, 0)
    out.append({"label": job["label"], "results": res})
print(json.dumps(out))
`;

export interface RunResult { label: string; results: string[]; setup_error?: string }

export function runJobs(jobs: Array<{ label: string; program: string; setup: string; tests: string[] }>, limitSeconds = 5): RunResult[] {
  const res = spawnSync(pythonExecutable(), ['-S', '-I', '-c', RUNNER], { input: JSON.stringify({ jobs, limit: limitSeconds }), encoding: 'utf8', maxBuffer: 256 << 20 });
  if (res.status !== 0) throw new Error(`python runner failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as RunResult[];
}

/** Runs each problem's canonical program (prompt + canonicalSolution) on its tests; returns every non-pass. */
export function canonicalFailures(problems: Problem[]): string[] {
  const results = runJobs(
    problems.map((p) => ({ label: p.id, program: p.prompt + p.canonicalSolution!, setup: p.testSetup ?? '', tests: p.tests.map((t) => t.code) })),
    30, // a few reference solutions (e.g. mbpp/123) take seconds on a loaded machine
  );
  const bad: string[] = [];
  for (const r of results) {
    if (r.setup_error) bad.push(`${r.label}: ${r.setup_error}`);
    r.results.forEach((x, i) => x !== 'pass' && bad.push(`${r.label} test ${i}: ${x}`));
  }
  return bad;
}

const DATA_RUNNER = String.raw`
import contextlib, copy, io, json, marshal, signal, sys
sys.path.insert(0, sys.argv[1])
from crucible_fs_compare import matches
def alarm(*_): raise TimeoutError()
signal.signal(signal.SIGALRM, alarm)
out = []
for job in json.load(sys.stdin):
    data = marshal.load(open(job["file"], "rb"))
    ns = {"__name__": "__main__"}
    res = []
    with contextlib.redirect_stdout(io.StringIO()):
        exec(job["program"], ns)
    fn = ns[data["entry"]]
    for args, exp in zip(data["inputs"], data["expected"]):
        signal.setitimer(signal.ITIMER_REAL, 30)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                got = fn(*copy.deepcopy(args))
            res.append("pass" if matches(got, exp, args, data["atol"], data["oracle"]) else "fail")
        except BaseException as e:
            res.append("error:" + type(e).__name__)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    out.append({"label": job["label"], "results": res})
print(json.dumps(out))
`;

/** A stand-in for the executor on data problems (Problem.testData): each input in-process, compared by the checker's
 * own comparison module. Returns pass / fail / error:<type> per test. */
export function runDataJobs(jobs: Array<{ label: string; program: string; problem: Problem }>): RunResult[] {
  const py = join(packageRoot(), 'plugins', 'executors', 'python', 'py');
  const input = JSON.stringify(jobs.map((j) => ({ label: j.label, program: j.program, file: j.problem.testData!.file })));
  const res = spawnSync(pythonExecutable(), ['-S', '-I', '-c', DATA_RUNNER, py], { input, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (res.status !== 0) throw new Error(`python data runner failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as RunResult[];
}

/** Data problems: the canonical program on every input; returns every non-pass. */
export function canonicalDataFailures(problems: Problem[]): string[] {
  const results = runDataJobs(problems.map((p) => ({ label: p.id, program: p.prompt + p.canonicalSolution!, problem: p })));
  return results.flatMap((r) => r.results.flatMap((x, i) => (x === 'pass' ? [] : [`${r.label} test ${i}: ${x}`])));
}

/** repr() of each input of a data problem (to check the Python types the loader gave them). */
export function dataInputReprs(problem: Problem): string[] {
  const code = 'import marshal,sys,json; d=marshal.load(open(sys.argv[1],"rb")); print(json.dumps([repr(a) for a in d["inputs"]]))';
  const res = spawnSync(pythonExecutable(), ['-S', '-I', '-c', code, problem.testData!.file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout) as string[];
}
