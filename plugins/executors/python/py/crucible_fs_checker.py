# The trusted checker: it runs a problem's test setup and tests here, in the fork-server (trusted code only), while
# the candidate lives in its own unprivileged, limited process, started from the zygote (crucible_fs_zygote.py), so
# it never holds a copy of the checker's memory. Each call of a candidate function in a test crosses a pipe as plain
# data and its answer comes back through the strict decoder (crucible_fs_wire.py); assertions compare those plain
# values here. The candidate never sees a test, an expected value or the report channel, and cannot hand back an
# object whose methods decide a comparison.
import builtins
import os
import select
import signal
import time

from crucible_fs_candidate import code_message
from crucible_fs_config import MEM_POLL, MIN_WAIT, POLL, WALL_FACTOR
from crucible_fs_segment import MemoryWatch, open_pidfd, proc_cpu, reap_all, runqueue_wait, signal_name
from crucible_fs_wire import HEADER, Unserializable, decode_answer, encode_call, plain_value
from crucible_fs_zygote import Unstarted, ZygoteGone, zygote

SIGNAL_LIMITS = {'SIGXFSZ': 'output', 'SIGXCPU': 'cpu'}


class CandidateGone(BaseException):
    """The candidate's process ended during a call (timeout, death, protocol breach). A BaseException, so that a
    test's `except Exception` cannot swallow it. kind: 'timeout' or 'error'; reason: what the execution records."""

    def __init__(self, kind, reason, limit=None, program=False):
        super().__init__(reason)
        self.kind, self.reason, self.limit, self.program = kind, reason, limit, program


class CheckerTimeout(BaseException):
    """The checker's own share of a test (decoding, comparing) went over the test's CPU limit."""


class CandidateRaised(Exception):
    """Base of the stand-ins for exceptions of the candidate that are not safe builtins (its own classes,
    StopIteration, SystemExit...): the test sees an ordinary Exception with the same name."""


class UnserializableResult(Exception):
    """The candidate's answer was not plain data (a mock, an object of its own class, a malformed message)."""


class UnserializableArgument(Exception):
    """A test passed something that is not plain data to the candidate (a test for the in-process mode)."""


# Raised again as themselves: builtin Exception classes, except the ones that steer control flow in the checker
# (a StopIteration from the candidate would end a test's map() or generator early, and all() of nothing is True).
_SAFE = {n: c for n, c in vars(builtins).items()
         if isinstance(c, type) and issubclass(c, Exception) and c not in (StopIteration, StopAsyncIteration)}
_standins = {}


def _clean_name(name):
    if type(name) is not str:
        return 'MalformedException'
    name = ''.join(c if c.isprintable() and not c.isspace() else '_' for c in name[:100])
    return name or 'MalformedException'


def candidate_exception(name, message):
    name = _clean_name(name)
    message = message if type(message) is str else ''
    cls = _SAFE.get(name)
    if cls is not None:
        try:
            return cls(message)
        except BaseException:  # builtin exceptions with other constructors (UnicodeDecodeError...)
            pass
    cls = _standins.get(name)
    if cls is None:
        cls = type(name, (CandidateRaised,), {})
        if len(_standins) < 1000:
            _standins[name] = cls
    return cls(message)


def _cpu_of(message):
    cpu = message[-1]
    return float(cpu) if type(cpu) in (int, float) and 0 <= cpu < 1e9 else 0.0


