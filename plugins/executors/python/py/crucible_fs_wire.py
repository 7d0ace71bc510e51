# The plain-data codec between the trusted checker and the candidate's process.
#
# Calls go checker -> candidate as marshal (the checker's own, trusted values; the candidate may read them as it
# likes). Answers go candidate -> checker as JSON whose containers are tagged arrays, read by a strict decoder
# that builds nothing but None, bool, int, float (nan/inf too), complex, str, bytes, list, tuple, dict, set,
# frozenset, range and a materialized iterator. The candidate controls every byte it writes: nothing here trusts
# it, so the worst an answer can do is fail to decode (UnserializableResult) or be a wrong value.
import json
import marshal
import struct

HEADER = struct.Struct('<I')  # every message: its length, then its bytes
MAX_DEPTH = 100  # nesting a result may have (deeper is reported, never a crash of the checker)
MAX_ITEMS = 1 << 20  # elements an iterator result is materialized to

_SCALARS = (type(None), bool, int, float, str)
_BIG = 1 << 64  # integers beyond this travel as hex: int <-> decimal text is quadratic in CPython (HumanEval/83, /139)
_encode_json = json.JSONEncoder(ensure_ascii=False, check_circular=False, allow_nan=True, separators=(',', ':')).encode
_decode_json = json.JSONDecoder().decode


class Unserializable(Exception):
    """A value that is not plain data; args[0] is its type name."""


# ---- candidate side: any value -> tagged structure (fidelity for honest programs; it guards nothing) ----

def _tag(v, depth):
    t = type(v)
    if t in _SCALARS:
        if t is int and not -_BIG < v < _BIG:
            return ['X', format(v, 'x')]
        return v
    if depth > MAX_DEPTH:
        raise Unserializable('nesting deeper than %d' % MAX_DEPTH)
    d = depth + 1
    if t is list or t is tuple:
        return ['L' if t is list else 'T'] + [_tag(x, d) for x in v]
    if t is dict:
        out = ['D']
        for k, x in v.items():
            out.append(_tag(k, d))
            out.append(_tag(x, d))
        return out
    if t is set or t is frozenset:
        return ['S' if t is set else 'F'] + [_tag(x, d) for x in v]
    if t is bytes or t is bytearray:
        return ['B', bytes(v).decode('latin-1')]
    if t is complex:
        return ['C', v.real, v.imag]
    if t is range:
        return ['R', v.start, v.stop, v.step]
    # Subclasses of builtin types (IntEnum, namedtuple, Counter, OrderedDict, defaultdict...) travel as their base
    # value: the checker compares them with its own builtin methods.
    for base, tag in ((bool, None), (int, None), (float, None), (str, None), (list, 'L'), (tuple, 'T'), (dict, 'D'),
                      (set, 'S'), (frozenset, 'F'), (bytes, 'B')):
        if isinstance(v, base):
            if tag is None:
                return _tag(base(v), depth)
            return _tag(base(v) if base is not dict else dict(v.items()), depth)
    if t.__name__ == 'Match' and t.__module__ == 're':  # regex answers: tested by truth, group and span
        return ['M', _tag(v.group(0), d), list(v.span()), [_tag(g, d) for g in v.groups()]]
    if hasattr(t, '__next__') or t.__name__ in ('dict_keys', 'dict_values', 'dict_items'):
        items = []
        for x in v:
            items.append(_tag(x, d))
            if len(items) > MAX_ITEMS:
                raise Unserializable('an iterator longer than %d' % MAX_ITEMS)
        return ['I'] + items
    raise Unserializable(t.__name__)


def encode_answer(message):
    """A candidate-side message (a list whose values are already tagged) as bytes."""
    data = _encode_json(message).encode('utf-8', 'surrogatepass')
    return HEADER.pack(len(data)) + data


def tag_value(value):
    return _tag(value, 0)


# ---- checker side: bytes from the candidate -> plain values, or Unserializable ----

