"""Newline-delimited JSON framing over raw file descriptors.

The worker talks to the engine with one JSON object per line (UTF-8, at most
``MAX_LINE`` bytes). Reading and writing go straight to file descriptors with
``os.read``/``os.write`` rather than ``sys.stdin``/``sys.stdout``: the worker
gives fd 0 and fd 1 away (to /dev/null and stderr) so skill code cannot touch
the wire, and a daemon reader thread blocked in a buffered ``readline`` would
hold the buffer's lock during interpreter shutdown.

The worker's start path uses ``posix`` (what ``os`` re-exports on POSIX) and
``_thread`` rather than ``os`` and ``threading``, and ``agentos._codec``
rather than ``json``: together those imports cost more than the interpreter's
own start.
"""

import _thread
import posix  # os.read and os.write without os itself (~1 ms of a worker's start)

from agentos import _codec

MAX_LINE = 16 * 1024 * 1024
"""Largest line, in bytes without the newline, either side may send."""

_CHUNK = 1 << 20


class LineTooLong(ValueError):
    """A line went past ``MAX_LINE`` bytes before its newline."""

    def __init__(self, size: int, partial: bool = False):
        super().__init__(f"Line of {'at least ' if partial else ''}{size} bytes exceeds the {MAX_LINE} byte limit")
        self.size = size


class LineReader:
    """Blocking line reader over a file descriptor.

    ``readline()`` returns one line without its newline, or ``None`` at end of
    input. Empty lines are skipped. Bytes after a line stay buffered, so one
    reader can be handed from the main thread to a reader thread mid-stream.
    """

    def __init__(self, fd: int, limit: int = MAX_LINE):
        self._fd = fd
        self._limit = limit
        self._buf = bytearray()
        self._scanned = 0  # bytes of _buf already known to hold no newline

    def waiting(self) -> bool:
        """Whether input (or its end) is already there: takes what is, without blocking."""
        if self._buf:
            return True
        posix.set_blocking(self._fd, False)
        try:
            chunk = posix.read(self._fd, _CHUNK)
        except BlockingIOError:
            return False
        finally:
            posix.set_blocking(self._fd, True)
        self._buf += chunk
        return True

    def readline(self):
        while True:
            end = self._buf.find(b"\n", self._scanned)
            if end >= 0:
                line = bytes(self._buf[:end])
                del self._buf[: end + 1]
                self._scanned = 0
                if len(line) > self._limit:
                    raise LineTooLong(len(line))
                if line.strip():
                    return line
                continue
            self._scanned = len(self._buf)
            if self._scanned > self._limit:
                raise LineTooLong(self._scanned, partial=True)
            chunk = posix.read(self._fd, _CHUNK)
            if not chunk:
                line = bytes(self._buf)
                self._buf.clear()
                self._scanned = 0
                return line if line.strip() else None
            self._buf += chunk


def json_default(value):
    """``json.dumps`` fallback for the common non-JSON types skills return.

    datetime/date/time become ISO 8601 strings, sets become lists, Decimal a
    number, Enum its value, dataclasses a dict, anything path- or uuid-like
    its string form. Bytes are refused: their meaning (text? base64?) is the
    skill's decision, not the wire's.
    """
    iso = getattr(value, "isoformat", None)
    if iso is not None and callable(iso):
        return iso()
    if isinstance(value, (set, frozenset)):
        try:
            return sorted(value)
        except TypeError:
            return list(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError("Object of type bytes is not JSON serializable: decode it or base64-encode it")
    kind = type(value)
    module = kind.__module__
    if module == "decimal":
        return float(value)
    if module in ("uuid", "pathlib", "ipaddress") or kind.__name__.endswith("Path"):
        return str(value)
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        import dataclasses

        return dataclasses.asdict(value)
    enum_value = getattr(value, "value", None)
    if enum_value is not None and any(c.__module__ == "enum" for c in kind.__mro__[1:]):
        return enum_value
    raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")


def _finite(value):
    """Copy of ``value`` with NaN and infinities replaced by None."""
    if isinstance(value, float):
        return value if value - value == 0 else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def encode(message) -> bytes:
    """One wire line for ``message``, newline included.

    Raises TypeError or ValueError when the message cannot be encoded, and
    LineTooLong when it would exceed ``MAX_LINE``. Non-finite floats (which
    JSON cannot carry) become null; lone surrogates are \\u-escaped.
    """
    try:
        text = _codec.dumps(message, ensure_ascii=False, allow_nan=False, compact=True, default=json_default)
    except ValueError as error:
        if "Out of range float" not in str(error):
            raise
        message = _finite(_codec.loads(_codec.dumps(message, default=json_default)))
        text = _codec.dumps(message, ensure_ascii=False, allow_nan=False, compact=True)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        text = _codec.dumps(message, ensure_ascii=True, allow_nan=False, compact=True, default=json_default)
        data = text.encode("ascii")
    if len(data) > MAX_LINE:
        raise LineTooLong(len(data))
    return data + b"\n"


class LineWriter:
    """Writes whole lines to a file descriptor, one writer at a time.

    After a ``final`` line (the call's result) every later ``send`` is
    dropped: the result must be the last thing the engine reads.
    """

    def __init__(self, fd: int):
        self._fd = fd
        self._lock = _thread.allocate_lock()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def send(self, message, final: bool = False) -> bool:
        """Encode and write ``message``; False if the writer was already closed.

        Encoding errors propagate to the caller. A write error (the engine
        closed the pipe) propagates as OSError.
        """
        data = encode(message)
        with self._lock:
            if self._closed:
                return False
            if final:
                self._closed = True
            view = memoryview(data)
            while view:
                written = posix.write(self._fd, view)
                view = view[written:]
        return True