class Channel:
    """The candidate's current process and the calls to it. Replaced after a timeout or a death."""

    def __init__(self, job, wall_deadline, max_answer):
        self.job, self.wall_deadline, self.max_answer = job, wall_deadline, max_answer
        self.pid = None
        self.cpu_dead = 0.0  # CPU of this job's earlier candidate processes
        self.queued_dead = 0.0  # and the time they spent queued for a CPU (not counted against the wall backstop)
        self.known_cpu = 0.0  # the current process's CPU, as last reported or read
        self.test_limit = None  # CPU seconds for the running test (None: only the program's budget)
        self.test_base = 0.0
        self.test_wall_end = None
        self.test_checked = False
        self.gone = None  # the CandidateGone that ended a process during the running test

    # ---- process lifetime ----

    def spawn(self):
        """Starts a candidate process (from the zygote); returns None when ready, else ('syntax'|'define'|'harness',
        outcome, type)."""
        call_r, call_w = os.pipe()
        answer_r, answer_w = os.pipe()
        try:
            pid = zygote().spawn((call_r, answer_w, self.job['_out'], self.job['_err']), self.job['timeout'])
        except BaseException as e:
            os.close(call_w)
            os.close(answer_r)
            if isinstance(e, ZygoteGone) and not self.job.get('_spawned'):
                raise Unstarted(str(e))  # no candidate code ran in this job: it runs again on a fresh server
            if isinstance(e, (ZygoteGone, OSError)):
                # A later process of a candidate whose code already ran: the tests that needed it error as the
                # harness's ('harness:candidate process: ...'), never as a pass; the server ends after this job.
                return ('harness', 'error', 'candidate process: %s' % e)
            raise
        finally:
            os.close(call_r)
            os.close(answer_w)
        self.job['_spawned'] = True
        os.set_blocking(answer_r, False)
        os.set_blocking(call_w, False)
        self.pid, self.call_w, self.answer_r, self.buf = pid, call_w, answer_r, bytearray()
        self.pidfd = open_pidfd(pid)
        self.known_cpu, self.known_at = 0.0, time.monotonic()
        self.test_base = 0.0
        self.memory = MemoryWatch()
        first = self.job.get('_first')
        if first is None:  # the same for every process of this job
            first = self.job['_first'] = code_message(self.job['code'], self.job.get('_code'))
        message = self.receive(first)
        kind = message[0]
        if kind == 'ready':
            return None
        if kind == 'syntax' and len(message) == 3:
            return ('syntax', 'error', _clean_name(message[1]))
        if kind == 'define' and len(message) == 4 and message[1] in ('fail', 'error'):
            return ('define', message[1], _clean_name(message[2]))
        if kind == 'harness':
            return ('harness', 'error', str(message[1])[:300] if len(message) > 2 else 'harness')
        self.kill()
        return ('define', 'error', 'MalformedMessage')

    def kill(self):
        """Kills the process group and every orphan; returns the wait status (None when there was no process)."""
        if self.pid is None:
            return None
        self.queued_dead += runqueue_wait(self.pid)
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:  # not yet its own process group
            os.kill(self.pid, signal.SIGKILL)
        _, status, usage = os.wait4(self.pid, 0)
        self.cpu_dead += usage.ru_utime + usage.ru_stime
        for fd in (self.call_w, self.answer_r, self.pidfd):
            if fd is not None:
                os.close(fd)
        self.pid = None
        reap_all()
        return status

    def cpu_used(self):
        """CPU of every candidate process of this job so far (the program's budget counts all of them)."""
        return self.cpu_dead + (self.known_cpu if self.pid is not None else 0.0)

    # ---- tests ----

    def begin_test(self, limit, wall_slack=0.0):
        self.test_limit, self.test_checked, self.gone = limit, False, None
        self.test_base = self.known_cpu if self.pid is not None else 0.0
        self.test_wall_end = time.monotonic() + limit * WALL_FACTOR + wall_slack if limit is not None else None
        self.test_dead_cpu = self.cpu_dead

    def test_cpu(self):
        own = self.known_cpu - self.test_base if self.pid is not None else 0.0
        return max(own, 0.0) + self.cpu_dead - self.test_dead_cpu

    # ---- calls ----

    def call(self, name, args, kwargs, write_back=True):
        if self.pid is None:
            # Within a test, a dead process stays dead (the test errors); run_checked starts the next one between
            # tests.
            raise self._gone(self.gone or CandidateGone('error', 'gone'))
        try:
            request = encode_call(name, args, kwargs)
        except ValueError as e:
            raise UnserializableArgument(str(e))
        message = self.receive(request)
        kind = message[0]
        if kind == 'value' and len(message) == 4:
            value = plain_value(message[1])
            if message[2] is not None and write_back:
                self._write_back(args, plain_value(message[2]))
            return value
        if kind == 'raise' and len(message) == 4:
            raise candidate_exception(message[1], message[2])
        if kind == 'unserializable' and len(message) == 3:
            raise UnserializableResult('the candidate returned a %s: only plain data crosses to the tests' % _clean_name(message[1]))
        self.kill()  # out of step with the protocol: never read its stream again
        raise UnserializableResult('malformed answer')

    @staticmethod
    def _write_back(args, after):
        """The candidate mutated its arguments (some tests check that): the checker's own objects follow."""
        if type(after) is not list or len(after) != len(args):
            raise UnserializableResult('malformed arguments')
        for mine, theirs in zip(args, after):
            if type(mine) is list and type(theirs) is list:
                mine[:] = theirs
            elif type(mine) in (dict, set) and type(theirs) is type(mine):
                mine.clear()
                mine.update(theirs)
            elif type(mine) is bytearray and type(theirs) is bytes:
                mine[:] = theirs

    def _gone(self, gone):
        self.gone = self.gone or gone
        return gone

    def receive(self, out):
        """Writes `out`, then waits for one whole answer under the CPU and wall limits; the decoded message."""
        try:
            while True:
                if len(self.buf) >= HEADER.size:
                    n = HEADER.unpack_from(self.buf)[0]
                    if n > self.max_answer:
                        self.kill()
                        raise UnserializableResult('an answer larger than %d bytes' % self.max_answer)
                    if len(self.buf) >= HEADER.size + n and not out:
                        data = self.buf[HEADER.size:HEADER.size + n]
                        del self.buf[:HEADER.size + n]  # a bytearray drops its head without copying the rest
                        message = decode_answer(data)
                        self.known_cpu = max(self.known_cpu, _cpu_of(message))
                        self.known_at = time.monotonic()
                        return message
                wrote = False
                if out:
                    try:
                        out = out[os.write(self.call_w, out):]
                        wrote = True
                    except BlockingIOError:
                        pass
                    except BrokenPipeError:
                        out = b''
                # Right after a write the answer is not there yet: wait for it rather than try a read that fails.
                if not wrote and (not out or len(self.buf) < HEADER.size):
                    try:
                        chunk = os.read(self.answer_r, 1 << 16)
                    except BlockingIOError:
                        chunk = None
                    if chunk:
                        self.buf += chunk  # a bytearray grows in place: an answer of tens of MB costs linear time
                        continue
                    if chunk == b'':  # EOF: the process ended or closed its side
                        raise self._died()
                self._wait(out)
        except Unserializable as e:
            self.kill()
            raise UnserializableResult(e.args[0])

    def _died(self):
        status = self.kill()
        if status is not None and os.WIFSIGNALED(status):
            name = signal_name(os.WTERMSIG(status))
            limit = SIGNAL_LIMITS.get(name)
            if limit == 'cpu':
                return self._gone(CandidateGone('timeout', 'cpu'))
            return self._gone(CandidateGone('error', limit or name))
        code = os.WEXITSTATUS(status) if status is not None else -1
        return self._gone(CandidateGone('error', 'exit(%d)' % code))

    def _wait(self, out):
        """Sleeps until the answer pipe is readable (or the call pipe writable), the process exits, or a limit
        falls due; raises CandidateGone on a limit."""
        now = time.monotonic()
        if self.memory.over(now):
            self.kill()
            raise self._gone(CandidateGone('error', 'memory'))
        budget = self.job['timeout'] - self.cpu_dead  # CPU this process may still use, by the program's budget
        cpu_limit, program = budget, True
        if self.test_limit is not None and self.test_base + self.test_limit < cpu_limit:
            cpu_limit, program = self.test_base + self.test_limit, False
        wall = self.wall_deadline if self.test_wall_end is None else min(self.wall_deadline, self.test_wall_end)
        if now >= wall:  # only time spent blocked counts against the wall backstop, not time queued for a CPU
            wall += runqueue_wait(self.pid) + self.queued_dead
        wake = min(wall, self.known_at + max(cpu_limit - self.known_cpu, 0.0))
        if now >= wake:
            if now >= wall:
                self.kill()
                raise self._gone(CandidateGone('timeout', 'wall', self.test_limit, self.test_wall_end is None or self.wall_deadline <= self.test_wall_end))
            cpu = proc_cpu(self.pid)
            if cpu is not None:
                if not self.test_checked and self.test_base > cpu:  # a reported clock ahead of the kernel's
                    self.test_base = cpu
                self.test_checked = True
                self.known_cpu, self.known_at = cpu, now
                if cpu >= cpu_limit:
                    self.kill()
                    raise self._gone(CandidateGone('timeout', 'cpu', None if program else self.test_limit, program))
            wake = min(wall, now + max(cpu_limit - self.known_cpu, MIN_WAIT))
        watch = [self.answer_r] if self.pidfd is None else [self.answer_r, self.pidfd]
        readable, _, _ = select.select(watch, [self.call_w] if out else [], [], min(max(wake - now, 0.0), POLL, MEM_POLL))
        if self.pidfd is not None and self.pidfd in readable and self.answer_r not in readable:
            raise self._died()
