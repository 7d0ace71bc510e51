# The unprivileged uid candidates run as, when the server runs as root. The uid must still be able to read the
# interpreter: a pyenv or conda Python under a 0700 home (/root) is not, and keeping root for candidates would be
# worse than refusing. Without bubblewrap the server then gives itself a private mount namespace in which the
# folders it needs are reachable again (a 0755 tmpfs over the closed ancestor, the needed folders bound back in):
# the host is unchanged and the rest of that home stays invisible to candidates.
import ctypes
import os
import sys

CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
_libc = ctypes.CDLL(None, use_errno=True)


def can_read_as(uid, paths):
    """Whether a process running as `uid` can list every folder in `paths` (tested in a forked child)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            for path in paths:
                os.listdir(path)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def needed_paths(extra=()):
    """Folders a candidate's interpreter reads: the standard library, the prefixes, the executable's folder."""
    stdlib = os.path.dirname(os.__file__)
    found = [stdlib, sys.base_prefix, sys.base_exec_prefix, os.path.dirname(os.path.realpath(sys.executable))]
    found += [p for p in extra if p]
    paths = sorted({os.path.realpath(p) for p in found if os.path.isdir(p)})
    return [p for p in paths if not any(p != q and p.startswith(q.rstrip('/') + '/') for q in paths)]


def _closed_ancestor(path):
    """The topmost folder on the way to `path` that others cannot search, or None."""
    parts = path.strip('/').split('/')
    for i in range(1, len(parts) + 1):
        folder = '/' + '/'.join(parts[:i])
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def _mount(source, target, fstype, flags, data):
    if _libc.mount(source, target, fstype, flags, data) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, 'mount %s: %s' % (target.decode(), os.strerror(errno)))


def reopen_closed_folders(paths):
    """In a private mount namespace, makes `paths` reachable through their closed ancestors. Root only."""
    closed = {}
    for path in paths:
        ancestor = _closed_ancestor(path)
        if ancestor is not None and ancestor != path:
            closed.setdefault(ancestor, []).append(path)
    if not closed:
        return
    if _libc.unshare(CLONE_NEWNS) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, 'unshare(CLONE_NEWNS): %s' % os.strerror(errno))
    _mount(b'none', b'/', None, MS_REC | MS_PRIVATE, None)
    for ancestor, inside in closed.items():
        held = [(p, os.open(p, os.O_PATH | os.O_DIRECTORY)) for p in inside]
        _mount(b'tmpfs', ancestor.encode(), b'tmpfs', MS_NOSUID | MS_NODEV, b'mode=0755,size=1m')
        for path, fd in held:
            os.makedirs(path, 0o755, exist_ok=True)
            _mount(('/proc/self/fd/%d' % fd).encode(), path.encode(), None, MS_BIND | MS_REC, None)
            os.close(fd)


def candidate_uid(uid, sandboxed, extra_paths=()):
    """(uid to drop to, None) or (None, why root could not be dropped). Call as root only."""
    paths = needed_paths(extra_paths)
    if can_read_as(uid, paths):
        return uid, None
    if not sandboxed:
        try:
            reopen_closed_folders(paths)
        except OSError as e:
            return None, 'the interpreter\'s folders are not readable by an unprivileged uid and %s' % e
        if can_read_as(uid, paths):
            return uid, None
    return None, 'uid %d cannot read the interpreter\'s folders (%s)' % (uid, ', '.join(paths))
