# crucible's Python fork-server: one warm interpreter per executor worker.
#
# Protocol (one JSON object per line): argv[1] is the init object; the server answers {"ready": ...}, then reads
# one job per line on stdin and answers one result per line on stdout. Each job runs in forked children
# ("segments", crucible_fs_segment.py): a segment defines the candidate, runs the test setup, then runs tests
# from a start index (crucible_fs_child.py). A test that times out or kills its process is recorded and the remaining tests continue in
# a fresh segment, so the pass rate stays exact.
import gc
import json
import os
import signal
import sys
import time
from collections import OrderedDict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves the script's folder off sys.path

# Warm the modules candidates commonly import, so a child finds them already loaded (the fork copies them).
# Only the common ones: every loaded module makes each fork a little slower. Not `random`: it re-seeds itself in
# every forked child (an at-fork hook), which costs each child ~45 page copies whether it uses random or not.
for _name in ('math', 're', 'collections', 'itertools', 'functools', 'heapq', 'bisect', 'string', 'typing',
              'hashlib', 'copy', 'operator'):
    try:
        __import__(_name)
    except Exception:  # a missing optional module is not the server's problem
        pass

# Warm the compiler too: its first use builds lazy state (AST types) that a child compiling code (a source too
# large for the server, or a candidate's own exec/eval) would otherwise rebuild, which costs ~2 ms per fork.
exec(compile('def _f(x):\n    assert x == 1, "x"\n    return [i for i in range(x)]\n_f(1)\n', '<warm>', 'exec'), {})

from crucible_fs_config import (DROP_UID, GUARD_COMPARISONS, IO_DIR, PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG, PROBLEM_SLOTS,
                                MAX_LEFTOVERS, SANDBOXED, STDERR_BYTES, UID_PROBLEM, WALL_FACTOR, WIPE_TMP, WORK_DIR, WORK_ROOT, libc)
from crucible_fs_checked import install_timer, run_checked
from crucible_fs_cleanup import CleanupFailed, empty_dir, remove_entry, remove_ipc_objects
from crucible_fs_guard import compile_guarded, may_hijack
from crucible_fs_plan import plan
from crucible_fs_plus import load as load_data, run_plus
from crucible_fs_segment import run_segment
from crucible_fs_zygote import Unstarted, start as start_zygote, zygote

del sys.path[0]  # the harness folder stays off the path candidates import from

libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans of a candidate come back to us, so we can kill them
libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # never outlive the executor
if WIPE_TMP:  # the sandbox's private /tmp: writable by candidates like any /tmp, wiped after each one
    try:
        os.chmod('/tmp', 0o1777)
    except OSError:
        pass
os.makedirs(WORK_ROOT, mode=0o755, exist_ok=True)
REAL_WORK_ROOT = os.path.realpath(WORK_ROOT)
os.makedirs(IO_DIR, mode=0o700, exist_ok=True)
# Set once here rather than in every child (each call in a child costs page copies): children inherit all of it.
# The protocol is read from a duplicate of stdin, so sys.stdin (fd 0) is /dev/null in children: EOF at once.
PROTO_IN = os.fdopen(os.dup(0), 'rb')
# Test code runs in this process in checker mode: whatever it prints or reads must not touch the protocol.
PROTO_OUT = os.fdopen(os.dup(1), 'w')
_null = os.open(os.devnull, os.O_RDWR)
os.dup2(_null, 0)
os.dup2(_null, 1)
os.close(_null)
sys.stdout = open(1, 'w', closefd=False)
install_timer()
if hasattr(sys, 'set_int_max_str_digits'):  # plain-data answers may carry big integers (factorials...)
    sys.set_int_max_str_digits(0)
os.environ['HOME'] = os.environ['TMPDIR'] = WORK_DIR
for _sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGXCPU):  # Python ignores SIGPIPE/SIGXFSZ; candidates get the defaults
    signal.signal(_sig, signal.SIG_DFL)


