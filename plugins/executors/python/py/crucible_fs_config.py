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
MEM_POLL = 0.1  # a running candidate's processes are weighed together this often
TICKS = os.sysconf('SC_CLK_TCK')
libc = ctypes.CDLL(None, use_errno=True)

INIT = json.loads(sys.argv[1])
WORK_ROOT = INIT['workRoot']
SANDBOXED = WIPE_TMP = bool(INIT.get('wipeTmp'))
STDERR_BYTES = int(INIT.get('stderrBytes', 2000))
LIMITS = INIT['limits']
GROUP_MEMORY_MB = int(LIMITS.get('memoryMb') or 0)  # all of a candidate's processes together (crucible_fs_segment)
MAX_LEFTOVERS = int(INIT.get('maxLeftoverEntries', 100000))  # entries a candidate may leave before its server is replaced
PROBLEM_SLOTS = int(INIT['problemSlots'])
GUARD_COMPARISONS = bool(INIT.get('guardComparisons', True))  # see crucible_fs_guard.py  # fork-server.ts keeps the same number, mirroring the server's list


DROP_UID = None
UID_PROBLEM = None  # why candidates could not be given their own uid (the executor refuses to run them as root)
if INIT.get('uid') is not None and os.geteuid() == 0:
    from crucible_fs_uid import candidate_uid
    DROP_UID, UID_PROBLEM = candidate_uid(int(INIT['uid']), SANDBOXED, (os.path.dirname(os.path.abspath(__file__)),))

IO_DIR = os.path.join(WORK_ROOT, 'io')
WORK_DIR = os.path.join(WORK_ROOT, 'w')
NULL_FD = os.open(os.devnull, os.O_RDWR)
