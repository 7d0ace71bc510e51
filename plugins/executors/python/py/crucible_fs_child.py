# The candidate's side of a fork: isolate and limit the process, define the candidate, run the test setup, then the
# tests one by one, reporting each on fd 3. Never returns to the server's code.
import builtins
import json
import os
import resource
import signal
import sys
import time
import traceback

from crucible_fs_config import DROP_UID, LIMITS, NULL_FD, PR_SET_PDEATHSIG, SANDBOXED, WORK_DIR, libc


def child_main(job, start, wfd, out_fd, err_fd):
    """Runs in the forked child: never returns."""
    try:
        os.setsid()  # own process group: the server kills the whole group
        if not SANDBOXED:  # in the sandbox, the pid namespace dies with the server; the call costs ~0.2 ms
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        # Park the four fds high first, so that none is clobbered while we place them at 0-3.
        for i, fd in enumerate((NULL_FD, out_fd, err_fd, wfd)):
            os.dup2(fd, 200 + i)
        for i in range(4):
            os.dup2(200 + i, i)
        os.closerange(4, 1 << 16)
        os.chdir(WORK_DIR)
        if DROP_UID is not None:
            os.setgroups([])
            os.setgid(DROP_UID)
            os.setuid(DROP_UID)
        set_limits(job)
    except BaseException as e:  # the harness itself failed: report it as such, not as the candidate's fault
        try:
            report({'k': 'harness', 't': repr(e)})
        finally:
            os._exit(70)
    try:
        run_candidate(job, start)
    finally:  # whatever happens (even our channel closed by the candidate), never fall back into the server loop
        os._exit(0)


def set_limits(job):
    mb = LIMITS.get('memoryMb')
    if mb:
        resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))
    if DROP_UID is not None and LIMITS.get('maxProcesses'):
        n = LIMITS['maxProcesses']
        resource.setrlimit(resource.RLIMIT_NPROC, (n, n))
    out = LIMITS.get('maxOutputBytes')
    if out:
        resource.setrlimit(resource.RLIMIT_FSIZE, (out, out))
    files = LIMITS.get('maxOpenFiles')
    if files:
        resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))
    cpu = int(job['timeout']) + 2  # a backstop: the server normally stops the child before this
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# Bound once, so that a candidate reassigning os.write, json.dumps or the clocks cannot silence or skew our reports.
_write, _dumps, _cpu_clock, _wall_clock, _perf = os.write, json.dumps, time.process_time, time.monotonic, time.perf_counter


def report(obj):
    obj['c'] = _cpu_clock()
    obj['w'] = _wall_clock()
    _write(3, (_dumps(obj) + '\n').encode())


def flush_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


class CompileFailed(Exception):
    """A test (or the test setup) that the server could not compile; args[0] is the error's type name."""


def print_error(e):
    tb = e.__traceback__.tb_next if e.__traceback__ else None  # drop the harness's own frame
    traceback.print_exception(type(e), e, tb, limit=-12)  # the innermost frames; a deep recursion stays cheap


def run_candidate(job, start):
    try:
        code = compile(job['code'], '<candidate>', 'exec')
    except BaseException as e:  # SyntaxError, ValueError (NUL bytes), RecursionError/MemoryError (deep nesting)
        report({'k': 'syntax', 't': type(e).__name__})
        return
    ns = {'__name__': 'candidate', '__builtins__': builtins}
    for phase, source in (('define', code), ('setup', job['_setup'])):
        if source is None:
            continue
        try:
            if isinstance(source, str):  # the test setup itself does not compile
                raise CompileFailed(source)
            exec(source, ns)
        except CompileFailed as e:
            report({'k': phase, 'o': 'error', 't': e.args[0]})
            return
        except BaseException as e:
            outcome = 'fail' if isinstance(e, AssertionError) else 'error'
            if outcome == 'error':
                print_error(e)
            flush_output()
            report({'k': phase, 'o': outcome, 't': type(e).__name__})
            return
    report({'k': 'ready'})
    tests = job['_tests']
    for i in range(start, len(tests)):
        t0, c0 = _perf(), _cpu_clock()
        try:
            if isinstance(tests[i], str):  # the test itself did not compile: it errors with that type
                raise CompileFailed(tests[i])
            exec(tests[i], ns)
            outcome, etype = 'pass', None
        except CompileFailed as e:
            outcome, etype = 'error', e.args[0]
        except AssertionError:
            outcome, etype = 'fail', 'AssertionError'
        except BaseException as e:
            outcome, etype = 'error', type(e).__name__
            print_error(e)
        report({'k': 'test', 'i': i, 'o': outcome, 't': etype, 'ms': (_perf() - t0) * 1000, 'cpu': _cpu_clock() - c0})
    flush_output()
    report({'k': 'done'})