def send(obj):
    PROTO_OUT.write(json.dumps(obj) + '\n')
    PROTO_OUT.flush()



DEATH_LIMITS = {'SIGXFSZ': 'output', 'SIGXCPU': 'cpu'}


# Problems whose tests are compiled here (children inherit the code objects), least recently used first. Kept small
# (PROBLEM_SLOTS comes from fork-server.ts, which mirrors this list): everything the server holds is copied into
# each fork.
PROBLEMS = OrderedDict()
# Candidates up to this size are compiled here rather than in the child: compiling in a fresh fork pays a page copy
# for every allocation (~0.3 ms a candidate), and a syntax error then needs no fork at all. compile() runs no
# candidate code; Python raises RecursionError/MemoryError on pathological nesting, and bigger sources go to the child.
SERVER_COMPILE_MAX = 1 << 16


def compile_or_error(source, name, guarded=False):
    """A code object, or the compile error's type name (a test that does not compile errors; the others still run).
    `guarded` test code cannot have its comparisons decided by the candidate's own methods (crucible_fs_guard)."""
    try:
        if guarded:
            return compile_guarded(source, name)
        return compile(source, name, 'exec', dont_inherit=True)
    except BaseException as e:  # SyntaxError, ValueError (NUL bytes), RecursionError/MemoryError (deep nesting)
        return type(e).__name__


def problem_of(job):
    key = job['p']
    if 'tests' in job:
        setup = job['setup']
        data = None
        if '_data' in job:  # trusted test data (HumanEval+/MBPP+): its tests run only in the checker
            try:
                data = load_data(job.pop('_data'), job['tests'], job.get('entry') or '')
            except (ValueError, EOFError, TypeError, KeyError) as e:
                data = 'the test data cannot be used: %s' % e
        PROBLEMS[key] = {
            'setup': None if setup is None else compile_or_error(setup, '<test setup>'),
            'tests': [compile_or_error(code, '<test %d>' % i) for i, code in enumerate(job['tests'])],
            'sources': dict([('<test setup>', setup or '')] + [('<test %d>' % i, c) for i, c in enumerate(job['tests'])]),
            'guarded': None,  # (setup, tests) compiled with the comparison guard, made when a candidate needs them
            # checker, or the recorded in-process fallback (crucible_fs_plan.py): decided from trusted data only
            'plan': {'mode': 'checker', 'calls': [job.get('entry')], 'helpers': None} if data is not None else
                    plan(setup, job['tests'], job.get('entry') or '', job.get('prompt') or '', job.get('canonical')),
            'data': data,
        }
        while len(PROBLEMS) > PROBLEM_SLOTS:
            PROBLEMS.popitem(last=False)
    if key not in PROBLEMS:  # fork-server.ts and this list are out of step: a bug, reported rather than crashing
        return None
    PROBLEMS.move_to_end(key)
    return PROBLEMS[key]


def tests_for(problem, code):
    """(setup, tests) for a candidate: guarded when its source could define the methods a hijack needs. Guarded
    compiling costs ~4x plain compiling, so the many candidates that define no such method skip it."""
    if not (GUARD_COMPARISONS and may_hijack(code)):
        return problem['setup'], problem['tests'], False
    if problem['guarded'] is None:
        sources = problem['sources']
        setup = sources['<test setup>'] if problem['setup'] is not None else None
        problem['guarded'] = (
            None if setup is None else compile_or_error(setup, '<test setup>', guarded=True),
            [compile_or_error(sources['<test %d>' % i], '<test %d>' % i, guarded=True) for i in range(len(problem['tests']))],
        )
    return problem['guarded'][0], problem['guarded'][1], True


