# Emptying a candidate's folders after it ran. The candidate chose the shape of what it left: thousands of levels of
# folders (deeper than Python's recursion limit, longer than PATH_MAX), unreadable modes, symlinks. So this walks
# with one directory fd at a time (down by name with O_NOFOLLOW, back up through '..'), never recurses, and stops
# after a bounded amount of work: then the caller replaces the whole fork-server rather than trusting the folder.
import ctypes
import os
import stat

MAX_ENTRIES = 200000  # removals before giving up (a candidate may create far more files than it should)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, 'O_CLOEXEC', 0)


class CleanupFailed(Exception):
    pass


def _first_entry(fd):
    with os.scandir(fd) as it:
        for entry in it:
            return entry.name
    return None


def _open_child(name, parent):
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent)
    except PermissionError:  # a folder the candidate made unreadable: we may own it, or be root
        os.chmod(name, 0o700, dir_fd=parent)  # a folder (lstat-ed), and nothing runs that could swap it
        return os.open(name, _DIR_FLAGS, dir_fd=parent)


def empty_dir(path, budget=MAX_ENTRIES):
    """Removes everything inside `path` (which stays). Raises CleanupFailed when it cannot."""
    try:
        fd = os.open(path, _DIR_FLAGS)
    except FileNotFoundError:
        return
    except OSError as e:
        raise CleanupFailed('%s: %s' % (type(e).__name__, e.strerror))
    names = []  # the path from `path` down to fd, as names
    allowed = budget
    try:
        while True:
            name = _first_entry(fd)
            if name is None:
                if not names:
                    return
                parent = os.open('..', _DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = parent
                os.rmdir(names.pop(), dir_fd=fd)
                budget -= 1
                continue
            budget -= 1
            if budget < 0:
                raise CleanupFailed('more than %d entries left behind' % allowed)
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                child = _open_child(name, fd)
                os.close(fd)
                fd = child
                names.append(name)
            else:
                os.unlink(name, dir_fd=fd)
    except CleanupFailed:
        raise
    except OSError as e:
        raise CleanupFailed('%s: %s' % (type(e).__name__, e.strerror))
    finally:
        os.close(fd)


def remove_entry(parent, name, budget=MAX_ENTRIES):
    """Removes `parent/name`, a file or a whole folder. Raises CleanupFailed when it cannot."""
    path = os.path.join(parent, name)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as e:
        raise CleanupFailed('%s: %s' % (type(e).__name__, e.strerror))
    try:
        if stat.S_ISDIR(st.st_mode):
            os.chmod(path, 0o700)
            empty_dir(path, budget)
            os.rmdir(path)
        else:
            os.unlink(path)
    except OSError as e:
        raise CleanupFailed('%s: %s' % (type(e).__name__, e.strerror))


_libc = ctypes.CDLL(None, use_errno=True)
IPC_RMID = 0
# /proc/sysvipc/<kind>: the id column, the owner's and the creator's uid columns (after the header line).
_IPC = (('shm', 1, (7, 9), lambda i: _libc.shmctl(i, IPC_RMID, None)),
        ('msg', 1, (7, 9), lambda i: _libc.msgctl(i, IPC_RMID, None)),
        ('sem', 1, (4, 6), lambda i: _libc.semctl(i, 0, IPC_RMID)))


def remove_ipc_objects(uid):
    """Removes the System V shared memory, message queues and semaphores that `uid` owns, so that nothing one
    candidate left there reaches the next one. Removed as their owner (seteuid), so no extra capability is needed."""
    found = []
    for kind, id_col, uid_cols, remove in _IPC:
        try:
            with open('/proc/sysvipc/' + kind) as f:
                rows = f.read().split('\n')[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > max(uid_cols) and str(uid) in (cols[uid_cols[0]], cols[uid_cols[1]]):
                found.append((remove, int(cols[id_col])))
    if not found:
        return 0
    me = os.geteuid()
    if uid != me:
        os.seteuid(uid)
    try:
        for remove, ident in found:
            remove(ident)
    finally:
        if uid != me:
            os.seteuid(me)
    return len(found)
