# HumanEval+/MBPP+ problems whose tests are data (Problem.testData): every input of a job goes to one candidate
# process in turn (replaced only after a timeout or a death), each call with its own CPU accounting, and the answers,
# plain data, are compared here in the checker by crucible_fs_compare.py with the reference's rules.
#
# Limits follow evalplus: input k may take max(floor, factor x the canonical solution's CPU time on k), and the
# program min(60, sum of its group's limits) + 1 s per group (base, plus). Graded runs each input at its reference
# limit. Fast-check first tries a cheaper limit max(first, factor x canonical); an input over it is timed again at the
# reference limit before a TIMEOUT is reported, deferred while later inputs may still fail outright; once an input
# passed that way (the program is slow, not stuck) the program's later inputs run at their reference limits at once.
import marshal
import os
import time

from crucible_fs_checked import CURRENT, _run
from crucible_fs_checker import UnserializableResult
from crucible_fs_compare import ORACLES_OF_INPUT, matches
from crucible_fs_config import LIMITS, WALL_FACTOR, WORK_DIR
from crucible_fs_packed import Packed
from crucible_fs_plus_feed import FeedChannel
from crucible_fs_zygote import Unstarted

FORMAT = 1
MAX_ANSWER = 64 << 20  # HumanEval/130 answers a million floats (~16 MB as JSON)
MAX_PENDING = 2  # fast-check: inputs over their first limit waiting to be confirmed at once
CONFIRM_WALL_SLACK = 10.0  # wall seconds beyond WALL_FACTOR x the reference limit, for a confirming run
PER_GROUP_CAP = 60.0  # evalplus: a group's whole run may take min(60, sum of its limits) + 1 seconds
# Carrying an answer costs what the reference, comparing in-process, never pays: the candidate tags and encodes it, the
# checker decodes and rebuilds it (~0.2 us per byte of the expected value's marshal form for Mbpp/255's 82,160
# 77-tuples). Each input's limits get this much CPU per byte of its expected value on top, so a correct answer of
# tens of MB is not TIMEOUT; for outputs of ordinary size it is far below a millisecond.
CARRY_SECONDS_PER_BYTE = 1e-6


def load(blob, tests, entry):
    """The problem's data from the bytes Node sent (already checked against its sha256 there); raises ValueError."""
    data = marshal.loads(blob)
    if type(data) is not dict or data.get('format') != FORMAT:
        raise ValueError('unknown test data format')
    n = len(data['inputs'])
    if not (len(data['expected']) == len(data['times']) == len(data['groups']) == n == len(tests)):
        raise ValueError('the test data does not match the tests')
    if any(src != '_crucible_check(%d)' % i for i, src in enumerate(tests)):
        raise ValueError('tests of a data problem must be _crucible_check(<index>) in order')
    if data.get('entry') != entry:
        raise ValueError('the test data is for %r, not %r' % (data.get('entry'), entry))
    data['inputs'], data['expected'] = Packed(data['inputs']), Packed(data['expected'])
    data['carry'] = [round(data['expected'].size(k) * CARRY_SECONDS_PER_BYTE, 3) for k in range(n)]
    return data


def limits(data, params):
    factor, floor, first = params['factor'], params['floor'], params['first']
    ref = [max(floor, factor * t) + c for t, c in zip(data['times'], data['carry'])]
    cheap = [min(r, max(first, factor * t) + c) for r, t, c in zip(ref, data['times'], data['carry'])]
    sums = {}
    for g, r in zip(data['groups'], ref):
        sums[g] = sums.get(g, 0.0) + r
    budget = sum(min(PER_GROUP_CAP, s) + 1 for s in sums.values())
    return ref, cheap, budget


def _checker(channel, data):
    inputs, expected = data['inputs'], data['expected']
    atol, oracle = data['atol'], data['oracle']

    def check(k):
        # the checker's inputs stay as the dataset gave them, whatever the candidate does to its copy
        out = channel.call_input(k)
        if not matches(out, expected[k], inputs[k] if oracle in ORACLES_OF_INPUT else None, atol, oracle):
            raise AssertionError()
    return check


