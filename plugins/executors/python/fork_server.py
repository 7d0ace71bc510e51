# crucible's Python fork-server: one warm interpreter per executor worker.
#
# Protocol (one JSON object per line): argv[1] is the init object; the server answers {"ready": ...}, then reads
# one job per line on stdin and answers one result per line on stdout. Each job runs in forked children
# ("segments"): a segment defines the candidate, runs the test setup, then runs tests from a start index,
# reporting each over a private pipe. A test that times out or kills its process is recorded and the
# remaining tests continue in a fresh segment, so the pass rate stays exact.
import builtins
import ctypes
import fcntl
import gc
import json
import os
import resource
import select
import shutil
import signal
import sys
import time
import traceback

# Warm the modules candidates commonly import, so a child finds them already loaded (the fork copies them).
# Only the common ones: every loaded module makes each fork a little slower.
for _name in ('math', 're', 'collections', 'itertools', 'functools', 'heapq', 'bisect', 'string', 'typing',
              'random', 'hashlib', 'copy', 'operator'):
    try:
        __import__(_name)
    except Exception:  # a missing optional module is not the server's problem
        pass

# Warm the compiler and the encoders too: their first use builds lazy state (AST types, encoder tables) that
# every child would otherwise rebuild, which costs ~2 ms per fork.
exec(compile('def _f(x):\n    assert x == 1, "x"\n    return [i for i in range(x)]\n_f(1)\n', '<warm>', 'exec'), {})
json.loads(json.dumps({'k': 'warm', 'c': time.process_time(), 'ms': time.perf_counter()}))

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
WALL_FACTOR = 3.0  # limits count CPU seconds; a process that sleeps or blocks is stopped at this many times the wall
MIN_WAIT = 0.005
OUTCOMES = ('pass', 'fail', 'error')
POLL = 0.25  # read the child's reports at least this often, even when no limit is near
TICKS = os.sysconf('SC_CLK_TCK')
libc = ctypes.CDLL(None, use_errno=True)

INIT = json.loads(sys.argv[1])
WORK_ROOT = INIT['workRoot']
SANDBOXED = WIPE_TMP = bool(INIT.get('wipeTmp'))
STDERR_BYTES = int(INIT.get('stderrBytes', 2000))
LIMITS = INIT['limits']


def probe_uid(uid):
    """Whether a child running as `uid` can still read the standard library (it may live in an unreadable home)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.listdir(os.path.dirname(os.__file__))
            os.listdir(os.path.dirname(json.__file__))
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


DROP_UID = None
if INIT.get('uid') is not None and os.geteuid() == 0 and probe_uid(INIT['uid']):
    DROP_UID = int(INIT['uid'])

libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans of a candidate come back to us, so we can kill them
libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # never outlive the executor
if WIPE_TMP:  # the sandbox's private /tmp: writable by candidates like any /tmp, wiped after each one
    try:
        os.chmod('/tmp', 0o1777)
    except OSError:
        pass
os.makedirs(WORK_ROOT, mode=0o755, exist_ok=True)
IO_DIR = os.path.join(WORK_ROOT, 'io')
os.makedirs(IO_DIR, mode=0o700, exist_ok=True)
WORK_DIR = os.path.join(WORK_ROOT, 'w')
NULL_FD = os.open(os.devnull, os.O_RDWR)
# Set once here rather than in every child (each call in a child costs page copies): children inherit all of it.
# The protocol is read from a duplicate of stdin, so sys.stdin (fd 0) is /dev/null in children: EOF at once.
PROTO_IN = os.fdopen(os.dup(0), 'rb')
os.environ['HOME'] = os.environ['TMPDIR'] = WORK_DIR
for _sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGXCPU):  # Python ignores SIGPIPE/SIGXFSZ; candidates get the defaults
    signal.signal(_sig, signal.SIG_DFL)


def send(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


# ---------------------------------------------------------------- child side

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


# ---------------------------------------------------------------- server side

def proc_cpu(pid):
    """CPU seconds of a live child (all its threads), from /proc."""
    try:
        with open('/proc/%d/stat' % pid, 'rb') as f:
            fields = f.read().rsplit(b')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return None


def descendants():
    """Pids whose parent chain leads to this server (orphans were re-parented to us as subreaper)."""
    me = os.getpid()
    parent = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry, 'rb') as f:
                    parent[int(entry)] = int(f.read().rsplit(b')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = set(), {me}
    while frontier:
        frontier = {p for p, pp in parent.items() if pp in frontier and p not in found}
        found |= frontier
    return found


def reap_all():
    """Kill and reap every remaining descendant; returns once none is left."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        for p in descendants():
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def signal_name(num):
    try:
        return signal.Signals(num).name
    except ValueError:
        return 'signal %d' % num


