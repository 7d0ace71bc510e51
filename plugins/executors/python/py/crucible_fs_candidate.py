# The candidate's process under the checker, started from the zygote (crucible_fs_zygote.py): it defines the
# candidate, then answers calls. It holds no test, no expected value and no report channel: fd 3 brings its code,
# then calls, from the checker; fd 4 takes answers back, and nothing written there is more than a return value
# (crucible_fs_wire.py). Never returns to the zygote's code.
import builtins
import marshal
import os
import sys
import time

from crucible_fs_child import HARNESS_MODULES, print_error
from crucible_fs_config import NULL_FD
from crucible_fs_isolate import enter_candidate_process
from crucible_fs_wire import HEADER, Unserializable, args_bytes, decode_call, encode_answer, tag_value

CALLS, ANSWERS = 3, 4
_write, _read, _cpu = os.write, os.read, time.process_time
_MUTABLE = (list, dict, set, bytearray)


def candidate_main(call_fd, answer_fd, out_fd, err_fd, cpu_seconds):
    try:
        enter_candidate_process((NULL_FD, out_fd, err_fd, call_fd, answer_fd), cpu_seconds)
    except BaseException as e:
        try:
            answer(['harness', type(e).__name__ + ':' + str(e)])
        finally:
            os._exit(70)
    try:
        data = next_message()  # the first message: the candidate's source and the checker's compilation
        if data:
            source, code = decode_call(data)
            serve(source, code)
    finally:
        os._exit(0)


def code_message(source, code):
    """The checker's first message to a candidate process: its source, and its code object when the checker compiled
    it (None: the candidate's process compiles it)."""
    data = marshal.dumps((source, code))
    return HEADER.pack(len(data)) + data


def answer(message):
    data = encode_answer(message + [_cpu()])
    while data:
        data = data[_write(ANSWERS, data):]


def read_exact(n):
    parts = []
    while n:
        chunk = _read(CALLS, n)
        if not chunk:
            return None
        parts.append(chunk)
        n -= len(chunk)
    return b''.join(parts)


_unread = [b'']  # bytes read past the last message (the checker may write calls ahead)


def next_message():
    """The next message's bytes, or None at EOF. A small message takes one read."""
    buf = _unread[0]
    while len(buf) < HEADER.size:
        chunk = _read(CALLS, 1 << 16)
        if not chunk:
            return None
        buf += chunk
    end = HEADER.size + HEADER.unpack_from(buf)[0]
    if len(buf) < end:
        rest = read_exact(end - len(buf))
        if rest is None:
            return None
        buf += rest
    _unread[0] = buf[end:]
    return buf[HEADER.size:end]


def flush_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def serve(source, code):
    for name in HARNESS_MODULES:
        sys.modules.pop(name, None)
    sources = {'<candidate>': source}
    if code is None:  # too large for the server to compile
        try:
            code = compile(source, '<candidate>', 'exec', dont_inherit=True)
        except BaseException as e:
            answer(['syntax', type(e).__name__])
            return
    ns = {'__name__': 'candidate', '__builtins__': builtins}
    try:
        exec(code, ns)
    except BaseException as e:
        outcome = 'fail' if isinstance(e, AssertionError) else 'error'
        if outcome == 'error':
            print_error(e, sources)
        flush_output()
        answer(['define', outcome, type(e).__name__])
        return
    answer(['ready'])
    while True:
        data = next_message()
        if data is None:
            return
        name, args, kwargs = decode_call(data)
        watch = any(type(a) in _MUTABLE for a in args)
        before = args_bytes(args) if watch else None
        try:
            if name not in ns:
                raise NameError('name %r is not defined' % name)
            value = ns[name](*args, **kwargs)
        except BaseException as e:
            print_error(e, sources)
            flush_output()
            try:
                message = str(e)[:300]
            except BaseException:
                message = ''
            answer(['raise', type(e).__name__, message])
            continue
        try:
            after = None
            if watch:
                after_bytes = args_bytes(args)
                if after_bytes != before:
                    after = tag_value(list(args))
            answer(['value', tag_value(value), after])
        except (Unserializable, ValueError) as e:
            answer(['unserializable', e.args[0] if isinstance(e, Unserializable) else type(value).__name__])
        except RecursionError:
            answer(['unserializable', 'nesting too deep'])