def run_plus(job, problem, result, outcomes):
    data, params = problem['data'], job['plus']
    tests = problem['tests']
    n = len(tests)
    fast = params['mode'] == 'fast-check'
    ref, cheap, budget = limits(data, params)
    job['timeout'] = max(job['timeout'], budget)
    t0 = time.monotonic()
    channel = FeedChannel(job, t0 + job['timeout'] * WALL_FACTOR + CONFIRM_WALL_SLACK, max(int(LIMITS.get('maxOutputBytes') or 0), MAX_ANSWER), data)
    CURRENT[0] = channel
    result['isolation'] = 'checker'
    result['mode'] = params['mode']
    home = os.getcwd()
    try:
        os.chdir(WORK_DIR)
        try:
            failed = channel.spawn()
        except UnserializableResult:
            failed = ('define', 'error', 'MalformedMessage')
        except Unstarted:  # the zygote was gone: nothing ran, the job runs on a fresh server
            raise
        except BaseException as g:  # CandidateGone while defining
            failed = ('define', getattr(g, 'kind', 'error'), getattr(g, 'reason', type(g).__name__))
        if failed is not None:
            if failed[0] == 'syntax':
                result['syntax'] = failed[2]
            else:
                result['fatal'] = {'phase': failed[0], 'o': failed[1], 't': failed[2]}
            return
        ns = {'__builtins__': __builtins__, '_crucible_check': _checker(channel, data)}
        state = {'stop': False, 'slow': False}

        def attempt(i, limit, wall_slack=0.0):
            channel.begin_test(limit, wall_slack)
            w0, c0 = time.perf_counter(), time.process_time()
            o, t, gone = _run(job, tests[i], ns, limit)
            if gone is None and channel.gone is not None:
                gone = channel.gone
                o, t = gone.kind, gone.reason
            out = {'o': o, 't': t, 'ms': round((time.perf_counter() - w0) * 1000, 3),
                   'cpu': round(channel.test_cpu() + time.process_time() - c0, 6)}
            program = gone is not None and gone.program
            if o == 'timeout':
                out['lim'] = job['timeout'] if program else limit
                out['t'] = None
            return out, program

        def out_of_budget():
            if channel.cpu_used() >= job['timeout'] or time.monotonic() >= channel.wall_deadline:
                for j in range(n):
                    if outcomes[j] is None:
                        outcomes[j] = {'o': 'timeout', 't': None, 'lim': job['timeout']}
                result['programTimeout'] = True
                state['stop'] = True
                return True
            return False

        def settle(i, out, program):
            outcomes[i] = out
            if program:
                for j in range(n):
                    if outcomes[j] is None:
                        outcomes[j] = {'o': 'timeout', 't': None, 'lim': job['timeout']}
                result['programTimeout'] = True
                state['stop'] = True
            elif fast and out['o'] != 'pass':
                state['stop'] = True

        def confirm(i):
            if out_of_budget():
                return
            # the verdict: CPU decides; the wall backstop gets slack so that a loaded machine cannot flip it
            out, program = attempt(i, ref[i], CONFIRM_WALL_SLACK)
            if out['o'] == 'timeout':
                out['confirmed'] = True
            elif fast and out['o'] == 'pass':
                state['slow'] = True
            settle(i, out, program)

        pending, unconfirmed = [], set()
        groups = data['groups']
        for i in range(n):
            if i and groups[i] != groups[i - 1]:
                while pending and not state['stop']:  # base's verdict is settled before plus inputs run
                    confirm(pending.pop(0))
            if state['stop']:
                break
            if out_of_budget():
                break
            if not fast or state['slow']:
                # graded: every input's verdict must be exact, so it runs at its reference limit at once; fast-check,
                # once an input passed over its first limit: a slow but correct program would pay each slow input
                # twice (the first limit, then the confirmation)
                confirm(i)
                continue
            out, program = attempt(i, cheap[i])
            if out['o'] == 'timeout' and not program and cheap[i] < ref[i]:
                pending.append(i)
                unconfirmed.add(i)
                if len(pending) > MAX_PENDING:
                    confirm(pending.pop(0))
                continue
            settle(i, out, program)
        # fast-check: no input failed outright; the deferred ones decide, in order
        while pending and not state['stop']:
            confirm(pending.pop(0))
        for j in range(n):
            if outcomes[j] is None:
                outcomes[j] = {'o': 'skipped', 't': 'unconfirmed' if j in unconfirmed else None}
    finally:
        os.chdir(home)
        channel.kill()
        CURRENT[0] = None
