# A HumanEval+/MBPP+ problem's inputs or expected values as the fork-server holds them: each value marshalled on its
# own, all in one buffer, decoded when a check needs it. (When candidate processes were forks of the server, each had
# to empty every object the server held before candidate code ran; emptying a list frees each value, a page copy per
# value's reference count: 0.4 s of CPU per process for HumanEval/130's ten million floats. They now start from the
# zygote, crucible_fs_zygote.py, and hold none of it; one buffer also keeps the server's own table small.)
import marshal
import struct

_SPAN = struct.Struct('<qq')


class Packed:
    __slots__ = ('buf', 'ends', 'n')

    def __init__(self, values):
        parts = [marshal.dumps(v, 4) for v in values]
        ends, at = [0], 0
        for p in parts:
            at += len(p)
            ends.append(at)
        self.buf = bytearray().join(parts)
        self.ends = bytearray(struct.pack('<%dq' % len(ends), *ends))  # value k is buf[ends[k]:ends[k + 1]]
        self.n = len(parts)

    def __len__(self):
        return self.n

    def size(self, k):
        """Bytes of value k's marshal form."""
        start, end = _SPAN.unpack_from(self.ends, 8 * k)
        return end - start

    def __getitem__(self, k):
        if not 0 <= k < self.n:
            raise IndexError(k)
        start, end = _SPAN.unpack_from(self.ends, 8 * k)
        return marshal.loads(self.buf[start:end])  # a fresh copy: no check shares another's

    def clear(self):
        """Frees both buffers (in a candidate's process: forgets them)."""
        self.buf.clear()
        self.ends.clear()
        self.n = 0
