"""Builds HumanEval-style prompts for MBPP problems from their reference code.

prompt = the reference code's top-level definitions the tests need (e.g. a class the test setup builds)
       + the entry point's signature + a docstring (problem text and the first test as an example).
canonical = the entry point's body, then the rest of the reference code, so prompt + canonical runs.
"""
import ast

from srcutil import bound_names, read_names, stmt_source


class PromptError(Exception):
    pass


def _entry_point(tree, tests):
    defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for test in tests:
        for node in ast.walk(ast.parse(test)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in defined:
                return node.func.id
    raise PromptError("no test calls a function defined at the top level of the reference code (defines %s)" % defined)


def _docstring(text, example):
    body = text.strip()
    if example:
        body += "\n\nYour code should pass this test:\n" + example.strip()
    body = body.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = ["    " + line if line.strip() else "" for line in body.split("\n")]
    return '    """\n' + "\n".join(lines) + '\n    """\n'


def build(task):
    code = task["code"].replace("\r\n", "\n").replace("\r", "\n")
    tree = ast.parse(code)
    lines = code.split("\n")
    entry = task.get("entryPoint") or _entry_point(tree, task["tests"])
    fns = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == entry]
    if not fns:
        raise PromptError("the reference code does not define %s at the top level" % entry)
    fn = fns[-1]
    # Top-level definitions (other than the entry point) that the tests or the setup read, transitively.
    needed = set()
    for src in task["tests"] + [task.get("setup") or ""]:
        needed |= read_names(ast.parse(src))
    others = [n for n in tree.body if n is not fn]
    context = []
    changed = True
    while changed:
        changed = False
        for n in others:
            if n not in context and bound_names(n) & needed and not isinstance(n, (ast.Import, ast.ImportFrom)):
                context.append(n)
                needed |= read_names(n)
                changed = True
    for n in others:  # imports the context needs come with it
        if isinstance(n, (ast.Import, ast.ImportFrom)) and context and bound_names(n) & needed and n not in context:
            context.append(n)
    context.sort(key=lambda n: n.lineno)
    stub = ast.unparse(_with_body(fn, [ast.Pass()]))
    header = stub[: stub.rindex("pass")].rstrip() + "\n"
    full = ast.unparse(fn)
    if not full.startswith(header.rstrip("\n")):
        raise PromptError("could not separate the signature of %s" % entry)
    fn_body = full[len(header.rstrip("\n")) :].lstrip("\n")
    prefix = "".join(stmt_source(lines, n) + "\n\n" for n in context)
    prompt = prefix + header + _docstring(task["text"], task.get("example"))
    rest = [stmt_source(lines, n) for n in others if n not in context]
    canonical = fn_body.rstrip() + "\n" + ("\n\n" + "\n\n".join(rest) + "\n" if rest else "")
    return {"id": task["id"], "entryPoint": entry, "prompt": prompt, "canonical": canonical}


def _with_body(fn, body):
    clone = type(fn)(name=fn.name, args=fn.args, body=body, decorator_list=fn.decorator_list, returns=fn.returns, type_comment=None)
    if hasattr(fn, "type_params"):
        clone.type_params = fn.type_params
    return ast.fix_missing_locations(ast.copy_location(clone, fn))


def run(tasks):
    out = []
    for task in tasks:
        try:
            out.append(build(task))
        except (SyntaxError, PromptError) as exc:
            out.append({"id": task["id"], "error": "%s: %s" % (type(exc).__name__, exc)})
    return out
