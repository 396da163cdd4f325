"""A tiny event loop for tools that never touch asyncio themselves.

Importing asyncio costs about 20 ms, most of a worker's start. A tool that
only awaits the SDK (``await client.get(...)``) needs no more than this: run
the coroutine, and whenever it waits on a dispatch, block until the reader
thread delivers the answer. A skill whose source mentions ``asyncio`` (for
``gather``, ``sleep``, tasks…) gets the real event loop instead.
"""

import _thread
from _collections import deque  # collections.deque, without collections' ~1.5 ms of imports


class MiniFuture:
    """The subset of ``asyncio.Future`` the SDK's broker uses."""

    __slots__ = ("_done", "_result", "_exception")

    def __init__(self):
        self._done = False
        self._result = None
        self._exception = None

    def done(self) -> bool:
        return self._done

    def set_result(self, result) -> None:
        self._result, self._done = result, True

    def set_exception(self, exception) -> None:
        self._exception, self._done = exception, True

    def result(self):
        if self._exception is not None:
            raise self._exception
        return self._result

    def __await__(self):
        if not self._done:
            yield self
        return self.result()


class MiniLoop:
    """Runs one coroutine; other threads hand it work with ``call_soon_threadsafe``."""

    def __init__(self):
        self._ready = deque()
        self._mutex = _thread.allocate_lock()
        # Held while nothing is queued: the loop blocks acquiring it and a
        # producer releases it. Plain locks rather than threading.Condition,
        # whose module costs a worker ~3 ms to import.
        self._wake = _thread.allocate_lock()
        self._wake.acquire()

    def create_future(self) -> MiniFuture:
        return MiniFuture()

    def call_soon_threadsafe(self, callback, *args) -> None:
        with self._mutex:
            self._ready.append((callback, args))
            if self._wake.locked():
                self._wake.release()

    def _wait_for(self, future: MiniFuture) -> None:
        while not future.done():
            with self._mutex:
                item = self._ready.popleft() if self._ready else None
            if item is None:
                self._wake.acquire()
                continue
            callback, args = item
            callback(*args)

    def run_until_complete(self, coroutine):
        value, error = None, None
        while True:
            try:
                if error is not None:
                    awaited = coroutine.throw(error)
                else:
                    awaited = coroutine.send(value)
            except StopIteration as stop:
                return stop.value
            value, error = None, None
            if not isinstance(awaited, MiniFuture):
                error = RuntimeError(
                    "This tool awaited something that needs asyncio; "
                    "import asyncio in the skill so it runs on the full event loop"
                )
                continue
            self._wait_for(awaited)
            try:
                value = awaited.result()
            except BaseException as exception:  # noqa: BLE001 — handed back to the tool
                error = exception
