# Comparison guard: a test's verdict must not be decided by the candidate's own dunder methods.
#
# A candidate can pass `assert f(1) == 2` without computing anything by returning an object whose __eq__ always
# says True (or whose __bool__, __lt__, __contains__... answer what the test wants). Models trained on
# execution rewards find such shortcuts. Test code (and the test setup) is therefore compiled with each comparison
# (`==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`) and each truth test (`assert x`, `not x`, their `and`/`or`) routed
# through the functions below. They refuse, with HijackedComparison (an AssertionError: the test fails), a
# comparison where a value built by the candidate's classes meets one that is not: the answer would come from the
# candidate's code, not from the test. Two values of the same candidate class still compare with its own methods
# (a problem may ask for a class with __eq__).
import ast
import operator
import re

CANDIDATE_FILE = '<candidate>'
CMP = '__crucible_cmp__'
TRUTH = '__crucible_truth__'
# Methods a comparison or a truth test may call on its operands (or, through containers, on their elements).
DUNDERS = ('__eq__', '__ne__', '__lt__', '__le__', '__gt__', '__ge__', '__contains__', '__bool__', '__len__',
           '__hash__', '__iter__', '__getitem__')
# A candidate whose source never names one of DUNDERS cannot define it (short of building the name at run time,
# which is tampering, not a shortcut): its tests run unguarded, which is faster.
_DUNDER_NAMED = re.compile('|'.join(re.escape(d) for d in DUNDERS))
WALK_LIMIT = 10000  # objects inspected inside containers per operand; hijacking needs the first elements anyway

_OPS = {
    'Eq': operator.eq, 'NotEq': operator.ne, 'Lt': operator.lt, 'LtE': operator.le, 'Gt': operator.gt,
    'GtE': operator.ge, 'In': lambda a, b: a in b, 'NotIn': lambda a, b: a not in b,
}
# Bound at import (before any candidate runs): a candidate may patch the builtins module.
_type, _getattr, _isinstance, _len, _bool, _id = type, getattr, isinstance, len, bool, id
_CONTAINERS = frozenset((list, tuple, set, frozenset, dict))


class HijackedComparison(AssertionError):
    """A comparison in a test would have been decided by a method of the candidate's own class."""


_SCALARS = frozenset((int, float, complex, bool, str, bytes, bytearray, type(None)))
_TRUSTED = _SCALARS | frozenset(_CONTAINERS)
_verdicts = {}  # class -> the candidate-defined method it has, or None (classes are per child: no invalidation)


def _candidate_method(cls):
    """The first of DUNDERS that `cls` gets from code the candidate defined, or None."""
    if cls in _TRUSTED:
        return None
    try:
        return _verdicts[cls]
    except KeyError:
        pass
    found = None
    for name in DUNDERS:
        code = _getattr(_getattr(cls, name, None), '__code__', None)
        if code is not None and code.co_filename == CANDIDATE_FILE:
            found = name
            break
    try:
        _verdicts[cls] = found
    except TypeError:  # an unhashable metaclass instance: just do not cache
        pass
    return found


def _candidate_classes(value):
    """Classes with candidate-defined comparison methods in `value` (and inside builtin containers), or None.
    Hot (every comparison of every test): scalars, the usual case, return at once."""
    if _type(value) in _SCALARS:
        return None
    found = None
    stack, seen, budget = [value], set(), WALK_LIMIT
    while stack and budget > 0:
        v = stack.pop()
        cls = _type(v)
        if cls in _CONTAINERS:  # exact builtin containers only: a subclass is checked as a class below
            if _id(v) in seen:
                continue
            seen.add(_id(v))
            items = (dict.keys(v), dict.values(v)) if cls is dict else (v,)
            for part in items:
                for x in part:
                    budget -= 1
                    if _type(x) not in _SCALARS:
                        stack.append(x)
            continue
        budget -= 1
        if _candidate_method(cls) is not None:
            if found is None:
                found = set()
            found.add(cls)
    return found


def cmp(op, a, b):
    ours, theirs = _candidate_classes(a), _candidate_classes(b)
    if ours != theirs:
        cls = next(iter((ours or set()) ^ (theirs or set())))
        raise HijackedComparison('%s decided by the candidate\'s %s.%s' % (op, cls.__name__, _candidate_method(cls)))
    return _OPS[op](a, b)


def truth(value):
    cls = _type(value)
    if cls not in _TRUSTED:
        name = _candidate_method(cls)
        if name is not None:
            raise HijackedComparison('truth value decided by the candidate\'s %s.%s' % (cls.__name__, name))
    return _bool(value)


_LEAVES = (ast.Constant, ast.Name, ast.Load, ast.Store, ast.Del)
_AST, _list = ast.AST, list


def _call(name, args, like):
    return ast.copy_location(ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=args, keywords=[]), like)


def _truth(expr):
    """`expr` where only its truth value counts (an assert, `not`): guarded, `and`/`or` operand by operand."""
    if _isinstance(expr, ast.Call) and _isinstance(expr.func, ast.Name) and expr.func.id in (CMP, TRUTH):
        return expr
    if _isinstance(expr, ast.Constant) or (_isinstance(expr, ast.UnaryOp) and _isinstance(expr.op, ast.Not)):
        return expr  # a `not` is guarded where it is rewritten
    if _isinstance(expr, ast.BoolOp):  # in a truth context `a or b` may become bool-valued
        expr.values = [_truth(v) for v in expr.values]
        return expr
    return _call(TRUTH, [expr], expr)


def _rewrite(node):
    """Routes single comparisons and truth tests through CMP / TRUTH, children first (chains stay as written).
    A plain recursive walk: ast.NodeTransformer made compiling a problem's tests 4x slower."""
    for name in node._fields:
        value = _getattr(node, name, None)
        if _type(value) is _list:
            for i, item in enumerate(value):
                if _isinstance(item, _AST) and not _isinstance(item, _LEAVES):
                    value[i] = _rewrite(item)
        elif _isinstance(value, _AST) and not _isinstance(value, _LEAVES):
            setattr(node, name, _rewrite(value))
    cls = _type(node)
    if cls is ast.Compare:
        if _len(node.ops) == 1 and _type(node.ops[0]).__name__ in _OPS:
            op = ast.copy_location(ast.Constant(value=_type(node.ops[0]).__name__), node)
            return _call(CMP, [op, node.left, node.comparators[0]], node)
    elif cls is ast.Assert:
        node.test = _truth(node.test)
    elif cls is ast.UnaryOp and _isinstance(node.op, ast.Not):
        node.operand = _truth(node.operand)
    return node


def may_hijack(candidate_source):
    return _DUNDER_NAMED.search(candidate_source) is not None


def compile_guarded(source, filename):
    """Test code compiled with its comparisons guarded (raises what compile() raises)."""
    tree = _rewrite(ast.parse(source, filename, 'exec'))
    ast.fix_missing_locations(tree)
    return compile(tree, filename, 'exec', dont_inherit=True)


def install(ns):
    """Puts the guard functions into a test namespace (again before each test: the candidate shares it)."""
    ns[CMP] = cmp
    ns[TRUTH] = truth

