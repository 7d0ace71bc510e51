"""MBPP+ plus inputs are JSON, which has no tuples, sets or complex numbers; the same problem's base inputs, read
from its `assertion` literals, show the argument types the reference gives them. `typed_like` reshapes a plus input
after those examples: a list becomes a tuple (or set) where the examples hold one at that place, a string becomes a
complex number, or a float where they hold a number. Values the examples say nothing about are left as they are."""


def _richest(values):
    """Of several example values for one place, the first non-empty container (it says most about the inside)."""
    for v in values:
        if isinstance(v, (list, tuple, set, frozenset, dict)) and len(v):
            return v
    return values[0] if values else None


def _template(examples):
    """A shape from example values of one place: ('tuple', [shapes by position]), ('list'|'set'|'frozenset',
    element shape), ('dict', value shape), ('complex'|'float',) or None (leave as is)."""
    e = _richest(examples)
    t = type(e)
    if t is tuple:
        width = max(len(x) for x in examples if type(x) is tuple)
        return ('tuple', [_template([x[i] for x in examples if type(x) is tuple and len(x) > i]) for i in range(width)])
    if t in (list, set, frozenset):
        items = [y for x in examples if type(x) is t for y in x]
        return (t.__name__, _template(items) if items else None)
    if t is dict:
        items = [y for x in examples if type(x) is dict for y in x.values()]
        return ('dict', _template(items) if items else None)
    if t is complex:
        return ('complex',)
    if t is float or t is int:
        return ('number',)
    return None


def _tuples(value):
    if isinstance(value, (list, tuple)):
        return tuple(_tuples(v) for v in value)
    return value


def conform(value, shape, deep=False):
    """`deep`: also a string where a number goes may be a complex number, and where a tuple goes every list inside
    is a tuple (the examples may nest less deeply than the input). Only tried on inputs the canonical solution
    rejects as conformed without it."""
    if shape is None:
        return value
    kind = shape[0]
    if kind == 'tuple' and isinstance(value, (list, tuple)):
        if deep:
            return _tuples(value)
        parts = shape[1]
        last = parts[-1] if parts else None
        return tuple(conform(v, parts[i] if i < len(parts) else last) for i, v in enumerate(value))
    if kind in ('list', 'set', 'frozenset') and isinstance(value, (list, tuple)):
        items = [conform(v, shape[1], deep) for v in value]
        if kind == 'list':
            return items
        try:
            return set(items) if kind == 'set' else frozenset(items)
        except TypeError:
            return value
    if kind == 'dict' and isinstance(value, dict):
        return {k: conform(v, shape[1], deep) for k, v in value.items()}
    if kind == 'complex' and isinstance(value, str):
        try:
            return complex(value)
        except ValueError:
            return value
    if kind == 'number' and isinstance(value, str):
        try:  # a number JSON could not carry as one (MBPP+ writes some as text): the reference reads it with float()
            return float(value)
        except ValueError:
            pass
        if deep:
            try:  # or complex() (MBPP+ writes complex numbers as text)
                return complex(value)
            except ValueError:
                pass
        return value
    return value


def typed_like(args, typed_examples, deep=False):
    """`args` (one plus input: a list of arguments) reshaped after the typed base inputs."""
    if not isinstance(args, list):
        return args
    shapes = [_template([ex[i] for ex in typed_examples if len(ex) > i]) for i in range(len(args))]
    return [conform(a, s, deep) for a, s in zip(args, shapes)]
