# Turning a freshly forked child into a candidate's process: own session, only the given fds (placed at 0..n-1),
# the private working folder, the unprivileged uid, and the resource limits. Shared by both ways of running tests
# (crucible_fs_candidate.py, crucible_fs_child.py); small on purpose so other executors can reuse it.
import os
import resource
import signal

from crucible_fs_config import DROP_UID, LIMITS, PR_SET_PDEATHSIG, SANDBOXED, WORK_DIR, libc

PARK = 200  # fds are parked this high first, so that none is clobbered while they are placed at 0..n-1


def enter_candidate_process(fds, cpu_seconds):
    """Runs in the forked child, before any candidate code. `fds` become 0..len(fds)-1; every other fd is closed."""
    server = os.getppid()
    os.setsid()  # own process group: the server kills the whole group
    signal.signal(signal.SIGPROF, signal.SIG_DFL)  # the checker's own timer handler is not the candidate's
    for i, fd in enumerate(fds):
        os.dup2(fd, PARK + i)
    for i in range(len(fds)):
        os.dup2(PARK + i, i)
    os.closerange(len(fds), 1 << 16)
    os.chdir(WORK_DIR)
    drop_privileges()
    if not SANDBOXED:  # in the sandbox, the pid namespace dies with the server; the call costs ~0.2 ms
        # After the uid change, which clears the parent-death signal; the server may have died in between.
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != server:
            os._exit(71)
    set_limits(cpu_seconds)


def drop_privileges():
    if DROP_UID is not None:
        os.setgroups([])
        os.setgid(DROP_UID)
        os.setuid(DROP_UID)


def set_limits(cpu_seconds):
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
    cpu = int(cpu_seconds) + 2  # a backstop: the server normally stops the child before this
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
