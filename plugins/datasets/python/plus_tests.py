"""HumanEval+/MBPP+ as data: the inputs, the canonical solution's outputs and its CPU time per input, stored as one
marshal blob named by its sha256 (values as values: big integers, floats, tuples vs lists, nested containers, with
no text round trip), plus which special oracle and atol the reference applies. The executor's trusted checker loads
the file and compares (crucible_fs_compare.py); a test of the problem is only `_crucible_check(k)`.

An input whose expected value cannot be computed or stored is reported, never dropped silently.
"""
import ast
import contextlib
import copy
import hashlib
import io
import json
import marshal
import signal
import time

from conform import conform, typed_like

# The canonical solution gets this long per input: its time is measured, never cut short by a program budget.
PER_INPUT_SECONDS = 120
FORMAT = 1

# Problems where the reference does not compare outputs for equality (evalplus's documented special oracles),
# by dataset and entry point. The checker holds the helper functions; never the candidate's.
ORACLES = {
    ('humaneval', 'find_zero'): 'poly-root',
    ('mbpp', 'are_equivalent'): 'always',
    ('mbpp', 'sum_div'): 'or-zero',
    ('mbpp', 'surface_Area'): 'pyramid-area',
    ('mbpp', 'digit_distance_nums'): 'digit-distance',
}
SET_EQUAL = {'similar_elements', 'find_char_long', 'common_in_nested_lists', 'extract_singly', 'larg_nnum',
             'intersection_array', 'find_dissimilar', 'Diff'}
NOT_NONE = {'check_str', 'text_match_three', 'text_starta_endb'}


def oracle_of(dataset, entry_point):
    if dataset == 'mbpp' and entry_point in SET_EQUAL:
        return 'set-equal'
    if dataset == 'mbpp' and entry_point in NOT_NONE:
        return 'not-none'
    return ORACLES.get((dataset, entry_point))


class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Timeout()


def _call(fn, args):
    """(output, CPU seconds) of one call on a deep copy of the input (the reference's own copy rule)."""
    args = copy.deepcopy(args)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, PER_INPUT_SECONDS)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            c0 = time.process_time()
            out = fn(*args)
            return out, time.process_time() - c0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _typed_inputs_from_assertion(task, count):
    """MBPP+ stores inputs as JSON (tuples become lists, complex numbers strings); its `assertion` field
    holds the same calls as Python literals. Returns those argument lists when every call is a literal."""
    src = task.get('assertion')
    if not src:
        return None
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return None
    calls = []
    for stmt in tree.body:
        if not isinstance(stmt, ast.Assert):
            continue
        found = [n for n in ast.walk(stmt.test) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == task['entryPoint']]
        if not found or found[0].keywords:
            return None
        try:
            calls.append([ast.literal_eval(a) for a in found[0].args])
        except (ValueError, SyntaxError, TypeError):
            return None
    return calls if len(calls) == count else None