def _plain(x, depth):
    t = type(x)
    if t is not list:
        if t in _SCALARS:
            return x
        raise Unserializable('a JSON object')
    if depth > MAX_DEPTH or not x or type(x[0]) is not str:
        raise Unserializable('malformed value')
    tag, d = x[0], depth + 1
    if tag == 'L':
        return [_plain(e, d) for e in x[1:]]
    if tag == 'T':
        return tuple([_plain(e, d) for e in x[1:]])
    if tag == 'S' or tag == 'F':
        items = [_plain(e, d) for e in x[1:]]
        try:
            return set(items) if tag == 'S' else frozenset(items)
        except TypeError:
            raise Unserializable('an unhashable set element')
    if tag == 'D':
        if len(x) % 2 != 1:
            raise Unserializable('malformed dict')
        out = {}
        try:
            for i in range(1, len(x), 2):
                out[_plain(x[i], d)] = _plain(x[i + 1], d)
        except TypeError:
            raise Unserializable('an unhashable dict key')
        return out
    if tag == 'B' and len(x) == 2 and type(x[1]) is str:
        try:
            return x[1].encode('latin-1')
        except UnicodeEncodeError:
            raise Unserializable('malformed bytes')
    if tag == 'X' and len(x) == 2 and type(x[1]) is str and x[1]:
        try:
            return int(x[1], 16)
        except ValueError:
            raise Unserializable('malformed integer')
    if tag == 'C' and len(x) == 3 and all(type(p) in (int, float) for p in x[1:]):
        return complex(x[1], x[2])
    if tag == 'R' and len(x) == 4 and all(type(p) is int for p in x[1:]) and x[3] != 0:
        return range(x[1], x[2], x[3])
    if tag == 'I':
        return iter([_plain(e, d) for e in x[1:]])
    if tag == 'M' and len(x) == 4 and type(x[2]) is list and len(x[2]) == 2 and all(type(p) is int for p in x[2]) \
            and type(x[3]) is list:
        group = _plain(x[1], d)
        groups = tuple(_plain(g, d) for g in x[3])
        if type(group) is str and all(g is None or type(g) is str for g in groups):
            return MatchResult(group, tuple(x[2]), groups)
    raise Unserializable('malformed value')


class MatchResult:
    """A regex match returned by the candidate, rebuilt from plain data: true, with group(0), groups(), span(),
    start(), end(). It compares equal only to itself, like a real match."""
    __slots__ = ('_group', '_span', '_groups')

    def __init__(self, group, span, groups):
        self._group, self._span, self._groups = group, span, groups

    def group(self, index=0):
        return self._group if index == 0 else self._groups[index - 1]

    def groups(self):
        return self._groups

    def span(self):
        return self._span

    def start(self):
        return self._span[0]

    def end(self):
        return self._span[1]

    def __repr__(self):
        return '<re.Match object; span=%r, match=%r>' % (self._span, self._group)


def decode_answer(data):
    """A message from the candidate: a JSON array whose first element is its kind (a str). Raises Unserializable."""
    try:
        message = _decode_json(data.decode('utf-8', 'surrogatepass'))
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise Unserializable('malformed message')
    if type(message) is not list or not message or type(message[0]) is not str:
        raise Unserializable('malformed message')
    return message


def plain_value(tagged):
    try:
        return _plain(tagged, 0)
    except RecursionError:
        raise Unserializable('nesting too deep')


# ---- calls: checker -> candidate ----

def encode_call(name, args, kwargs):
    """marshal version 2 (no back-references): equal values give equal bytes, which lets the candidate tell
    whether it mutated its arguments. Raises ValueError for an argument that is not plain data."""
    data = marshal.dumps((name, args, kwargs), 2)
    return HEADER.pack(len(data)) + data


def decode_call(data):
    return marshal.loads(data)


def args_bytes(args):
    return marshal.dumps(args, 2)
