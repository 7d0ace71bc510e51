# A baseline that runs programs the way openai/human-eval's check_correctness does (written for crucible's
# benchmark, not copied): per candidate, a multiprocessing.Manager list for the result and a forked Process that
# makes a temporary directory, switches off destructive calls, swallows stdin/stdout/stderr, arms a 3 s interval
# timer and execs the whole program
# (prompt + completion + test + check call); the parent joins it with timeout + 1 s and kills it if still alive.
# A thread pool drives the candidates (human-eval's default: 4 threads).
# Usage: python humaneval_style_baseline.py PROGRAMS.jsonl WORKERS OUT.jsonl
# Writes one JSON verdict per program ("passed", "failed: <type>", "timed out"), then {"seconds": total}.
import io
import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

TIMEOUT = 3.0


class TimedOut(Exception):
    pass


def on_alarm(signum, frame):
    raise TimedOut()


def disable_destructive_calls():
    """Like human-eval's guard (no sandbox either): switch off calls that could harm the machine."""
    import builtins
    import faulthandler
    import shutil
    import subprocess
    faulthandler.disable()
    os.environ['OMP_NUM_THREADS'] = '1'
    for name in ('kill', 'system', 'putenv', 'remove', 'removedirs', 'rmdir', 'fchdir', 'setuid', 'fork', 'forkpty',
                 'killpg', 'rename', 'renames', 'truncate', 'replace', 'unlink', 'fchmod', 'fchown', 'chmod', 'chown',
                 'chroot', 'lchown', 'getcwd', 'chdir'):
        setattr(os, name, None)
    shutil.rmtree = shutil.move = shutil.chown = None
    subprocess.Popen = None
    builtins.exit = builtins.quit = None
    for name in ('ipdb', 'joblib', 'resource', 'psutil', 'tkinter'):
        sys.modules[name] = None


def run_program(program, result):
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        rmtree, rmdir, chdir = shutil.rmtree, os.rmdir, os.chdir
        disable_destructive_calls()
        sys.stdout, sys.stderr, sys.stdin = io.StringIO(), io.StringIO(), io.StringIO()
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
        try:
            exec(program, {})
            result.append('passed')
        except TimedOut:
            result.append('timed out')
        except BaseException as e:  # a failed assert or any exception is a failure, as in human-eval
            result.append('failed: %s' % type(e).__name__)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            shutil.rmtree, os.rmdir, os.chdir = rmtree, rmdir, chdir  # so the temp dir can be removed


def check_one(program):
    manager = multiprocessing.Manager()
    try:
        result = manager.list()
        process = multiprocessing.Process(target=run_program, args=(program, result))
        process.start()
        process.join(timeout=TIMEOUT + 1)
        if process.is_alive():
            process.kill()
            process.join()
        return result[0] if len(result) else 'timed out'
    finally:
        manager.shutdown()


def main():
    multiprocessing.set_start_method('fork')
    programs = [json.loads(line)['program'] for line in open(sys.argv[1])]
    workers = int(sys.argv[2])
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        verdicts = list(pool.map(check_one, programs))
    seconds = time.perf_counter() - t0
    with open(sys.argv[3], 'w') as out:
        for v in verdicts:
            out.write(json.dumps(v) + '\n')
        out.write(json.dumps({'seconds': seconds}) + '\n')


if __name__ == '__main__':
    main()
