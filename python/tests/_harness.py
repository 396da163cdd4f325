"""A real worker process driven over its wire protocol, for tests.

No mocks: each ``Worker`` is ``python3 -I -S worker_main.py`` as the engine
runs it (minus the sandbox), and the test plays the engine's side.
"""

import compileall
import json
import os
import select
import subprocess
import sys
import threading
import time

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(PYTHON_DIR, "worker_main.py")

if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

# The engine byte-compiles the SDK when it starts (engine/sandbox/python_runtime.ts), so its workers never
# compile it; so here, whatever order the tests run in (a fresh checkout has no .pyc, and a worker that
# compiles a module builds the AST classes that StartCostTest checks are not built).
compileall.compile_dir(os.path.join(PYTHON_DIR, "agentos"), quiet=1)


class Worker:
    """One worker subprocess; use as a context manager so it is always reaped."""

    def __init__(self, args=(), timeout: float = 10.0):
        self.timeout = timeout
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", WORKER, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._buffer = b""
        self._stderr = []
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()

    def _drain_stderr(self) -> None:
        for chunk in iter(lambda: self.proc.stderr.read1(65536), b""):
            self._stderr.append(chunk)

    @property
    def stderr(self) -> str:
        self._stderr_thread.join(timeout=self.timeout)
        return b"".join(self._stderr).decode("utf-8", "replace")

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=self.timeout)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._stderr_thread.join(timeout=self.timeout)
        self.proc.stderr.close()

    def send_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict) -> None:
        self.send_raw(json.dumps(message).encode() + b"\n")

    def close_stdin(self) -> None:
        self.proc.stdin.close()

    def recv_line(self):
        """The next stdout line as bytes, or None at end of output."""
        deadline = time.monotonic() + self.timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"No line from the worker within {self.timeout}s; stderr: {self.stderr_now()}")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                if self._buffer:
                    line, self._buffer = self._buffer, b""
                    return line
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def recv(self) -> dict:
        line = self.recv_line()
        if line is None:
            raise EOFError(f"Worker closed stdout; stderr: {self.stderr_now()}")
        return json.loads(line)

    def stderr_now(self) -> str:
        return b"".join(self._stderr).decode("utf-8", "replace")

    def ready(self) -> dict:
        message = self.recv()
        assert message.get("__type__") == "ready", message
        return message

    def call(self, sources, function, kwargs=None, module=None, call_id="c-1", **extra) -> None:
        """Wait for ready, then send a call for ``function`` in ``module`` (default: the first file)."""
        self.ready()
        if isinstance(sources, str):
            sources = {"skill.py": sources}
        module = module or sorted(sources)[0][:-3].replace("/", ".")
        self.send({
            "__type__": "call",
            "id": call_id,
            "skill": {"id": "test-skill", "dir": "/skill"},
            "module": module,
            "function": function,
            "kwargs": kwargs or {},
            "sources": sources,
            **extra,
        })

    def answer(self, dispatch: dict, result=None, error=None) -> None:
        message = {"__type__": "dispatch_result", "id": dispatch["id"]}
        if error is not None:
            message["error"] = error
        else:
            message["result"] = result
        self.send(message)

    def result(self) -> dict:
        """Read until the result message; fails on any unanswered dispatch that needs an answer."""
        while True:
            message = self.recv()
            if message["__type__"] == "result":
                return message
            if message["__type__"] == "dispatch" and message["op"] in ("log", "progress"):
                continue
            raise AssertionError(f"Expected a result, got {message}")

    def wait(self) -> int:
        return self.proc.wait(timeout=self.timeout)


def run_tool(source, function, kwargs=None, **extra):
    """Run a tool that makes no dispatches; returns ``(result message, exit code, stderr)``."""
    with Worker() as worker:
        worker.call(source, function, kwargs, **extra)
        result = worker.result()
        code = worker.wait()
        return result, code, worker.stderr
