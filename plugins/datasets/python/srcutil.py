"""Small AST helpers shared by the dataset tools: statement source, names bound and names read."""
import ast


def stmt_source(src_lines, node):
    """The statement's own source, dedented to column 0; ast.unparse when it shares a line with other code."""
    first = src_lines[node.lineno - 1]
    last = src_lines[node.end_lineno - 1]
    prefix = first[: node.col_offset]
    # col offsets are UTF-8 byte offsets; a whitespace prefix is ASCII, so bytes and characters agree there.
    tail = last.encode("utf-8")[node.end_col_offset:].decode("utf-8", "replace").strip()
    if prefix.strip() or (tail and not tail.startswith("#")):
        return ast.unparse(node)
    width = node.col_offset
    out = []
    for i, line in enumerate(src_lines[node.lineno - 1 : node.end_lineno]):
        if line[:width].strip() == "":
            out.append(line[width:])
        elif i == 0:
            out.append(line[width:])
        else:
            # a continuation line indented less than the statement (inside brackets or a string): keep it as is
            out.append(line)
    return "\n".join(line.rstrip() for line in out).rstrip()


def bound_names(node):
    """Names a statement binds at its own level (assignments, imports, defs, loop targets)."""
    names = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names.add(node.name)
        return names
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            names.add((alias.asname or alias.name).split(".")[0])
        return names
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            names.add(sub.id)
    return names


def read_names(node):
    """Every name a statement (or expression) reads, including inside nested code."""
    return {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)}


def contains_assert(node):
    return any(isinstance(sub, ast.Assert) for sub in ast.walk(node))


def is_trivial_assert(node):
    """`assert True, "..."`: always passes, so counting it as a test would inflate pass rates."""
    return isinstance(node, ast.Assert) and isinstance(node.test, ast.Constant) and node.test.value is True


def dependencies(stmts, index, needed):
    """Indices of the statements before `index` that bind (transitively) a name in `needed`, in order."""
    needed = set(needed)
    keep = []
    for j in range(index - 1, -1, -1):
        stmt = stmts[j]
        if contains_assert(stmt):
            continue
        if bound_names(stmt) & needed:
            keep.append(j)
            needed |= read_names(stmt)
    return sorted(keep)