def run_job(job):
    t0 = time.monotonic()
    problem = problem_of(job)
    if problem is None:
        result = {'id': job['id'], 'fatal': {'phase': 'harness', 'o': 'error', 't': 'problem %s is not held by the fork-server' % job['p'][:16]}}
        return finish(result, [], t0)
    job['_setup'], job['_tests'], job['_guarded'] = tests_for(problem, job['code'])
    job['_sources'] = problem['sources']
    n = len(job['_tests'])
    outcomes = [None] * n
    result = {'id': job['id']}
    if len(job['code']) <= SERVER_COMPILE_MAX:
        code = compile_or_error(job['code'], '<candidate>')
        if isinstance(code, str):
            result['syntax'] = code
            return finish(result, outcomes, t0)
        job['_code'] = code
    if isinstance(problem['data'], str):
        result['fatal'] = {'phase': 'harness', 'o': 'error', 't': problem['data']}
        return finish(result, outcomes, t0)
    prepare_dirs(job)
    if problem['data'] is not None:
        try:
            run_plus(job, problem, result, outcomes)
            return finish(result, outcomes, t0)
        finally:
            cleanup(job)
    if problem['plan']['mode'] == 'checker':
        job['_setup'], job['_tests'] = problem['setup'], problem['tests']
        try:
            run_checked(job, problem, result, outcomes)
            return finish(result, outcomes, t0)
        finally:
            result['cleanupFailed'] = cleanup(job)
    result['isolation'] = 'in-process'
    cpu_used = 0.0
    wall_deadline = t0 + job['timeout'] * WALL_FACTOR
    start = 0
    try:
        while True:
            events, end, cpu, queued = run_segment(job, start, job['timeout'] - cpu_used, wall_deadline)
            wall_deadline += queued  # time a segment spent queued for a CPU does not count against the backstop
            cpu_used += cpu
            current = start  # the test running when the segment ended
            ready = False
            for ev in events:
                k = ev.get('k')
                if k == 'syntax':
                    result['syntax'] = ev['t']
                    return finish(result, outcomes, t0)
                if k in ('define', 'setup', 'harness'):
                    result['fatal'] = {'phase': k, 'o': ev['o'] if ev['o'] in ('fail', 'error') else 'error', 't': ev['t']}
                    return finish(result, outcomes, t0)
                if k == 'ready':
                    ready = True
                if k == 'test':
                    outcomes[ev['i']] = {'o': ev['o'], 't': ev['t'], 'ms': round(ev['ms'], 3), 'cpu': round(ev['cpu'], 6)}
                    current = ev['i'] + 1
            if end[0] == 'done':
                break
            died = end[1] if end[0] == 'died' else None
            limit = DEATH_LIMITS.get(died)
            timed_out = end[0] == 'timeout' or limit == 'cpu'
            if not ready:  # the candidate never finished defining itself
                result['fatal'] = {'phase': 'define', 'o': 'timeout' if timed_out else 'error', 't': limit or died or 'timeout'}
                return finish(result, outcomes, t0)
            if current >= n:
                break
            outcomes[current] = {'o': 'timeout' if timed_out else 'error', 't': limit or died}
            if timed_out:
                outcomes[current]['lim'] = job['testTimeouts'][current]
                if job.get('afterTimeout'):  # a confirmation run: only the first timeout needs the long limit
                    job['testTimeouts'] = job['afterTimeout']
            start = current + 1
            if start >= n:
                break
            if cpu_used >= job['timeout'] or time.monotonic() >= wall_deadline:
                for i in range(start, n):
                    outcomes[i] = {'o': 'timeout', 't': None, 'lim': job['timeout']}
                result['programTimeout'] = True
                break
        return finish(result, outcomes, t0)
    finally:
        result['cleanupFailed'] = cleanup(job)


def finish(result, outcomes, t0):
    result['tests'] = outcomes
    result['ms'] = (time.monotonic() - t0) * 1000
    return result


