# How a problem's tests run, decided once per problem from trusted data only (the tests, the prompt, the canonical
# solution), never from the candidate: in the checker (the default: the candidate's functions are reached through
# calls that carry plain data), or in the candidate's process (the recorded fallback, for tests that use the
# candidate's own classes or global values, which cannot cross as plain data).
import ast
import builtins

_BUILTIN_NAMES = frozenset(dir(builtins)) | {'__name__', '__file__', '__builtins__', '__doc__'}


def _names(tree):
    """(names read, names bound) anywhere in `tree`."""
    read, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound.add((alias.asname or alias.name).split('.')[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif type(node).__name__ in ('MatchAs', 'MatchStar') and getattr(node, 'name', None):
            bound.add(node.name)
    return read, bound


def _parse(source):
    try:
        return ast.parse(source or '')
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _top_level_functions(source):
    tree = _parse(source)
    if tree is None:
        return set()
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def prompt_helpers(prompt, entry_point):
    """The prompt's own code other than the entry point's stub (HumanEval/32's poly, /38's encode_cyclic...): trusted
    text, so the checker defines these itself rather than asking the candidate for them. (code, names) or None."""
    tree = _parse(prompt)
    if tree is None:
        return None
    kinds = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)
    keep = [n for n in tree.body if isinstance(n, kinds) and getattr(n, 'name', None) != entry_point]
    if not keep:
        return None
    module = ast.Module(body=keep, type_ignores=[])
    names = set()
    for n in keep:
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split('.')[0] for a in n.names)
        elif isinstance(n, (ast.Assign, ast.AnnAssign)):
            for target in (n.targets if isinstance(n, ast.Assign) else [n.target]):
                names.update(x.id for x in ast.walk(target) if isinstance(x, ast.Name))
        else:
            names.add(n.name)
    return compile(module, '<prompt>', 'exec', dont_inherit=True), names


def plan(setup, tests, entry_point, prompt, canonical):
    """{'mode': 'checker', 'calls': names reached in the candidate, 'helpers': code or None} or
    {'mode': 'in-process', 'why': the names that need it}."""
    read, bound, classes = set(), set(), set()
    for source in [setup or ''] + list(tests):
        tree = _parse(source)
        if tree is None:  # a test that does not compile errors the same way in either mode
            continue
        # Objects of a class the tests define (MBPP's tree nodes) are arguments that cannot cross as plain data.
        classes.update(n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef))
        r, b = _names(tree)
        read |= r
        bound |= b
    helpers = None
    try:
        helpers = prompt_helpers(prompt, entry_point)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        helpers = None
    helper_names = helpers[1] if helpers else set()
    free = read - bound - _BUILTIN_NAMES - helper_names
    callable_names = {entry_point} | (_top_level_functions(canonical) if canonical else set())
    if entry_point:
        callable_names.add(entry_point)
    outside = (free - callable_names) | classes
    if outside:
        return {'mode': 'in-process', 'why': sorted(outside)}
    return {'mode': 'checker', 'calls': sorted(free | {entry_point} - {''}), 'helpers': helpers[0] if helpers else None}
