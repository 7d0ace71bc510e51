"""An evalplus-style evaluator, written for crucible's benchmark (bench/plus-throughput.ts) to measure against.

It follows evalplus's documented evaluation method: expected outputs from the canonical solution, computed once and
cached (untimed here, like evalplus's cached ground truth); a process pool over samples, each sample checked on its
base inputs and then on its plus inputs, each check in a fresh forked process that defines the program and runs the
inputs in sequence, each input under a wall-clock limit of max(min_time_limit, factor x the canonical time), the
whole check under min(60, sum of limits) + 1 s; fast_check stops at the first failing input. Outputs are compared
with ==, then numpy's allclose (rtol 1e-7) with atol (1e-6 for float outputs); HumanEval/32 checks the root.

  python3 evalplus_style_baseline.py PROBLEMS.jsonl.gz SAMPLES.jsonl OUT.jsonl [--workers N] [--fast-check]
SAMPLES lines: {"task_id", "solution", "id"?} (a whole program). OUT lines: {"id", "task_id", "base", "plus"}
(pass/fail/timeout; id as given, else the line number).
"""
import argparse
import contextlib
import copy
import gzip
import io
import json
import math
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

MIN_TIME_LIMIT = 4.0
FACTOR = 4.0
PASS, FAIL, TIMEOUT = 'pass', 'fail', 'timeout'
S_OK, S_FAILED, S_UNKNOWN = 0, 1, 3


class Timeout(Exception):
    pass


@contextlib.contextmanager
def wall_limit(seconds):
    def handler(signum, frame):
        raise Timeout()
    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


@contextlib.contextmanager
def quiet():
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        yield


def floats_only(x):
    if isinstance(x, float):
        return True
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(isinstance(v, float) for v in x)


def root_value(xs, x):
    return sum(c * math.pow(x, i) for i, c in enumerate(xs))


def execute(entry, code, inputs, expected, limits, atol, fast_check, is_find_zero, stat, details, progress):
    with tempfile.TemporaryDirectory() as home:
        os.chdir(home)
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
        try:
            env = {}
            with quiet():
                exec(code, env)
            fn = env[entry]
            for i, args in enumerate(inputs):
                try:
                    with wall_limit(limits[i]):
                        with quiet():
                            out = fn(*args)
                    exp = expected[i]
                    if is_find_zero:
                        assert abs(root_value(*args, out)) <= atol
                    else:
                        same = out == exp
                        if atol == 0 and floats_only(exp):
                            atol = 1e-6
                        if not same and atol != 0:
                            assert type(out) == type(exp)
                            if isinstance(exp, (list, tuple)):
                                assert len(out) == len(exp)
                            assert np.allclose(out, exp, rtol=1e-07, atol=atol)
                        else:
                            assert same
                    details[i] = True
                    progress.value += 1
                except BaseException:
                    details[i] = False
                    progress.value += 1
                    if fast_check:
                        raise
            stat.value = S_OK
        except BaseException:
            stat.value = S_FAILED


def check(entry, code, inputs, expected, times, atol, fast_check, is_find_zero):
    limits = [max(MIN_TIME_LIMIT, FACTOR * t) for t in times]
    budget = min(60, sum(limits)) + 1 + (0 if fast_check else 1)
    stat = multiprocessing.Value('i', S_UNKNOWN)
    details = multiprocessing.Array('b', [False] * len(inputs))
    progress = multiprocessing.Value('i', 0)
    p = multiprocessing.Process(target=execute, args=(entry, code, inputs, expected, limits, atol, fast_check,
                                                      is_find_zero, stat, details, progress))
    p.start()
    p.join(timeout=budget + 1)
    if p.is_alive():
        p.terminate()
        time.sleep(0.1)
    if p.is_alive():
        p.kill()
        time.sleep(0.1)
    done = details[:progress.value]
    if stat.value == S_UNKNOWN:
        return TIMEOUT
    if stat.value == S_OK and len(done) == len(inputs) and all(done):
        return PASS
    return FAIL


def check_sample(sample_id, task_id, entry, code, truth, atol, fast_check):
    """One sample: base inputs, then plus inputs (each a separate forked check, as evalplus does)."""
    is_find_zero = entry == 'find_zero'
    out = {'id': sample_id, 'task_id': task_id}
    for group in ('base', 'plus'):
        out[group] = check(entry, code, truth[group + '_input'], truth[group], truth[group + '_time'], atol,
                           fast_check, is_find_zero)
    return out


def ground_truth(problem):
    env = {}
    with quiet():
        exec(problem['prompt'] + problem['canonical_solution'], env)
    fn = env[problem['entry_point']]
    truth = {}
    for group in ('base', 'plus'):
        inputs = problem[group + '_input']
        outs, times = [], []
        for args in inputs:
            args = copy.deepcopy(args)
            t0 = time.time()
            with quiet():
                outs.append(fn(*args))
            times.append(time.time() - t0)
        truth[group], truth[group + '_time'], truth[group + '_input'] = outs, times, inputs
    return truth


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('problems')
    ap.add_argument('samples')
    ap.add_argument('out')
    ap.add_argument('--workers', type=int, default=max(1, multiprocessing.cpu_count() // 2))
    ap.add_argument('--fast-check', action='store_true')
    a = ap.parse_args()
    if hasattr(sys, 'set_int_max_str_digits'):
        sys.set_int_max_str_digits(0)
    opener = gzip.open if a.problems.endswith('.gz') else open
    with opener(a.problems, 'rt') as f:
        problems = {p['task_id']: p for p in map(json.loads, f)}
    samples = [json.loads(line) for line in open(a.samples) if line.strip()]
    t0 = time.time()
    truth = {tid: ground_truth(problems[tid]) for tid in sorted({s['task_id'] for s in samples})}
    gt_seconds = time.time() - t0
    t0 = time.time()
    with ProcessPoolExecutor(max_workers=a.workers) as pool:
        futures = [pool.submit(check_sample, s.get('id', i), s['task_id'], problems[s['task_id']]['entry_point'], s['solution'],
                               truth[s['task_id']], problems[s['task_id']]['atol'], a.fast_check) for i, s in enumerate(samples)]
        results = [f.result() for f in futures]
    seconds = time.time() - t0
    with open(a.out, 'w') as f:
        for r in results:
            f.write(json.dumps(r) + '\n')
    print(json.dumps({'seconds': seconds, 'groundTruthSeconds': gt_seconds, 'samples': len(samples)}))


if __name__ == '__main__':
    main()
