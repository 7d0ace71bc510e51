"""Splits HumanEval's `def check(candidate): assert ...` into independent test cases.

Each top-level assert of check() becomes one test; a compound statement holding asserts (a loop, an if)
stays one test. Non-assert statements of check() that a test reads (imports, assignments) are copied in
front of that test. Module-level code of the test file other than check() becomes the shared setup.
`assert True, ...` lines are dropped and counted (they always pass).
"""
import ast

from srcutil import contains_assert, dependencies, is_trivial_assert, read_names, stmt_source


class SplitError(Exception):
    pass


def split_check(test_src, entry_point, keep_trivial=False):
    tree = ast.parse(test_src)
    lines = test_src.split("\n")
    checks = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "check"]
    if len(checks) != 1:
        raise SplitError("the test code must define exactly one check(candidate) function, found %d" % len(checks))
    check = checks[0]
    params = [a.arg for a in check.args.args]
    if len(params) != 1:
        raise SplitError("check() must take exactly one parameter, found %r" % params)
    param = params[0]
    setup = [stmt_source(lines, n) for n in tree.body if n is not check]
    setup.append("%s = %s" % (param, entry_point))
    body = check.body
    tests = []
    trivial = 0
    for i, stmt in enumerate(body):
        if not contains_assert(stmt):
            continue
        if is_trivial_assert(stmt) and not keep_trivial:
            trivial += 1
            continue
        deps = dependencies(body, i, read_names(stmt))
        code = "\n".join([stmt_source(lines, body[j]) for j in deps] + [stmt_source(lines, stmt)])
        tests.append(code)
    if not tests:
        raise SplitError("check() holds no assertion")
    return {"setup": "\n".join(setup) + "\n", "tests": tests, "trivial": trivial}


def run(tasks):
    out = []
    for task in tasks:
        try:
            res = split_check(task["test"], task["entryPoint"], bool(task.get("keepTrivial")))
            res["id"] = task["id"]
            out.append(res)
        except (SyntaxError, SplitError) as exc:
            out.append({"id": task["id"], "error": "%s: %s" % (type(exc).__name__, exc)})
    return out
