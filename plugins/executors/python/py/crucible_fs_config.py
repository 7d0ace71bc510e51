# The fork-server's settings (from its init argument) and the facts every part shares.
import ctypes
import json
import os
import sys

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
PROBLEM_SLOTS = int(INIT['problemSlots'])
GUARD_COMPARISONS = bool(INIT.get('guardComparisons', True))  # see crucible_fs_guard.py  # fork-server.ts keeps the same number, mirroring the server's list


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

IO_DIR = os.path.join(WORK_ROOT, 'io')
WORK_DIR = os.path.join(WORK_ROOT, 'w')
NULL_FD = os.open(os.devnull, os.O_RDWR)
