# One job in checker mode: the test setup and the tests run here, in the fork-server, against stand-ins for the
# candidate's functions (CandidateFunction) that call into the candidate's own process (crucible_fs_checker.py).
# The checker's own CPU per test (decoding, comparing) is bounded by a profiling timer; the candidate's by the
# channel's limits.
import os
import signal
import time

from crucible_fs_checker import CandidateGone, Channel, CheckerTimeout, UnserializableResult
from crucible_fs_config import DROP_UID, LIMITS, WALL_FACTOR, WORK_DIR

_armed = [False]
CURRENT = [None]  # the running job's Channel (the server runs one job at a time)


def _on_prof(signum, frame):
    if _armed[0]:
        _armed[0] = False
        raise CheckerTimeout()


def install_timer():
    signal.signal(signal.SIGPROF, _on_prof)


def _arm(seconds):
    _armed[0] = True
    signal.setitimer(signal.ITIMER_PROF, max(seconds, 0.001))


def _disarm():
    signal.setitimer(signal.ITIMER_PROF, 0)
    _armed[0] = False


class CandidateFunction:
    """What a test sees as `candidate` (or the entry point's name): calling it calls the candidate's function."""
    __slots__ = ('__name__',)

    def __init__(self, name):
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        return CURRENT[0].call(self.__name__, args, kwargs)

    def __repr__(self):
        return '<candidate function %s>' % self.__name__


class CompileFailed(Exception):
    pass


def namespace(problem):
    """A fresh namespace for one job's tests, from the problem's template (stand-ins plus the prompt's helpers)."""
    template = problem.get('template')
    if template is None:
        plan = problem['plan']
        template = {'__name__': 'crucible_tests', '__builtins__': __builtins__}
        for name in plan['calls']:
            template[name] = CandidateFunction(name)
        if plan['helpers'] is not None:
            try:
                exec(plan['helpers'], template)
            except BaseException:  # the prompt's code does not run on its own: tests that need it error
                pass
            for name in plan['calls']:  # a prompt's stub never replaces the stand-in
                template[name] = CandidateFunction(name)
        problem['template'] = template
    return dict(template)


def _note(job, text):
    try:
        os.write(job['_err'], (text + '\n').encode('utf-8', 'replace'))
    except OSError:
        pass


def _run(job, code, ns, limit):
    """Runs trusted test code; (outcome, error type, CandidateGone or None)."""
    _arm(limit)
    try:
        if isinstance(code, str):
            raise CompileFailed(code)
        exec(code, ns)
        return 'pass', None, None
    except CompileFailed as e:
        return 'error', e.args[0], None
    except AssertionError as e:
        return 'fail', type(e).__name__, None
    except CandidateGone as g:
        return g.kind, g.reason, g
    except CheckerTimeout:
        CURRENT[0].kill()  # it may be in the middle of a call: start afresh for the next test
        return 'timeout', 'checker', CandidateGone('timeout', 'checker', limit)
    except BaseException as e:
        if isinstance(e, UnserializableResult):
            _note(job, 'UnserializableResult: %s' % e)
        return 'error', type(e).__name__, None
    finally:
        _disarm()


def _start(channel):
    """Starts a candidate process; None when ready, else (phase, outcome, error type)."""
    try:
        return channel.spawn()
    except CandidateGone as g:
        return ('define', g.kind, g.reason)
    except UnserializableResult:
        return ('define', 'error', 'MalformedMessage')


def _respawn(channel):
    """Starts the candidate's next process; None, or (outcome, error type) for the test that needed it."""
    failed = _start(channel)
    channel.test_base = 0.0  # the definition's CPU counts against this test, as in the first process
    if failed is None:
        return None
    channel.kill()
    if failed[1] == 'timeout':
        return 'timeout', failed[2]
    return 'error', '%s:%s' % (failed[0], failed[2])


def run_checked(job, problem, result, outcomes):
    tests = job['_tests']
    n = len(tests)
    t0 = time.monotonic()
    channel = Channel(job, t0 + job['timeout'] * WALL_FACTOR, int(LIMITS.get('maxOutputBytes') or 1 << 23))
    CURRENT[0] = channel
    result['isolation'] = 'checker'
    home = os.getcwd()
    # The tests act in the candidate's folder with the candidate's rights (effective uid), never as root: a symlink the
    # candidate planted there cannot make a test write or read as root. (Candidate processes come from the zygote,
    # which keeps its own rights.)
    drop = DROP_UID is not None and os.geteuid() == 0
    try:
        os.chdir(WORK_DIR)  # relative paths in a test mean what they meant in the candidate's process
        if drop:
            os.seteuid(DROP_UID)
        failed = _start(channel)
        if failed is not None:
            if failed[0] == 'syntax':
                result['syntax'] = failed[2]
            else:
                result['fatal'] = {'phase': failed[0], 'o': failed[1], 't': failed[2]}
            return
        ns = namespace(problem)
        if job['_setup'] is not None:
            channel.begin_test(None)
            o, t, _ = _run(job, job['_setup'], ns, job['timeout'])
            if o != 'pass':
                result['fatal'] = {'phase': 'setup', 'o': o, 't': t}
                return
        for i in range(n):
            # (the wall backstop is enforced while waiting, where time queued for a CPU is discounted)
            if channel.cpu_used() >= job['timeout'] or time.monotonic() >= channel.wall_deadline + channel.queued_dead:
                for j in range(i, n):
                    outcomes[j] = {'o': 'timeout', 't': None, 'lim': job['timeout']}
                result['programTimeout'] = True
                return
            limit = job['testTimeouts'][i]
            channel.begin_test(limit)
            if channel.pid is None:  # the last process died: a new one, between tests
                failed = _respawn(channel)
                if failed is not None:
                    out = {'o': failed[0], 't': failed[1], 'ms': 0.0, 'cpu': round(channel.test_cpu(), 6)}
                    if failed[0] == 'timeout':
                        out['t'], out['lim'] = None, limit
                    outcomes[i] = out
                    continue
            w0, c0 = time.perf_counter(), time.process_time()
            o, t, gone = _run(job, tests[i], ns, limit)
            if gone is None and channel.gone is not None:  # the test caught what ended the candidate's process
                gone = channel.gone
                o, t = gone.kind, gone.reason
            out = {'o': o, 't': t, 'ms': round((time.perf_counter() - w0) * 1000, 3),
                   'cpu': round(channel.test_cpu() + time.process_time() - c0, 6)}
            if o == 'timeout':
                out['lim'] = job['timeout'] if gone is not None and gone.program else limit
                out['t'] = None
            outcomes[i] = out
            if o == 'timeout' and job.get('afterTimeout'):  # a confirmation run: one long limit is enough
                job['testTimeouts'] = job['afterTimeout']
            if gone is not None and gone.program:
                for j in range(i + 1, n):
                    outcomes[j] = {'o': 'timeout', 't': None, 'lim': job['timeout']}
                result['programTimeout'] = True
                return
    finally:
        if drop:
            os.seteuid(0)
        os.chdir(home)
        channel.kill()
        CURRENT[0] = None
