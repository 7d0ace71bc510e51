"""Entry point of crucible's dataset helpers: `python3 tool.py COMMAND` reads a JSON list of tasks on stdin
and writes a JSON list of results on stdout. One process handles a whole file."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.setrecursionlimit(10000)

import mbpp_prompts  # noqa: E402
import plus_tests  # noqa: E402
import split_checks  # noqa: E402

COMMANDS = {"split-checks": split_checks.run, "plus-tests": plus_tests.run, "mbpp-prompts": mbpp_prompts.run}


def _decode_float(obj):
    """The loaders send NaN/Infinity as {"$float": "nan" | "inf" | "-inf"} (JSON has no such numbers)."""
    if len(obj) == 1 and "$float" in obj:
        return float(obj["$float"])
    return obj


def _drop_root():
    """Inside the sandbox as root: become the unprivileged uid the executor gave (the canonical solutions this runs
    are dataset code, treated like candidates)."""
    uid = os.environ.get("CRUCIBLE_DROP_UID")
    if uid and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(int(uid))
        os.setuid(int(uid))


def main():
    _drop_root()
    if len(sys.argv) != 2 or sys.argv[1] not in COMMANDS:
        sys.stderr.write("usage: tool.py {%s} < tasks.json\n" % ",".join(COMMANDS))
        return 2
    tasks = json.load(sys.stdin, object_hook=_decode_float)
    real_stdout = sys.stdout
    results = COMMANDS[sys.argv[1]](tasks)
    # Binary data (plus-tests' marshal files) follows the JSON line as raw bytes, in the order the results name it:
    # the helper runs sandboxed and writes no files; Node checks each blob's sha256 and stores it.
    blobs = results.pop() if sys.argv[1] == "plus-tests" else []
    real_stdout.write(json.dumps(results) + "\n")
    real_stdout.flush()
    for blob in blobs:
        real_stdout.buffer.write(blob)
    real_stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
