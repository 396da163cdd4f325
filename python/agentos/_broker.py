"""The one door for side effects: ``await _dispatch(op, params)``.

Every SDK helper that touches the world (HTTP, secrets, SQL, capabilities,
graph, logs) ends here. A dispatch is one ``dispatch`` line to the engine;
the engine answers with a ``dispatch_result`` line carrying the same id. Many
dispatches may be in flight at once: each waits on its own future, and the
worker's single reader thread routes results to futures by id.
"""

FIRE_AND_FORGET = frozenset({"log", "progress"})
"""Ops the engine never answers: the worker writes them and moves on."""

INTERNAL_ERROR = -32603
"""Code of DispatchErrors raised by the worker itself (pipe closed, bad reply)."""


class DispatchError(Exception):
    """The engine refused or failed a dispatched operation.

    Attributes:
        code: The engine's error code (JSON-RPC style, e.g. -32010).
        message: The engine's message.
        data: Optional structured detail from the engine.
    """

    def __init__(self, code: int, message: str, data=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        return (type(self), (self.code, self.message, self.data))


class Broker:
    """Correlates dispatches with their results over one wire.

    Lives on the worker's event loop thread; ``deliver`` and ``close`` are
    called there too (the reader thread hops over with
    ``call_soon_threadsafe``).
    """

    def __init__(self, writer, loop):
        self._writer = writer
        self._loop = loop
        self._pending = {}
        self._next_id = 1
        self._closed_reason = None

    def _take_id(self) -> int:
        dispatch_id = self._next_id
        self._next_id += 1
        return dispatch_id

    def notify(self, op: str, params) -> None:
        """Write a dispatch nobody waits for (``log``, ``progress``)."""
        self._writer.send({"__type__": "dispatch", "id": self._take_id(), "op": op, "params": params})

    async def dispatch(self, op: str, params):
        if op in FIRE_AND_FORGET:
            self.notify(op, params)
            return None
        if self._closed_reason is not None:
            raise DispatchError(INTERNAL_ERROR, f"Cannot dispatch {op}: {self._closed_reason}")
        dispatch_id = self._take_id()
        future = self._loop.create_future()
        self._pending[dispatch_id] = future
        try:
            self._writer.send({"__type__": "dispatch", "id": dispatch_id, "op": op, "params": params})
            return await future
        finally:
            self._pending.pop(dispatch_id, None)

    def deliver(self, message: dict) -> None:
        """Resolve the future waiting on ``message["id"]``; unknown ids are dropped."""
        future = self._pending.pop(message.get("id"), None)
        if future is None or future.done():
            return
        error = message.get("error")
        if error is not None:
            if isinstance(error, dict):
                code = error.get("code")
                future.set_exception(
                    DispatchError(
                        code if isinstance(code, int) else INTERNAL_ERROR,
                        str(error.get("message", "Dispatch failed")),
                        error.get("data"),
                    )
                )
            else:
                future.set_exception(DispatchError(INTERNAL_ERROR, str(error)))
        else:
            future.set_result(message.get("result"))

    def close(self, reason: str) -> None:
        """Fail every pending and future dispatch with ``reason``."""
        self._closed_reason = reason
        pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(DispatchError(INTERNAL_ERROR, reason))


_broker = None


def install(broker) -> None:
    """Make ``broker`` the target of ``_dispatch`` (the worker does this once)."""
    global _broker
    _broker = broker


def _require_broker():
    if _broker is None:
        raise RuntimeError("agentos side effects need the engine: this code is not running inside a skill worker")
    return _broker


async def _dispatch(op: str, params=None):
    """Send one side effect to the engine and return its result.

    Raises:
        DispatchError: the engine answered with an error.
        RuntimeError: not running inside a worker.
    """
    return await _require_broker().dispatch(op, {} if params is None else params)


def _notify(op: str, params) -> None:
    """Fire-and-forget dispatch, usable from synchronous code."""
    _require_broker().notify(op, params)