def open_pidfd(pid):
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):  # before Linux 5.3: rely on EOF and the time limits
        return None


def drain(rfd):
    """Everything readable now on the non-blocking pipe, and whether it reached EOF."""
    chunks = []
    while True:
        try:
            chunk = os.read(rfd, 1 << 16)
        except BlockingIOError:
            return b''.join(chunks), False
        if not chunk:
            return b''.join(chunks), True
        chunks.append(chunk)


def run_segment(job, start, cpu_budget, wall_deadline):
    """Forks one child that runs tests from `start`; returns (events, end, cpu_seconds)."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(rfd)
            child_main(job, start, wfd, job['_out'], job['_err'])
        finally:
            os._exit(72)
    os.close(wfd)
    os.set_blocking(rfd, False)
    try:
        fcntl.fcntl(rfd, fcntl.F_SETPIPE_SZ, 1 << 20)  # room for thousands of test reports between our wake-ups
    except (AttributeError, OSError):
        pass
    # We sleep on the child's exit (pidfd), not on its reports: waking up once per test costs a context switch
    # each. Reports carry the child's own clock readings, so test boundaries are known exactly afterwards.
    pidfd = open_pidfd(pid)
    watch = [rfd] if pidfd is None else [pidfd]
    events, buf, end = [], b'', None
    test_limits = job['testTimeouts']  # CPU seconds, one per test
    suffix_min = list(test_limits)
    for i in range(len(suffix_min) - 2, -1, -1):
        suffix_min[i] = min(suffix_min[i], suffix_min[i + 1])
    current = start
    phase_wall, phase_cpu = time.monotonic(), 0.0
    known_cpu, known_at = 0.0, phase_wall
    in_test = exited = False
    while True:
        chunk, eof = drain(rfd)
        buf += chunk
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            try:
                ev = json.loads(line)
                kind, cpu, wall = ev['k'], float(ev['c']), float(ev['w'])
                if kind == 'test':
                    if not (isinstance(ev['i'], int) and 0 <= ev['i'] < len(test_limits)) or ev['o'] not in OUTCOMES:
                        raise ValueError('bad test report')
                    ev['ms'], ev['cpu'] = float(ev['ms']), float(ev['cpu'])
                    if ev['t'] is not None and not isinstance(ev['t'], str):
                        raise ValueError('bad error type')
                elif kind in ('syntax', 'define', 'setup', 'harness') and not isinstance(ev.get('t'), str):
                    raise ValueError('bad report')
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # the candidate wrote garbage on our channel; ignore it
            events.append(ev)
            if cpu >= known_cpu:
                known_cpu, known_at = cpu, wall
            if kind in ('ready', 'test'):
                in_test, phase_wall, phase_cpu = True, wall, cpu
                current = ev['i'] + 1 if kind == 'test' else start
            if kind in ('done', 'syntax', 'define', 'setup', 'harness'):
                end = ('done',)
        if end is not None:
            break
        if exited or eof:  # a grandchild may hold the pipe open, so exit, not EOF, is the usual signal
            end = ('eof',)
            break
        now = time.monotonic()
        cpu_limit, wall_limit = cpu_budget, wall_deadline
        if in_test and current < len(test_limits):
            cpu_limit = min(cpu_limit, phase_cpu + test_limits[current])
            wall_limit = min(wall_limit, phase_wall + test_limits[current] * WALL_FACTOR)
        wake = min(wall_limit, known_at + max(cpu_limit - known_cpu, 0.0))
        if now >= wake:
            if now >= wall_limit:
                end = ('timeout', 'wall')
                break
            cpu = proc_cpu(pid)
            if cpu is not None:
                known_cpu, known_at = cpu, now
                if cpu >= cpu_limit:
                    end = ('timeout', 'cpu')
                    break
            wake = min(wall_limit, now + max(cpu_limit - known_cpu, MIN_WAIT))
        # Reports are read when we wake, so a later test may already be running unseen: it cannot pass its limit
        # before now + the smallest limit among the tests still to come.
        upcoming = current + 1 if in_test else start
        if upcoming < len(test_limits):
            wake = min(wake, now + MIN_WAIT + suffix_min[upcoming])
        ready, _, _ = select.select(watch, [], [], min(max(wake - now, 0.0), POLL))
        exited = pidfd is not None and pidfd in ready
    try:
        os.killpg(pid, signal.SIGKILL)  # the child is at worst a zombie here, so its group id is still ours
    except OSError:
        pass
    _, status, usage = os.wait4(pid, 0)
    os.close(rfd)
    if pidfd is not None:
        os.close(pidfd)
    reap_all()
    if end[0] == 'eof':
        if os.WIFSIGNALED(status):
            end = ('died', signal_name(os.WTERMSIG(status)))
        else:
            end = ('died', 'exit(%d)' % os.WEXITSTATUS(status))
    return events, end, usage.ru_utime + usage.ru_stime


DEATH_LIMITS = {'SIGXFSZ': 'output', 'SIGXCPU': 'cpu'}


COMPILED = {}


def compiled(source, name):
    """Test code compiled once in the server (children inherit it): a code object, or the compile error's type."""
    key = (source, name)
    found = COMPILED.get(key)
    if found is None:
        if len(COMPILED) > 20000:
            COMPILED.clear()
        try:
            found = compile(source, name, 'exec')
        except BaseException as e:  # the dataset's own test does not compile: that test errors, the rest run
            found = type(e).__name__
        COMPILED[key] = found
    return found


