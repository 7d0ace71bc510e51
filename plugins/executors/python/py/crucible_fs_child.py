# The in-process fallback (problems whose tests need the candidate's own classes or global state): the tests run in
# the candidate's process, which defines the candidate, runs the test setup, then the tests one by one, reporting
# each on fd 3. Weaker than the checker (crucible_fs_checker.py): the candidate shares a process with its tests, so
# every execution made this way is recorded as such. Never returns to the server's code.
import builtins
import os
import sys
import time

from crucible_fs_config import NULL_FD
from crucible_fs_guard import install as _install_guard
from crucible_fs_isolate import enter_candidate_process


def child_main(job, start, wfd, out_fd, err_fd):
    """Runs in the forked child: never returns."""
    try:
        enter_candidate_process((NULL_FD, out_fd, err_fd, wfd), job['timeout'])
    except BaseException as e:  # the harness itself failed: report it as such, not as the candidate's fault
        try:
            report(b'harness', t=type(e).__name__ + ':' + str(e))
        finally:
            os._exit(70)
    try:
        run_candidate(job, start)
    finally:  # whatever happens (even our channel closed by the candidate), never fall back into the server loop
        os._exit(0)


# Bound once, so that a candidate reassigning os.write or the clocks cannot silence or skew our reports.
_write, _cpu_clock, _wall_clock, _perf = os.write, time.process_time, time.monotonic, time.perf_counter
# Likewise the builtins the test loop calls: a candidate can patch the shared builtins module
# (`builtins.exec = lambda *a: None` would otherwise make every test pass).
_exec, _isinstance, _range, _len, _type = exec, isinstance, range, len, type
_AssertionError, _BaseException = AssertionError, BaseException
HARNESS_MODULES = ('crucible_fs_child', 'crucible_fs_segment', 'crucible_fs_config', 'crucible_fs_guard', 'crucible_fs_isolate',
                   'crucible_fs_checker', 'crucible_fs_candidate', 'crucible_fs_wire', 'crucible_fs_plan', 'crucible_fs_cleanup',
                   'crucible_fs_zygote')
# One line per event on fd 3: kind, test index, outcome, error type, ms, CPU s, then the child's CPU and wall clocks.
# Plain bytes formatting rather than json: every object a child touches costs it a page copy, and json touches many.
_REPORT = b'%s %d %s %s %.3f %.6f %.6f %.6f\n'


def _token(text):
    """An error type as one safe token (a class name can hold spaces or newlines)."""
    if text is None:
        return b'-'
    return ''.join(c if c.isprintable() and not c.isspace() else '_' for c in str(text)[:200]).encode('utf-8', 'replace') or b'_'


def report(kind, o=b'-', t=None, i=-1, ms=0.0, cpu=0.0):
    _write(3, _REPORT % (kind, i, o, _token(t), ms, cpu, _cpu_clock(), _wall_clock()))


def flush_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


class CompileFailed(Exception):
    """A test (or the test setup) that the server could not compile; args[0] is the error's type name."""


FRAMES_SHOWN = 12


def print_error(e, sources):
    """A traceback of the innermost frames on stderr. Written here rather than with the traceback module: that module
    (and linecache, tokenize...) would sit in the server's memory and be copied into every fork."""
    frames = []
    tb = e.__traceback__.tb_next if e.__traceback__ else None  # drop the harness's own frame
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    out = ['Traceback (most recent call last):\n']
    if len(frames) > FRAMES_SHOWN:  # a deep recursion stays cheap
        out.append('  ... %d frames not shown\n' % (len(frames) - FRAMES_SHOWN))
    for tb in frames[-FRAMES_SHOWN:]:
        code = tb.tb_frame.f_code
        line = tb.tb_lineno or 0
        out.append('  File "%s", line %d, in %s\n' % (code.co_filename, line, code.co_name))
        source = sources.get(code.co_filename)
        if source and line > 0:
            text = source.split('\n')[line - 1:line]
            if text and text[0].strip():
                out.append('    %s\n' % text[0].strip())
    try:
        message = str(e)
    except BaseException:
        message = '<exception str() failed>'
    out.append('%s: %s\n' % (type(e).__name__, message[:2000]) if message else '%s\n' % type(e).__name__)
    try:
        sys.stderr.write(''.join(out))
    except BaseException:  # the candidate replaced or closed sys.stderr
        try:
            _write(2, ''.join(out).encode('utf-8', 'replace'))
        except BaseException:
            pass


def run_candidate(job, start):
    # Out of sys.modules, the harness's functions and names are not one `import` away from the candidate.
    for name in HARNESS_MODULES:
        sys.modules.pop(name, None)
    code = job.get('_code')  # compiled by the server, unless the source was too large for that
    if code is None:
        try:
            code = compile(job['code'], '<candidate>', 'exec', dont_inherit=True)
        except BaseException as e:  # SyntaxError, ValueError (NUL bytes), RecursionError/MemoryError (deep nesting)
            report(b'syntax', t=type(e).__name__)
            return
    sources = job['_sources']
    sources['<candidate>'] = job['code']
    ns = {'__name__': 'candidate', '__builtins__': builtins}
    for phase, source in ((b'define', code), (b'setup', job['_setup'])):
        if source is None:
            continue
        if phase == b'setup' and job['_guarded']:
            _install_guard(ns)
        try:
            if _isinstance(source, str):  # the test setup itself does not compile
                raise CompileFailed(source)
            _exec(source, ns)
        except CompileFailed as e:
            report(phase, b'error', e.args[0])
            return
        except _BaseException as e:
            outcome = b'fail' if _isinstance(e, _AssertionError) else b'error'
            if outcome == b'error':
                print_error(e, sources)
            flush_output()
            report(phase, outcome, type(e).__name__)
            return
    report(b'ready')
    tests, guarded = job['_tests'], job['_guarded']
    for i in _range(start, _len(tests)):
        t0, c0 = _perf(), _cpu_clock()
        try:
            if _isinstance(tests[i], str):  # the test itself did not compile: it errors with that type
                raise CompileFailed(tests[i])
            if guarded:
                _install_guard(ns)  # before each test: the candidate shares this namespace and may replace them
            _exec(tests[i], ns)
            outcome, etype = b'pass', None
        except CompileFailed as e:
            outcome, etype = b'error', e.args[0]
        except _AssertionError as e:  # a failed assert, or a comparison the guard refused (HijackedComparison)
            outcome, etype = b'fail', _type(e).__name__
            if _type(e) is not _AssertionError:  # say which method the guard caught deciding the comparison
                print_error(e, sources)
        except _BaseException as e:
            outcome, etype = b'error', type(e).__name__
            print_error(e, sources)
        report(b'test', outcome, etype, i, (_perf() - t0) * 1000, _cpu_clock() - c0)
    flush_output()
    report(b'done')