def _json_shape(value):
    """What JSON would have made of a value (tuples as lists), to match typed inputs with base_input."""
    if isinstance(value, (list, tuple)):
        return [_json_shape(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_shape(v) for k, v in value.items()}
    return value


def _expected_all(fn, inputs, not_none):
    results = []
    for args in inputs:
        try:
            out, cpu = _call(fn, args)
            results.append(('ok', (out is not None) if not_none else plain(out), cpu))
        except _Timeout:
            results.append(('error', 'the canonical solution ran over %ss' % PER_INPUT_SECONDS, 0))
        except BaseException as exc:  # noqa: BLE001 - report any failure of the reference code
            results.append(('error', 'the canonical solution raised %s: %s' % (type(exc).__name__, str(exc)[:200]), 0))
    return results


def _inputs(task):
    """base_input and (on request, the first maxPlusInputs of) plus_input, parsed from the record's own line."""
    record = json.loads(task['raw']) if task.get('raw') else task
    base = record.get('base_input') or []
    plus = None
    if task.get('plusInputs'):
        plus = record.get('plus_input') or []
        if not isinstance(plus, list):
            plus = []
        if task.get('maxPlusInputs'):
            plus = plus[: task['maxPlusInputs']]
    return base, plus


_BASES = (bool, int, float, complex, str, bytes, list, tuple, dict, set, frozenset)


def plain(value, depth=0):
    """Subclasses of builtin types (Counter, OrderedDict, namedtuple, IntEnum...) as their base value, as the executor's
    wire carries a candidate's answer; they compare equal to it, as in the reference."""
    t = type(value)
    if depth > 100:
        return value
    if t in (list, tuple, set, frozenset):
        return t(plain(v, depth + 1) for v in value)
    if t is dict:
        return {plain(k, depth + 1): plain(v, depth + 1) for k, v in value.items()}
    if t in _BASES or value is None:
        return value
    for base in _BASES:
        if isinstance(value, base):
            return plain(base(value.items()) if base is dict else base(value), depth + 1)
    return value


# The executor's checker takes answers of up to 64 MiB (crucible_fs_plus.py): an expected output beyond this could never
# be matched (Mbpp/255 asks for 1.7 million 77-tuples on one input, ~760 MB), and would make the problem's data file huge.
MAX_VALUE_BYTES = 48 << 20


def _storable(value, answer=False):
    try:
        size = len(marshal.dumps(value, 4))
    except ValueError as exc:
        return str(exc)
    if size > MAX_VALUE_BYTES:
        return '%d bytes, over the %d a candidate\'s answer may have' % (size, MAX_VALUE_BYTES)
    if not answer:
        return None
    # the candidate's answer travels as JSON text, often longer than marshal (Mbpp/255: 82,160 77-tuples of floats,
    # 30 MB marshalled, 109 MB as text)
    try:
        text = len(json.dumps(value, default=str, skipkeys=True, check_circular=False, separators=(',', ':')))
    except (ValueError, RecursionError):  # integers past the decimal digit limit travel as hex, much shorter
        text = 0
    if text > MAX_VALUE_BYTES:
        return '%d bytes as text, over the %d a candidate\'s answer may have' % (text, MAX_VALUE_BYTES)
    return None


def build(task, blobs):
    base, plus = _inputs(task)
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(task['program'], task['id'], 'exec'), namespace)
    fn = namespace.get(task['entryPoint'])
    if not callable(fn):
        raise ValueError('the canonical program does not define %s' % task['entryPoint'])
    oracle = oracle_of(task['dataset'], task['entryPoint'])
    not_none = oracle == 'not-none'
    inputs_from = 'base_input'
    typed = _typed_inputs_from_assertion(task, len(base))
    if typed is not None and _json_shape(typed) == _json_shape(base):
        base, inputs_from = typed, 'assertion'
    base_results = _expected_all(fn, base, not_none)
    if typed is not None and inputs_from == 'base_input' and any(r[0] == 'error' for r in base_results):
        # JSON could not carry the argument types (e.g. complex numbers): the assertion's literals can.
        retry = _expected_all(fn, typed, not_none)
        if all(r[0] == 'ok' for r in retry):
            base, base_results, inputs_from = typed, retry, 'assertion'
    groups = [('base', base, base_results)]
    if plus:
        raw_plus = plus
        if inputs_from == 'assertion' and typed:
            # Plus inputs are JSON too: give them the argument types the assertion's literals show.
            plus = [typed_like(args, typed) for args in raw_plus]
        plus_results = _expected_all(fn, plus, not_none)
        if inputs_from == 'assertion' and typed:
            for i, r in enumerate(plus_results):
                if r[0] != 'error':
                    continue
                # rejected as typed: complex numbers written as text, tuples nested deeper than the examples show
                alt = typed_like(raw_plus[i], typed, deep=True)
                retry = _expected_all(fn, [alt], not_none)[0] if alt != plus[i] else r
                if retry[0] == 'ok':
                    plus[i], plus_results[i] = alt, retry
        groups.append(('plus', plus, plus_results))
    tests, skipped, inputs, expected, times = [], [], [], [], []
    for source, group_inputs, results in groups:
        for i, (args, (status, value, cpu)) in enumerate(zip(group_inputs, results)):
            why = value if status != 'ok' else _storable(plain(tuple(args))) or _storable(value, answer=True)
            if why is not None:
                reason = why if status != 'ok' else 'not storable as plain data: %s' % why
                skipped.append({'source': source, 'index': i, 'reason': reason})
                continue
            k = len(inputs)
            inputs.append(plain(tuple(args)))
            expected.append(value)
            times.append(round(cpu, 6))
            tests.append({'source': source, 'index': i, 'code': '_crucible_check(%d)' % k})
    data = {'format': FORMAT, 'id': task['id'], 'entry': task['entryPoint'], 'inputs': inputs, 'expected': expected,
            'times': times, 'atol': float(task.get('atol') or 0), 'oracle': oracle,
            'groups': [t['source'] for t in tests]}
    blob = marshal.dumps(data, 4)
    blobs.append(blob)
    return {'id': task['id'], 'tests': tests, 'skipped': skipped, 'inputsFrom': inputs_from,
            'data': {'sha256': hashlib.sha256(blob).hexdigest(), 'bytes': len(blob)}, 'oracle': oracle}


def run(tasks):
    """The results, then (as the last element, which tool.py writes after the JSON as raw bytes) the data blobs."""
    out, blobs = [], []
    for task in tasks:
        try:
            out.append(build(task, blobs))
        except BaseException as exc:  # noqa: BLE001
            out.append({'id': task['id'], 'error': '%s: %s' % (type(exc).__name__, str(exc)[:300])})
    out.append(blobs)
    return out