def run_job(job):
    t0 = time.monotonic()
    job['_setup'] = None if job.get('setup') is None else compiled(job['setup'], '<test setup>')
    job['_tests'] = [compiled(code, '<test %d>' % i) for i, code in enumerate(job['tests'])]
    tests = job['tests']
    n = len(tests)
    outcomes = [None] * n
    result = {'id': job['id']}
    prepare_dirs(job)
    cpu_used = 0.0
    wall_deadline = t0 + job['timeout'] * WALL_FACTOR
    start = 0
    try:
        while True:
            events, end, cpu = run_segment(job, start, job['timeout'] - cpu_used, wall_deadline)
            cpu_used += cpu
            current = start  # the test running when the segment ended
            ready = False
            for ev in events:
                k = ev.get('k')
                if k == 'syntax':
                    result['syntax'] = ev['t']
                    return finish(result, outcomes, t0)
                if k in ('define', 'setup', 'harness'):
                    result['fatal'] = {'phase': k, 'o': ev.get('o', 'error'), 't': ev['t']}
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
            start = current + 1
            if start >= n:
                break
            if cpu_used >= job['timeout'] or time.monotonic() >= wall_deadline:
                for i in range(start, n):
                    outcomes[i] = {'o': 'timeout', 't': None}
                result['programTimeout'] = True
                break
        return finish(result, outcomes, t0)
    finally:
        cleanup(job)


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


def make_writable(func, path, _exc):
    try:
        os.chmod(os.path.dirname(path), 0o700)
        os.chmod(path, 0o700)
        func(path)
    except OSError:
        pass


def empty_dir(path):
    try:
        entries = os.listdir(path)
    except OSError:
        return
    for entry in entries:
        full = os.path.join(path, entry)
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full, onerror=make_writable)
        else:
            try:
                os.unlink(full)
            except OSError:
                pass


def cleanup(job):
    for key in ('_out', '_err'):
        os.close(job.pop(key))
    empty_dir(WORK_DIR)
    if WIPE_TMP:  # the sandbox's private /tmp: nothing a candidate left there reaches the next one
        for entry in os.listdir('/tmp'):
            path = os.path.join('/tmp', entry)
            if os.path.realpath(path) == os.path.realpath(WORK_ROOT):
                continue
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, onerror=make_writable)
            else:
                try:
                    os.unlink(path)
                except OSError:
                    pass


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


def main():
    empty_dir(WORK_DIR)
    gc.collect()
    gc.freeze()  # children then never walk (and copy-on-write) the server's own objects during their collections
    send({'ready': True, 'uid': DROP_UID, 'python': sys.version.split()[0], 'pid': os.getpid()})
    stdin = PROTO_IN
    while True:
        line = stdin.readline()
        if not line:
            return
        job = json.loads(line)
        result = run_job(job)
        err = stderr_excerpt()
        if err:
            result['stderr'] = err
        send(result)


main()
