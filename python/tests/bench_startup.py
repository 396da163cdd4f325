"""Worker start-to-ready time against a bare interpreter start (not a unittest).

    python3 tests/bench_startup.py [runs]      (default 20 runs, from python/)

Interleaves, per run: ``python3 -I -S -c pass`` (spawn to exit) and
``python3 -I -S worker_main.py`` (spawn to its ready line), and prints the
median and min of each. Both use the interpreter running this script.
"""

import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(HERE, "worker_main.py")


def bare() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-I", "-S", "-c", "pass"], check=True)
    return time.perf_counter() - start


def worker(extra=()) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-I", "-S", *extra, WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    assert line.startswith(b'{"__type__":"ready"'), line
    proc.stdin.close()
    proc.wait()
    proc.stdout.close()
    return elapsed


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    worker()  # warm the page cache and write __pycache__
    samples = {"bare python3 -I -S -c pass": [], "worker_main.py to ready": []}
    for _ in range(runs):
        samples["bare python3 -I -S -c pass"].append(bare())
        samples["worker_main.py to ready"].append(worker())
    print(f"{sys.executable}, {runs} runs")
    for name, values in samples.items():
        print(f"  {name:28s} median {statistics.median(values) * 1000:6.1f} ms   min {min(values) * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
