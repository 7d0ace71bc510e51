# HumanEval+/MBPP+ output checks, in the trusted checker, following evalplus's documented rules (written for crucible):
#   - exact: `out == expected` on plain values (so 1 == 1.0 passes, 1.0000001 against an int 1 does not);
#   - special oracles of a few problems (a root of HumanEval/32's polynomial, MBPP's set-equal, not-None and
#     alternative-answer problems), with the checker's own helpers, never the candidate's;
#   - tolerance only when not exact and the problem gives an atol, or the expected value is a float or a non-empty
#     list/tuple of floats (then atol 1e-6): same type, same length, and every element within atol + 1e-7 * |expected|
#     as numpy's allclose does (regular nested numbers only; NaN never matches; infinities match themselves).
# Differences, on purpose: the tolerance decision is made per input (evalplus keeps a raised atol for the inputs after
# it), and oracles see the input as the dataset gives it (a candidate that mutates its argument cannot move the root).
import math

_INT64 = 1 << 63


def _poly_at(coefficients, x):
    """HumanEval/32's polynomial at x, summed term by term in the reference's order with math.pow."""
    total = 0
    for power, c in enumerate(coefficients):
        total = total + c * math.pow(x, power)
    return total


def _pyramid_area(base_edge, height):
    """Mbpp/581: surface of a square pyramid whose height is the apex's distance from the base, rounded."""
    slant = math.sqrt((base_edge / 2) ** 2 + height ** 2)
    return round(base_edge ** 2 + 4 * (base_edge * slant) / 2)


def _digit_distance(a, b):
    """Mbpp/558: digits compared place by place after padding the shorter number with leading zeros."""
    sa, sb = str(a), str(b)
    width = max(len(sa), len(sb))
    return sum(abs(int(x) - int(y)) for x, y in zip(sa.zfill(width), sb.zfill(width)))


def _is_floats(x):
    if type(x) is float:
        return True
    if isinstance(x, (list, tuple)) and x:
        return all(type(v) is float for v in x)
    return False


def _numeric(v):
    t = type(v)
    if t is bool or t is float or t is complex:
        return True
    return t is int and -_INT64 <= v < _INT64


def _array(v, depth=0):
    """(shape, flat values) of a regular nested list/tuple of numbers, or None (numpy would not compare it)."""
    if _numeric(v):
        return (), [v]
    if not isinstance(v, (list, tuple)) or depth > 32:
        return None
    if not v:
        return (0,), []
    parts = [_array(x, depth + 1) for x in v]
    if any(p is None for p in parts) or any(p[0] != parts[0][0] for p in parts):
        return None
    flat = []
    for p in parts:
        flat.extend(p[1])
    return (len(v),) + parts[0][0], flat


def _broadcast(sa, sb):
    n = max(len(sa), len(sb))
    a = (1,) * (n - len(sa)) + sa
    b = (1,) * (n - len(sb)) + sb
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            return None
        out.append(y if x == 1 else x)
    return a, b, tuple(out)


def _flat_index(index, shape):
    k = 0
    for i, d in zip(index, shape):
        k = k * d + (0 if d == 1 else i)
    return k


def _close(x, y, atol, rtol):
    try:
        if type(x) is complex or type(y) is complex:
            fin = all(math.isfinite(p) for p in (complex(x).real, complex(x).imag, complex(y).real, complex(y).imag))
        else:
            fin = math.isfinite(x) and math.isfinite(y)
        if fin:
            return abs(x - y) <= atol + rtol * abs(y)
        return x == y  # infinities of the same sign; NaN never
    except (TypeError, ValueError, OverflowError):
        return False


def allclose(out, exp, atol, rtol=1e-7):
    a, b = _array(out), _array(exp)
    if a is None or b is None:
        return False
    shapes = _broadcast(a[0], b[0])
    if shapes is None:
        return False
    sa, sb, shape = shapes
    fa, fb = a[1], b[1]
    if sa == sb:
        return all(_close(x, y, atol, rtol) for x, y in zip(fa, fb))
    total = 1
    for d in shape:
        total *= d
    for n in range(total):
        index, rest = [], n
        for d in reversed(shape):
            index.append(rest % d)
            rest //= d
        index.reverse()
        if not _close(fa[_flat_index(index, sa)], fb[_flat_index(index, sb)], atol, rtol):
            return False
    return True


ORACLES_OF_INPUT = frozenset(('poly-root', 'pyramid-area', 'digit-distance'))  # the only rules that read the input


def matches(out, exp, args, atol, oracle):
    """Whether the candidate's output `out` passes for input `args` (all plain values the checker holds; `args`
    is read only by the ORACLES_OF_INPUT)."""
    try:
        if oracle == 'poly-root':
            return abs(_poly_at(*args, out)) <= atol
        exact = out == exp
        if type(exact) is not bool:
            exact = bool(exact)
        if oracle == 'always':
            exact = True
        elif oracle == 'or-zero':
            exact = exact or out == 0
        elif oracle == 'pyramid-area':
            exact = exact or abs(out - _pyramid_area(*args)) <= atol
        elif oracle == 'digit-distance':
            exact = exact or out == _digit_distance(*args)
        elif oracle == 'set-equal':
            exact = set(out) == set(exp)
        elif oracle == 'not-none':
            exact = out == exp if type(out) is bool else exp == (out is not None)
        if atol == 0 and _is_floats(exp):
            atol = 1e-6
        if exact or atol == 0:
            return bool(exact)
        if type(out) is not type(exp):
            return False
        if isinstance(exp, (list, tuple)) and len(out) != len(exp):
            return False
        return allclose(out, exp, atol)
    except Exception:  # an output the rule cannot even compare is a wrong output, as in the reference
        return False
