# Calls written ahead for data problems (HumanEval+/MBPP+). Their inputs are known before anything runs and are
# checked in order, so with the call for input k the checker also writes the calls for the next few cheap inputs;
# the candidate answers them in turn while the checker compares the previous answer. A run of small inputs then
# costs a wake-up or two on each side instead of a round trip per input (the round trips were most of the time of
# problems with ~1,000 cheap inputs on a loaded machine).
#
# Each answer still carries the candidate's CPU clock, so the CPU between two answers is the next input's own:
# per-input limits and accounting are unchanged. Written ahead only: inputs whose canonical time is small (after a
# failure in fast-check the candidate may have done that much work for nothing) and whose calls are small (the
# calls in flight never fill the pipe, so writing them never waits on the candidate). A call for any other input
# than the next one in flight (a confirmation re-run) replaces the process rather than read an answer out of step.
import collections

from crucible_fs_checker import CandidateGone, Channel, UnserializableArgument, UnserializableResult, candidate_exception
from crucible_fs_checker import _clean_name
from crucible_fs_wire import encode_call, plain_value

AHEAD_CALLS = 8  # calls in flight at most (each at most a page of the call pipe, which holds 16)
AHEAD_BYTES = 16 << 10  # bytes of calls in flight at most
CHEAP_SECONDS = 0.005  # canonical CPU time under which an input may be written ahead


class FeedChannel(Channel):
    """A Channel that calls the candidate's entry point on input k of a data problem, writing the next inputs'
    calls ahead (see the file's comment)."""

    def __init__(self, job, wall_deadline, max_answer, data):
        super().__init__(job, wall_deadline, max_answer)
        self.entry, self.inputs, self.times = data['entry'], data['inputs'], data['times']
        self.flight = collections.deque()  # (input index, request size) written to the current process, not answered
        self.window = 1  # grows while answers keep coming, so a program that fails early wastes little

    def kill(self):
        self.flight.clear()
        self.window = 1
        return super().kill()

    def _request(self, k):
        try:
            return encode_call(self.entry, self.inputs[k], {})
        except ValueError as e:
            raise UnserializableArgument(str(e))

    def _ahead(self, after):
        """Calls for the inputs after `after` that may go with this write; recorded as in flight."""
        out = []
        size = sum(s for _, s in self.flight)
        k = after + 1
        while len(self.flight) < min(self.window, AHEAD_CALLS) and k < len(self.inputs) and self.times[k] < CHEAP_SECONDS:
            request = self._request(k)
            if size + len(request) > AHEAD_BYTES:
                break
            out.append(request)
            self.flight.append((k, len(request)))
            size += len(request)
            k += 1
        return b''.join(out)

    def call_input(self, k):
        """The candidate's answer on input k, as a plain value (raises as Channel.call does)."""
        if self.flight and self.flight[0][0] != k:
            self.kill()  # an answer for another input is on its way: never read one out of step
        if self.pid is None:
            failed = self.spawn()
            if failed is not None:
                self.kill()
                raise self._gone(CandidateGone('error', '%s:%s' % (failed[0], failed[2])))
            self.test_base = 0.0
        out = b''
        if not self.flight:
            out = self._request(k)
            self.flight.append((k, len(out) if len(out) <= AHEAD_BYTES else AHEAD_BYTES))
        if self.flight[-1][1] < AHEAD_BYTES:
            out += self._ahead(self.flight[-1][0])
        message = self.receive(out)
        self.flight.popleft()
        self.window = min(self.window * 2, AHEAD_CALLS)
        if self.test_limit is not None and self.known_cpu - self.test_base > self.test_limit:
            # computed while the checker was busy with an earlier answer, so no wait enforced its limit: over it
            self.kill()
            raise self._gone(CandidateGone('timeout', 'cpu', self.test_limit))
        kind = message[0]
        if kind == 'value' and len(message) == 4:
            return plain_value(message[1])
        if kind == 'raise' and len(message) == 4:
            raise candidate_exception(message[1], message[2])
        if kind == 'unserializable' and len(message) == 3:
            raise UnserializableResult('the candidate returned a %s: only plain data crosses to the tests' % _clean_name(message[1]))
        self.kill()
        raise UnserializableResult('malformed answer')
