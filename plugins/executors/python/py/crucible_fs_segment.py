# The server's side of one fork ("segment"): wait for the child under the CPU and wall limits, read its reports,
# kill its process group and every orphan it left.
import fcntl
import os
import select
import signal
import time

from crucible_fs_child import child_main
from crucible_fs_config import GROUP_MEMORY_MB, MEM_POLL, MIN_WAIT, OUTCOMES, POLL, TICKS, WALL_FACTOR


KEEP = set()  # the server's own helper processes (the zygote): never a candidate's, never killed or weighed here


def proc_cpu(pid):
    """CPU seconds of a live child (all its threads), from /proc."""
    try:
        with open('/proc/%d/stat' % pid, 'rb') as f:
            fields = f.read().rsplit(b')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return None


def runqueue_wait(pid):
    """Seconds `pid` has spent runnable but waiting for a CPU (/proc/<pid>/schedstat): the wall-clock backstop is
    for programs that block, so time a loaded machine kept a busy program waiting does not count against it."""
    try:
        with open('/proc/%d/schedstat' % pid, 'rb') as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


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


_PAGE = os.sysconf('SC_PAGE_SIZE')


def _children(pid):
    """Direct children of `pid` (all its threads), from /proc: one small read per process of the candidate's tree,
    rather than a scan of every process on the machine."""
    found = []
    try:
        tasks = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return found
    for tid in tasks:
        try:
            with open('/proc/%d/task/%s/children' % (pid, tid), 'rb') as f:
                found.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            pass
    return found


def group_rss_mb():
    """Resident memory of every process below this server (the running candidate, whatever it forked, and orphans
    re-parented to us), in MiB. Without a cgroup, this is how the candidate's processes are held to one memory limit
    together: each of them also has the address-space limit, and the uid's process cap bounds how many there are."""
    pages, frontier, seen = 0, [p for p in _children(os.getpid()) if p not in KEEP], set()
    while frontier:
        pid = frontier.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open('/proc/%d/statm' % pid, 'rb') as f:
                pages += int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        frontier.extend(_children(pid))
    return pages * _PAGE / (1 << 20)


class MemoryWatch:
    """Checks the group's memory at most every MEM_POLL seconds of a wait (fast candidates never pay for it)."""

    def __init__(self):
        self.next_check = time.monotonic() + MEM_POLL

    def over(self, now):
        if now < self.next_check or not GROUP_MEMORY_MB:
            return False
        self.next_check = now + MEM_POLL
        return group_rss_mb() > GROUP_MEMORY_MB


def reap_all():
    """Kill and reap every remaining descendant but the helpers (KEEP); returns once none is left."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            KEEP.discard(pid)  # a helper that ended: its owner sees that it is gone
            continue
        # Every remaining descendant is a child of ours or below one (orphans come back to us): with no child but the
        # helpers, which have none of their own, nothing is left, and /proc need not be scanned.
        if all(p in KEEP for p in _children(os.getpid())):
            return
        for p in descendants() - KEEP:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        try:
            KEEP.discard(os.waitpid(-1, 0)[0])
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


KINDS = ('syntax', 'define', 'setup', 'harness', 'ready', 'test', 'done')


def parse_report(line, n_tests):
    """One report line of the child (crucible_fs_child.report) as a dict; None for anything malformed."""
    parts = line.split(b' ')
    if len(parts) != 8:
        return None
    try:
        kind, o, t = parts[0].decode(), parts[2].decode(), parts[3].decode('utf-8', 'replace')
        ev = {'k': kind, 'i': int(parts[1]), 'o': o, 't': None if t == '-' else t,
              'ms': float(parts[4]), 'cpu': float(parts[5]), 'c': float(parts[6]), 'w': float(parts[7])}
    except (ValueError, UnicodeDecodeError):
        return None
    if kind not in KINDS:
        return None
    if kind == 'test' and not (0 <= ev['i'] < n_tests and o in OUTCOMES):
        return None
    if kind in ('syntax', 'define', 'setup', 'harness') and ev['t'] is None:
        return None
    return ev


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
    memory = MemoryWatch()
    while True:
        chunk, eof = drain(rfd)
        buf += chunk
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            ev = parse_report(line, len(test_limits))
            if ev is None:
                continue  # the candidate wrote garbage on our channel; ignore it
            kind, cpu, wall = ev['k'], ev['c'], ev['w']
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
        if memory.over(now):
            end = ('died', 'memory')
            break
        cpu_limit, wall_limit = cpu_budget, wall_deadline
        if in_test and current < len(test_limits):
            cpu_limit = min(cpu_limit, phase_cpu + test_limits[current])
            wall_limit = min(wall_limit, phase_wall + test_limits[current] * WALL_FACTOR)
        if now >= wall_limit:  # only time spent blocked counts against the wall backstop, not time queued for a CPU
            wall_limit += runqueue_wait(pid)
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
        ready, _, _ = select.select(watch, [], [], min(max(wake - now, 0.0), POLL, MEM_POLL))
        exited = pidfd is not None and pidfd in ready
    queued = runqueue_wait(pid)
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
    return events, end, usage.ru_utime + usage.ru_stime, queued


