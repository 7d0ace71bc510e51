"""Keeps only the code an entry point needs: imports, the entry point, the functions/classes/constants it
uses (transitively). Prose, tests, prints and `if __name__ == "__main__":` blocks are dropped.

Reads [{"code", "entryPoint"}] as JSON on stdin, writes [{"code"} | {"error"}] on stdout. Top-level chunks
that do not parse on their own (prose between code blocks) are skipped rather than failing the whole text.
"""
import ast
import json
import sys

KEEP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)


def chunks(code):
    """Top-level chunks: a line at column 0 starts one; indented, blank and decorator-following lines join it."""
    out, cur = [], []
    for line in code.split("\n"):
        starts = line[:1] not in ("", " ", "\t", ")", "]", "}") and not (cur and cur[-1].lstrip().startswith("@"))
        if starts and cur:
            out.append("\n".join(cur))
            cur = []
        cur.append(line)
    if cur:
        out.append("\n".join(cur))
    return out


def segment(code, node):
    """A top-level statement's source lines, decorators included."""
    start = min([d.lineno for d in getattr(node, "decorator_list", [])] + [node.lineno])
    return "\n".join(code.split("\n")[start - 1 : node.end_lineno]).rstrip()


def parse_tolerant(code):
    try:
        return [(n, segment(code, n)) for n in ast.parse(code).body]
    except SyntaxError:
        pass
    nodes = []
    for chunk in chunks(code):
        try:
            tree = ast.parse(chunk)
        except SyntaxError:
            continue
        nodes.extend((n, segment(chunk, n)) for n in tree.body)
    return nodes


def names_read(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def bound(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def sanitize(code, entry_point):
    nodes = [(n, src) for n, src in parse_tolerant(code) if isinstance(n, KEEP)]
    defs = [i for i, (n, _) in enumerate(nodes) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == entry_point]
    if not defs:
        raise ValueError("no top-level function %s" % entry_point)
    entry = defs[-1]
    keep = {entry}
    needed = names_read(nodes[entry][0])
    changed = True
    while changed:
        changed = False
        for i, (n, _) in enumerate(nodes):
            if i in keep or isinstance(n, (ast.Import, ast.ImportFrom)):
                continue
            if bound(n) & needed and not (isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == entry_point):
                keep.add(i)
                needed |= names_read(n)
                changed = True
    out = [src for i, (n, src) in enumerate(nodes) if isinstance(n, (ast.Import, ast.ImportFrom)) or i in keep]
    return "\n\n".join(out) + "\n"


def main():
    items = json.load(sys.stdin)
    out = []
    for item in items:
        try:
            out.append({"code": sanitize(item["code"], item["entryPoint"])})
        except (ValueError, SyntaxError, RecursionError) as exc:
            out.append({"error": "%s: %s" % (type(exc).__name__, exc)})
    sys.stdout.write(json.dumps(out))


if __name__ == "__main__":
    main()