def prepare_dirs(job):
    # The working dir persists across jobs (emptied after each one; rmdir is slow on overlay filesystems).
    # A candidate may have chmod-ed or replaced it (when it runs as our uid): restore it every time.
    if os.path.islink(WORK_DIR) or not os.path.isdir(WORK_DIR):
        if os.path.lexists(WORK_DIR):
            os.unlink(WORK_DIR)
        os.mkdir(WORK_DIR, 0o700)
    if DROP_UID is not None:
        os.chown(WORK_DIR, DROP_UID, DROP_UID)
    os.chmod(WORK_DIR, 0o700)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    job['_out'] = os.open(os.path.join(IO_DIR, 'out'), flags, 0o600)
    job['_err'] = os.open(os.path.join(IO_DIR, 'err'), flags, 0o600)


def cleanup(job):
    """Empties the candidate's folders and IPC objects. A candidate whose leftovers cannot be removed is reported
    (cleanupFailed) and this server ends after answering: Node replaces it, and its sandbox goes with it."""
    if '_out' not in job:  # answered before any fork (a syntax error)
        return None
    for key in ('_out', '_err'):
        os.close(job.pop(key))
    try:
        empty_dir(WORK_DIR, MAX_LEFTOVERS)
        if WIPE_TMP:  # the sandbox's private /tmp: nothing a candidate left there reaches the next one
            for entry in os.listdir('/tmp'):
                if os.path.realpath(os.path.join('/tmp', entry)) != REAL_WORK_ROOT:
                    remove_entry('/tmp', entry, MAX_LEFTOVERS)
        if DROP_UID is not None:
            remove_ipc_objects(DROP_UID)
        elif SANDBOXED:  # a private IPC namespace: every object in it is a candidate's
            remove_ipc_objects(os.geteuid())
    except (CleanupFailed, OSError) as e:
        return str(e)[:300] or type(e).__name__
    return None


def stderr_excerpt():
    path = os.path.join(IO_DIR, 'err')
    try:
        size = os.path.getsize(path)
        if size == 0:
            return None
        with open(path, 'rb') as f:
            if size > STDERR_BYTES:
                f.seek(size - STDERR_BYTES)
            return f.read(STDERR_BYTES).decode('utf-8', 'replace')
    except OSError:
        return None


def read_bytes(stream, n):
    parts = []
    while n > 0:
        chunk = stream.read(n)
        if not chunk:
            raise SystemExit(0)  # the executor went away mid-message
        parts.append(chunk)
        n -= len(chunk)
    return b''.join(parts)


def main():
    empty_dir(WORK_DIR)
    gc.collect()
    gc.freeze()  # children then never walk (and copy-on-write) the server's own objects during their collections
    root = os.geteuid() == 0
    if root and DROP_UID is None:  # never run a candidate as root: say why and stop
        send({'ready': False, 'uid': None, 'uidProblem': UID_PROBLEM or 'no uid for candidates', 'root': True, 'pid': os.getpid()})
        return
    start_zygote()  # before any job line: candidate processes start from a process that never held a test
    send({'ready': True, 'uid': DROP_UID, 'root': root, 'python': sys.version.split()[0], 'pid': os.getpid()})
    stdin = PROTO_IN
    while True:
        line = stdin.readline()
        if not line:
            return
        job = json.loads(line)
        if 'dataBytes' in job:  # the problem's test data follows its line as raw bytes
            job['_data'] = read_bytes(stdin, int(job.pop('dataBytes')))
        try:
            result = run_job(job)
        except Unstarted as e:
            # The zygote was gone before the job's first candidate process (killed between jobs, or while this job
            # compiled): nothing of the candidate ran. Node runs the job, and those queued behind it, elsewhere.
            send({'id': job['id'], 'unstarted': 'the zygote has ended (%s)' % e})
            return
        err = stderr_excerpt()
        if err:
            result['stderr'] = err
        if not result.get('cleanupFailed'):
            result.pop('cleanupFailed', None)
        if not result.get('cleanupFailed') and not zygote().alive():
            result['retiring'] = 'the zygote has ended'  # the jobs queued behind this one never start here
        send(result)
        if result.get('cleanupFailed') or result.get('retiring'):
            return  # Node starts a fresh server (and sandbox) for the next job


main()
