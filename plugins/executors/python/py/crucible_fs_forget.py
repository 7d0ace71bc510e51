# The candidate's process is a fork of the checker, so it starts with a copy of everything the checker holds: the
# problems' tests and their sources, HumanEval+/MBPP+ expected outputs, the canonical solution a job line carries.
# Any of those is reachable from candidate code (gc.get_objects(), sys.modules['__main__'], a caller frame's locals)
# and would hand it the answers. Before any candidate code runs, the copy forgets them: containers are emptied in
# place, so every reference to them (a frame's local, a closure) sees them empty. Only this process's copy changes.
from crucible_fs_packed import Packed

HELD = []  # the fork-server's problem table (registered by fork_server.py)

# What the candidate's process itself needs from its job; everything else is dropped.
_KEEP = frozenset(('id', 'code', '_code', 'timeout', '_out', '_err'))


def register(problems):
    HELD.append(problems)


def _empty(value):
    if type(value) in (list, dict, set, Packed):
        value.clear()
    elif type(value) is tuple:
        for part in value:
            _empty(part)


def _forget_problem(problem):
    data = problem.get('data')
    if type(data) is dict:
        for part in data.values():
            _empty(part)
        data.clear()
    for part in problem.values():
        _empty(part)
    problem.clear()


def forget(job):
    """In the candidate's freshly forked process, before its code runs: drop tests, expected values and the
    canonical solution from this process's memory."""
    for problems in HELD:
        for problem in list(problems.values()):
            if type(problem) is dict:
                _forget_problem(problem)
        problems.clear()
    for key in [k for k in job if k not in _KEEP]:
        _empty(job[key])
        del job[key]
