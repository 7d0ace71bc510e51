# The zygote: candidate processes (checker mode) start from a small process that the fork-server forks once, before
# it reads its first job line, and that never reads one. Forked from the checker instead, a candidate's process would
# begin with a copy of everything the checker holds (tests, expected outputs, the canonical solution a job line
# carries) and would have to be made to forget it, a copy-on-write page fault for every page it emptied: most of what
# the checker cost per candidate. Started from the zygote, it never had any of it.
#
# The zygote uses clone(CLONE_PARENT): each candidate process is the fork-server's own child, so the checker waits
# for it, reads its CPU time and kills it exactly as before. The raw system call also skips what os.fork() does for
# a child of a process that may have other threads (re-creating interpreter locks, at-fork hooks): the zygote has no
# other thread, and those steps cost ~130 page faults per process. The checker sends the zygote the candidate's four
# fds (SCM_RIGHTS) and its CPU budget; the zygote answers with the new pid. The candidate reads its code from its
# call pipe (crucible_fs_candidate.py).
import ctypes
import gc
import os
import signal
import struct

import _socket

from crucible_fs_candidate import candidate_main
from crucible_fs_config import NULL_FD, PR_SET_PDEATHSIG, libc
from crucible_fs_segment import KEEP

CLONE_PARENT = 0x8000
_CLONE_CALL = {'x86_64': 56, 'aarch64': 220}.get(os.uname().machine)  # clone's system call number
_REQUEST = struct.Struct('<d')  # the candidate's CPU budget (its RLIMIT_CPU backstop)
_ANSWER = struct.Struct('<q')  # the new pid, or -errno
_FDS = 4  # calls in, answers out, stdout, stderr
_FD = struct.Struct('<i')


class ZygoteGone(Exception):
    """The zygote cannot start candidates any more (it died, or this machine has no clone call we know)."""


class Unstarted(BaseException):
    """The zygote was gone before this job's first candidate process: no candidate code ran, so the job is answered
    as not started (Node runs it on a fresh server) rather than charged to the candidate. A BaseException, so that
    nothing between the spawn and the server's loop takes it for the candidate's own error."""


class Zygote:
    """The fork-server's handle on its zygote."""

    def __init__(self):
        if _CLONE_CALL is None:
            raise ZygoteGone('no clone(CLONE_PARENT) for %s' % os.uname().machine)
        mine, theirs = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
        server = os.getpid()
        pid = os.fork()
        if pid == 0:
            try:
                mine.close()
                _serve(theirs, server)
            finally:
                os._exit(0)
        theirs.close()
        self.pid, self.sock = pid, mine
        KEEP.add(pid)  # never a candidate's process: reap_all() and the memory watch leave it alone

    def alive(self):
        """Whether the zygote still runs. Asks the kernel (a zygote killed between jobs is a zombie nobody reaped yet):
        a dead one is reaped here and never asked again."""
        if self.pid not in KEEP:
            return False
        try:
            done = os.waitpid(self.pid, os.WNOHANG)[0]
        except ChildProcessError:  # reaped elsewhere
            done = self.pid
        if done:
            KEEP.discard(self.pid)
            return False
        return True

    def spawn(self, fds, cpu_seconds):
        """Starts a candidate process with these fds; its pid (a child of this process)."""
        if not self.alive():
            raise ZygoteGone('the zygote has ended')
        try:
            self.sock.sendmsg([_REQUEST.pack(cpu_seconds)],
                              [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, b''.join(_FD.pack(fd) for fd in fds))])
            answer = self.sock.recv(_ANSWER.size)
        except OSError as e:
            answer = b''
            reason = str(e)
        else:
            reason = 'the zygote has ended'
        if len(answer) != _ANSWER.size:
            self.stop()
            raise ZygoteGone(reason)
        pid = _ANSWER.unpack(answer)[0]
        if pid <= 0:
            raise OSError(-pid, 'clone: %s' % os.strerror(-pid))
        return pid

    def stop(self):
        if self.pid in KEEP:
            KEEP.discard(self.pid)
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass


def _serve(sock, server):
    """The zygote's loop: one candidate process per request, until the fork-server goes away."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != server:
        os._exit(0)
    keep = {0, 1, 2, NULL_FD, sock.fileno()}
    for name in os.listdir('/proc/self/fd'):  # the protocol pipes stay the fork-server's alone
        if int(name) not in keep:
            try:
                os.close(int(name))
            except OSError:
                pass
    clone = ctypes.PyDLL(None, use_errno=True).syscall  # PyDLL: the interpreter lock stays held across the call
    clone.restype = ctypes.c_long
    flags = CLONE_PARENT | signal.SIGCHLD
    gc.collect()
    gc.freeze()  # a candidate's collections never walk (and copy) the zygote's objects
    libc.malloc_trim(0)  # free heap pages back to the system: fewer pages to map into every candidate process
    room = _socket.CMSG_SPACE(_FDS * _FD.size)
    while True:
        msg, ancillary, mflags, _ = sock.recvmsg(_REQUEST.size, room)
        fds = []
        for level, kind, data in ancillary:
            if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                fds.extend(fd for (fd,) in _FD.iter_unpack(data[:len(data) - len(data) % _FD.size]))
        if not msg:
            os._exit(0)
        if len(msg) != _REQUEST.size or len(fds) != _FDS or mflags & _socket.MSG_CTRUNC:
            pid = -22  # EINVAL: the fork-server's bug, reported to it
        else:
            pid = clone(_CLONE_CALL, flags, 0, 0, 0, 0)
            if pid == 0:
                try:
                    candidate_main(fds[0], fds[1], fds[2], fds[3], _REQUEST.unpack(msg)[0])
                finally:
                    os._exit(72)
            if pid < 0:
                pid = -(ctypes.get_errno() or 11)
        for fd in fds:
            os.close(fd)
        sock.send(_ANSWER.pack(pid))


ZYGOTE = [None]  # the fork-server's Zygote, started by fork_server.main()


def start():
    ZYGOTE[0] = Zygote()


def zygote():
    if ZYGOTE[0] is None:
        raise ZygoteGone('no zygote was started')
    return ZYGOTE[0]
