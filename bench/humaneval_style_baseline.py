# A baseline that runs programs the way openai/human-eval does (written for crucible's benchmark, not copied):
# per candidate, a multiprocessing.Manager list for the result and a forked Process running the whole program
# (prompt + completion + test + check call), joined with a timeout; a thread pool drives the candidates.
# Input: a JSONL file of {"program": str}; writes to the output file one JSON verdict per line, then {"seconds": total}.
import io
import json
import multiprocessing
import sys
import time
from concurrent.futures import ThreadPoolExecutor

TIMEOUT = 3.0


def run_program(program, result):
    sys.stdout = io.StringIO()  # swallow the program's prints, as human-eval does
    sys.stdin = io.StringIO()
    try:
        exec(program, {})
        result.append('passed')
    except BaseException as e:  # a failed assert or any exception counts as a failure, as in human-eval
        result.append('failed: %s' % type(e).__name__)


def check_one(program):
    manager = multiprocessing.Manager()
    try:
        result = manager.list()
        process = multiprocessing.Process(target=run_program, args=(program, result))
        process.start()
        process.join(timeout=TIMEOUT + 1)
        if process.is_alive():
            process.kill()
            process.join()
        return result[0] if len(result) else 'timed out'
    finally:
        manager.shutdown()


def main():
    multiprocessing.set_start_method('fork')
    programs = [json.loads(line)['program'] for line in open(sys.argv[1])]
    workers = int(sys.argv[2])
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        verdicts = list(pool.map(check_one, programs))
    seconds = time.perf_counter() - t0
    with open(sys.argv[3], 'w') as out:
        for v in verdicts:
            out.write(json.dumps(v) + '\n')
        out.write(json.dumps({'seconds': seconds}) + '\n')


if __name__ == '__main__':
    main()
