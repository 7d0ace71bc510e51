"""Python values as source literals that evaluate back to an equal value (repr, plus inf/nan/complex/sets)."""
import math


class Unrepresentable(Exception):
    pass


def _float(x):
    if math.isnan(x):
        return "float('nan')"
    if math.isinf(x):
        return "float('inf')" if x > 0 else "float('-inf')"
    return repr(x)


def to_source(value, depth=0):
    if depth > 200:
        raise Unrepresentable("nested too deeply")
    t = type(value)
    if value is None or t in (bool, int, str, bytes):
        return repr(value)
    if t is float:
        return _float(value)
    if t is complex:
        return "complex(%s, %s)" % (_float(value.real), _float(value.imag))
    if t is list:
        return "[" + ", ".join(to_source(v, depth + 1) for v in value) + "]"
    if t is tuple:
        inner = ", ".join(to_source(v, depth + 1) for v in value)
        return "(" + inner + ("," if len(value) == 1 else "") + ")"
    if t in (set, frozenset):
        items = sorted((to_source(v, depth + 1) for v in value))
        body = "{" + ", ".join(items) + "}" if items else "set()"
        return body if t is set else "frozenset(%s)" % (body if items else "")
    if isinstance(value, dict):  # Counter, OrderedDict, defaultdict compare equal to the plain dict
        return "{" + ", ".join("%s: %s" % (to_source(k, depth + 1), to_source(v, depth + 1)) for k, v in value.items()) + "}"
    raise Unrepresentable("a value of type %s" % t.__name__)
