"""Worker start-to-ready time against a bare interpreter start (not a unittest).

    python3 tests/bench_startup.py [runs]      (default 20 runs, from python/)

Interleaves, per run: ``python3 -I -S -c pass`` (spawn to exit),
``python3 -I -S worker_main.py`` (spawn to its ready line) and the same
worker started as the engine starts it (``-B``, ``--limits``, ``--no-fork``)
serving one call of a no-op tool (spawn to exit). Prints the median and min
of each, and the median CPU time (user + system) of the processes. All use
the interpreter running this script.
"""

import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(HERE, "worker_main.py")
ENGINE_ARGS = ("--limits", "cpu=605,as=1073741824,nproc=64,fsize=67108864,nofile=256", "--no-fork")
NOOP_CALL = json.dumps({
    "__type__": "call",
    "id": "c-1",
    "skill": {"id": "noop", "dir": "/skill"},
    "module": "noop",
    "function": "noop",
    "kwargs": {},
    "sources": {"noop.py": (
        "from agentos import provides, returns\n\n\n"
        '@returns({"ok": "boolean"})\n'
        '@provides("bench_noop", description="Do nothing and say so")\n'
        "async def noop(**params):\n"
        '    """Do nothing and say so."""\n'
        '    return {"ok": True}\n'
    )},
}).encode() + b"\n"


def _cpu(pid: int) -> float:
    _, status, usage = os.wait4(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, status
    return usage.ru_utime + usage.ru_stime


def bare():
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", "pass"])
    cpu = _cpu(proc.pid)
    proc.returncode = 0
    return time.perf_counter() - start, cpu


def worker():
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-I", "-S", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    assert line.startswith(b'{"__type__":"ready"'), line
    proc.stdin.close()
    cpu = _cpu(proc.pid)
    proc.returncode = 0
    proc.stdout.close()
    return elapsed, cpu


def call():
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-I", "-S", "-B", WORKER, *ENGINE_ARGS], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    proc.stdin.write(NOOP_CALL)
    proc.stdin.close()
    out = proc.stdout.read()
    cpu = _cpu(proc.pid)
    elapsed = time.perf_counter() - start
    proc.returncode = 0
    proc.stdout.close()
    assert out.endswith(b'"ok":true,"value":{"ok":true}}\n'), out
    return elapsed, cpu


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    worker()  # warm the page cache and write __pycache__
    cases = {"bare python3 -I -S -c pass": bare, "worker_main.py to ready": worker, "one no-op call, to exit": call}
    samples = {name: [] for name in cases}
    for _ in range(runs):
        for name, run in cases.items():
            samples[name].append(run())
    print(f"{sys.executable}, {runs} runs")
    for name, values in samples.items():
        wall = [v[0] * 1000 for v in values]
        cpu = statistics.median(v[1] * 1000 for v in values)
        print(f"  {name:28s} median {statistics.median(wall):6.1f} ms   min {min(wall):6.1f} ms   cpu {cpu:5.1f} ms")


if __name__ == "__main__":
    main()
