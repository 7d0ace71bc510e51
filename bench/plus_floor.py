"""The floor under any HumanEval+ evaluator: the CPU the candidates' own code takes on the inputs a fast-check must run.

Each program runs in one forked process (1 GiB of address space, as crucible's candidates), inputs in order, each
under a CPU limit of max(4 s, 4x the canonical time) (evalplus's limit, counted in CPU), stopping at the first input
that fails; the CPU of that process (user + system, from wait4) is what any evaluator must spend on that program, so
one that runs every sample pays it per sample, one that deduplicates per distinct program. Nothing is timed per
sample here but the candidate: no pool, no comparison cost, no process start beyond one fork.

  python3 plus_floor.py PROBLEMS.jsonl.gz SAMPLES.jsonl
SAMPLES lines: {"task_id", "solution", "key"} (key: what dedupe compares, e.g. crucible's layout key). Prints one JSON
line: CPU seconds per sample, per distinct solution text and per distinct key, and the programs that cost most.
"""
import contextlib
import gzip
import io
import json
import os
import resource
import signal
import sys

from evalplus_style_baseline import FACTOR, MIN_TIME_LIMIT, floats_only, ground_truth, root_value

import numpy as np


class _Limit(Exception):
    pass


def _same(out, exp, args, atol, is_find_zero):
    if is_find_zero:
        return abs(root_value(*args, out)) <= atol
    if out == exp:
        return True
    if atol == 0 and floats_only(exp):
        atol = 1e-6
    if atol == 0 or type(out) is not type(exp) or (isinstance(exp, (list, tuple)) and len(out) != len(exp)):
        return False
    return bool(np.allclose(out, exp, rtol=1e-07, atol=atol))


def cpu_of(problem, truth, solution):
    """(CPU seconds, verdict) of one program on its base then plus inputs, stopping at the first failure."""
    pid = os.fork()
    if pid == 0:
        verdict = 'pass'
        try:
            resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
            sink = io.StringIO()
            env = {}
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                exec(solution, env)
            fn = env[problem['entry_point']]

            def over(signum, frame):
                raise _Limit()
            signal.signal(signal.SIGPROF, over)
            for group in ('base', 'plus'):
                for args, exp, t in zip(truth[group + '_input'], truth[group], truth[group + '_time']):
                    signal.setitimer(signal.ITIMER_PROF, max(MIN_TIME_LIMIT, FACTOR * t))
                    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                        out = fn(*args)
                    signal.setitimer(signal.ITIMER_PROF, 0)
                    if not _same(out, exp, args, problem['atol'], problem['entry_point'] == 'find_zero'):
                        raise AssertionError()
        except _Limit:
            verdict = 'timeout'
        except BaseException:
            verdict = 'fail'
        os._exit({'pass': 0, 'fail': 1, 'timeout': 2}[verdict])
    _, status, usage = os.wait4(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1
    return usage.ru_utime + usage.ru_stime, ['pass', 'fail', 'timeout'][min(code, 2)]


def main():
    if hasattr(sys, 'set_int_max_str_digits'):
        sys.set_int_max_str_digits(0)
    problems_file, samples_file = sys.argv[1], sys.argv[2]
    opener = gzip.open if problems_file.endswith('.gz') else open
    with opener(problems_file, 'rt') as f:
        problems = {p['task_id']: p for p in map(json.loads, f)}
    samples = [json.loads(line) for line in open(samples_file) if line.strip()]
    cost, by_key = {}, {}
    for task_id in sorted({s['task_id'] for s in samples}):
        mine = [s for s in samples if s['task_id'] == task_id]
        truth = ground_truth(problems[task_id])
        for s in mine:
            if (task_id, s['solution']) not in cost:
                cost[(task_id, s['solution'])] = cpu_of(problems[task_id], truth, s['solution'])
            by_key.setdefault((task_id, s['key']), cost[(task_id, s['solution'])][0])
    top = sorted(cost.items(), key=lambda kv: -kv[1][0])[:10]
    print(json.dumps({
        'perSample': round(sum(cost[(s['task_id'], s['solution'])][0] for s in samples), 1),
        'perText': round(sum(c for c, _ in cost.values()), 1), 'texts': len(cost),
        'perKey': round(sum(by_key.values()), 1), 'keys': len(by_key),
        'timeouts': sum(1 for _, v in cost.values() if v == 'timeout'),
        'top': [[t, round(c, 2), v] for (t, _), (c, v) in top],
    }))


if __name__ == '__main__':
    main()
