"""The skill worker: a fresh process that runs exactly one tool call.

Lifecycle on the wire (one JSON object per line):

1. worker → engine ``{"__type__": "ready", "pid": N}`` once the SDK is
   loaded (asyncio only loads for a skill whose source uses it);
2. engine → worker ``{"__type__": "call", ...}``;
3. any number of ``dispatch`` / ``dispatch_result`` exchanges;
4. worker → engine ``{"__type__": "result", ...}``, then exit 0.

The worker owns the real stdin/stdout: fd 0 and fd 1 are moved to private
descriptors, fd 0 is replaced by /dev/null and fd 1 by stderr, so skill code
(``print``, ``input``, C extensions, children) cannot write to or read from
the wire.
"""

import _thread
import posix  # see agentos._wire: os costs ~1 ms of every start
import sys


def _import_asyncio():
    # The sandbox has no network, so asyncio's TLS support is dead weight.
    # Hiding `ssl` while asyncio loads skips loading OpenSSL (~8 ms); a skill
    # that imports ssl itself still gets the real one.
    if "ssl" in sys.modules:
        import asyncio
    else:
        sys.modules["ssl"] = None
        try:
            import asyncio
        finally:
            if sys.modules.get("ssl", 0) is None:
                del sys.modules["ssl"]
    return asyncio


def _needs_asyncio(call: dict) -> bool:
    """Whether the skill's own code uses asyncio (gather, sleep, tasks...)."""
    return any("asyncio" in text for text in call["sources"].values())


from agentos import _broker, _codec, _connection, _jar, _mini_loop, _skill_loader  # noqa: E402
from agentos._results import SkillError  # noqa: E402
from agentos._wire import MAX_LINE, LineReader, LineTooLong, LineWriter  # noqa: E402

TRACEBACK_LIMIT = 8 * 1024
"""Bytes of traceback text kept in an error result (the last frames)."""

OUTPUT_LINES = 20
"""Lines of the skill's print and stderr output kept for its result (the last)."""

OUTPUT_CHARS = 4000
"""Characters of that output kept at most."""

_DEVNULL = "/dev/null"
_CO_COROUTINE = 0x80
_CO_VARKEYWORDS = 0x08
_INTERNAL_FILES = (__file__, _skill_loader.__file__)
_SDK_DIR = __file__.rsplit("/", 1)[0] + "/"


class ProtocolError(ValueError):
    """The engine sent something the worker cannot act on."""


def _claim_stdio():
    """Move the wire to private fds; leave /dev/null on fd 0 and stderr on fd 1."""
    global _OUTPUT
    out_fd = posix.dup(1)
    in_fd = posix.dup(0)
    try:
        posix.dup2(2, 1)
    except OSError:
        null = posix.open(_DEVNULL, posix.O_WRONLY)
        posix.dup2(null, 1)
        posix.close(null)
    sys.stdout = sys.stderr = _OUTPUT = OutputTail(sys.stderr)
    try:
        null = posix.open(_DEVNULL, posix.O_RDONLY)
        posix.dup2(null, 0)
        posix.close(null)
    except OSError:
        pass
    return in_fd, out_fd


class OutputTail:
    """A text stream that writes through to stderr and keeps the last lines.

    The engine returns them with the call's result (``output``), so a
    skill's ``print()`` is seen by whoever ran the call.
    """

    def __init__(self, stream):
        self._stream = stream
        self._lines = []
        self._partial = ""

    def write(self, text):
        self._stream.write(text)
        parts = (self._partial + text).split("\n")
        self._partial = parts.pop()[-OUTPUT_CHARS:]
        self._lines.extend(part[-OUTPUT_CHARS:] for part in parts)
        del self._lines[:-OUTPUT_LINES]
        return len(text)

    def text(self) -> str:
        """The kept lines (and an unfinished last line), at most OUTPUT_CHARS."""
        lines = self._lines + ([self._partial] if self._partial else [])
        return "\n".join(lines)[-OUTPUT_CHARS:]

    def __getattr__(self, name):
        return getattr(self._stream, name)


_OUTPUT = None


def _parse_call(line: bytes) -> dict:
    try:
        message = _codec.loads(line)
    except ValueError as error:
        raise ProtocolError(f"Unparseable line from the engine: {error}: {line[:200]!r}") from None
    if not isinstance(message, dict) or message.get("__type__") != "call":
        raise ProtocolError(f"Expected a call message, got {line[:200]!r}")
    call_id = message.get("id")
    if not isinstance(call_id, (str, int)) or isinstance(call_id, bool):
        raise ProtocolError(f"Call has no usable id: {call_id!r}")
    for key in ("module", "function"):
        if not isinstance(message.get(key), str) or not message[key]:
            raise ProtocolError(f'Call "{call_id}" has no {key} name')
    if not isinstance(message.get("kwargs", {}), dict):
        raise ProtocolError(f'Call "{call_id}" kwargs is not an object')
    sources = message.get("sources")
    if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
        raise ProtocolError(f'Call "{call_id}" sources must map file paths to source text')
    if not isinstance(message.get("skill", {}), dict):
        raise ProtocolError(f'Call "{call_id}" skill is not an object')
    return message


def _is_async(func) -> bool:
    for candidate in (func, _unwrap(func)):
        code = getattr(candidate, "__code__", None)
        if code is not None and code.co_flags & _CO_COROUTINE:
            return True
    return False


def _unwrap(func):
    seen = 0
    while hasattr(func, "__wrapped__") and seen < 100:
        func = func.__wrapped__
        seen += 1
    return func


def fit_kwargs(func, kwargs: dict) -> dict:
    """The subset of ``kwargs`` that ``func`` accepts by keyword (all of them with ``**params``)."""
    code = getattr(_unwrap(func), "__code__", None)
    if code is None or code.co_flags & _CO_VARKEYWORDS:
        return dict(kwargs)
    names = code.co_varnames[code.co_posonlyargcount : code.co_argcount + code.co_kwonlyargcount]
    return {key: value for key, value in kwargs.items() if key in names}


async def _invoke(call: dict):
    skill = call.get("skill") or {}
    finder = _skill_loader.SkillSourceFinder(call["sources"], str(skill.get("dir") or "/skill"))
    finder.install()
    module = finder.load(call["module"])
    name = call["function"]
    func = getattr(module, name, None)
    if name.startswith("_") or func is None or not callable(func):
        raise LookupError(f'Tool "{name}" not found in module "{call["module"]}"')
    if not _is_async(func):
        raise TypeError(f"Tool {name} must be async def")
    kwargs = dict(call.get("kwargs") or {})
    chosen = _connection.choose(func, kwargs.get("connection"))
    _connection.bind(chosen)
    _jar.update(call.get("jar"))
    if chosen is not None:  # the tool reads its connection as a dict, as in the reference SDK
        kwargs["connection"] = _connection.describe(chosen)
    auth_by_connection = call.get("connections_auth")
    if isinstance(auth_by_connection, dict) and "auth" not in kwargs and chosen in auth_by_connection:
        kwargs["auth"] = auth_by_connection[chosen]
    result = func(**fit_kwargs(func, kwargs))
    if hasattr(result, "__await__"):
        result = await result
    return result


def _format_traceback(error: BaseException) -> str:
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        internal = filename in _INTERNAL_FILES or filename.startswith("<frozen importlib")
        if not internal and not filename.endswith("importlib/__init__.py"):
            break
        tb = tb.tb_next
    import traceback  # only failing calls pay for it (~2 ms of every start otherwise)

    # The skill's own frames: the SDK's (a client.get that raised) say
    # nothing its author can act on. The last line names the error anyway.
    shown = traceback.TracebackException(type(error), error, tb)
    own = [frame for frame in shown.stack if not frame.filename.startswith(_SDK_DIR)]
    if own:
        shown.stack = traceback.StackSummary.from_list(own)
    text = "".join(shown.format())
    data = text.encode("utf-8", "replace")
    if len(data) > TRACEBACK_LIMIT:
        text = "... (earlier frames cut)\n" + data[-(TRACEBACK_LIMIT - 64) :].decode("utf-8", "ignore")
    return text


def error_result(call_id, error: BaseException, with_traceback: bool = True) -> dict:
    """The ``result`` message reporting ``error``."""
    try:
        message = str(error)
    except Exception:  # noqa: BLE001 — a broken __str__ must not cost the result
        message = f"<unprintable {type(error).__name__}>"
    body = {"type": type(error).__name__, "message": message}
    if isinstance(error, SkillError):
        body["type"] = "SkillError"
        body["message"] = error.message
        for key, value in error.fields.items():
            body.setdefault(key, value)
        body["fields"] = dict(error.fields)
    elif isinstance(error, _broker.DispatchError):
        body["code"] = error.code
        if error.data is not None:
            body["data"] = error.data
    if with_traceback and error.__traceback__ is not None:
        body["traceback"] = _format_traceback(error)
    return {"__type__": "result", "id": call_id, "ok": False, "error": body}


def _send_result(writer: LineWriter, message: dict, function: str = "") -> None:
    """Send the final message; if it cannot be encoded, send an error saying why."""
    try:
        writer.send(message, final=True)
        return
    except LineTooLong as error:
        problem = f"{'Result' if message.get('ok') else 'Error'} of tool {function} is {error.size} bytes, " \
                  f"over the {MAX_LINE} byte line limit"
    except (TypeError, ValueError) as error:
        problem = f"{'Result' if message.get('ok') else 'Error'} of tool {function} cannot be sent as JSON: {error}"
    body = {"type": "TypeError", "message": problem}
    if not message.get("ok"):
        original = message.get("error", {})
        kept = ("type", "message", "traceback")
        body["cause"] = {k: str(original[k])[:TRACEBACK_LIMIT] for k in kept if k in original}
    writer.send({"__type__": "result", "id": message.get("id"), "ok": False, "error": body}, final=True)


def _abort(writer: LineWriter, call_id, reason: str) -> None:
    """Report a protocol failure and end the process with status 1."""
    if not writer.closed:
        try:
            writer.send(error_result(call_id, ProtocolError(reason), with_traceback=False), final=True)
        except OSError:
            pass
    _exit(1)


def _read_results(reader: LineReader, writer: LineWriter, broker, loop, call_id) -> None:
    """Reader thread: route each ``dispatch_result`` line to its waiting future."""
    while True:
        try:
            line = reader.readline()
        except LineTooLong as error:
            _abort(writer, call_id, str(error))
            return
        except OSError:
            line = None
        if line is None:
            reason = "the engine closed the worker's stdin"
            try:
                loop.call_soon_threadsafe(broker.close, reason)
            except RuntimeError:
                pass
            return
        try:
            message = _codec.loads(line)
        except ValueError as error:
            if writer.closed:
                return
            _abort(writer, call_id, f"Unparseable line from the engine: {error}: {line[:200]!r}")
            return
        if not isinstance(message, dict) or message.get("__type__") != "dispatch_result":
            print(f"agentos worker: ignoring unexpected message {line[:200]!r}", file=sys.stderr)
            continue
        try:
            loop.call_soon_threadsafe(broker.deliver, message)
        except RuntimeError:  # the loop is gone: the call is over
            return


class _HeldThread:
    """The reader thread, started while the worker waits for its call and held until the call's broker exists.

    Starting a thread costs ~0.1 ms; this way a spare's call does not wait for it.
    A bare thread: the process ends with os._exit, so nothing joins it.
    """

    def __init__(self, target):
        self._target = target
        self._args = ()
        self._go = _thread.allocate_lock()
        self._go.acquire()
        _thread.start_new_thread(self._held, ())

    def _held(self):
        self._go.acquire()
        self._target(*self._args)

    def start(self, *args) -> None:
        """Let the thread run ``target(*args)``."""
        self._args = args
        self._go.release()


async def _run(call: dict, reader: LineReader, writer: LineWriter, loop, results: _HeldThread) -> dict:
    broker = _broker.Broker(writer, loop)
    _broker.install(broker)
    results.start(reader, writer, broker, loop, call["id"])
    try:
        value = await _invoke(call)
    except BaseException as error:  # noqa: BLE001 — every failure becomes a result
        return _with_output(error_result(call["id"], error))
    if isinstance(value, SkillError):
        return _with_output(error_result(call["id"], value, with_traceback=False))
    return _with_output({"__type__": "result", "id": call["id"], "ok": True, "value": value})


def _with_output(result: dict) -> dict:
    """The result with the last lines the skill printed, when it printed any."""
    text = _OUTPUT.text() if _OUTPUT is not None else ""
    if text:
        result["output"] = text
    return result


def serve() -> int:
    """Run the worker protocol on stdin/stdout; returns the exit status."""
    in_fd, out_fd = _claim_stdio()
    reader, writer = LineReader(in_fd), LineWriter(out_fd)
    # Every skill imports the decorators: load them before "ready", so a
    # spare worker's call does not wait for them (a cold call pays the same).
    from agentos import _decorators  # noqa: F401
    try:
        writer.send({"__type__": "ready", "pid": posix.getpid()})
        # After "ready", and only while no call waits (a cold call's is
        # sent ahead): a spare warms up in its idle time, not on a call's path.
        if not reader.waiting():
            _warm_up()
        results = _HeldThread(_read_results)
        line = reader.readline()
    except LineTooLong as error:
        _abort(writer, None, str(error))
    except OSError:  # the engine went away before the call
        return 1
    if line is None:
        return 0
    try:
        call = _parse_call(line)
    except ProtocolError as error:
        call_id = None
        try:
            call_id = _codec.loads(line).get("id")
        except (ValueError, AttributeError):
            pass
        usable = isinstance(call_id, (str, int)) and not isinstance(call_id, bool)
        _abort(writer, call_id if usable else None, str(error))
    _tighten_limits(writer, call)
    if _needs_asyncio(call):
        asyncio = _import_asyncio()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    else:
        loop = _mini_loop.MiniLoop()
    result = loop.run_until_complete(_run(call, reader, writer, loop, results))
    try:
        _send_result(writer, result, call["function"])
    except OSError:
        return 1
    return 0


_WARM_SOURCE = """async def warm_up(**params):
    return {"ok": True}
"""
"""A tool's shape, only compiled (never run); a decorated module warms little more at twice the cost."""


def _warm_up() -> None:
    """Pay first uses that no skill decides before the call rather than in it.

    In a fresh interpreter the first compile of a module costs 0.07-0.15 ms
    more than the next, the SDK's lazily loaded decorator names resolve on first
    import, and the first rlimit call through ``_ctypes`` (the call's own
    lowering) costs ~0.05 ms. Nothing of a skill is involved, so a spare
    stays skill-less: the compiled code is dropped and the limits only read.
    """
    _skill_loader.compile_module(_WARM_SOURCE, "<warm-up>")
    import agentos

    for name in ("provides", "returns", "timeout", "connection"):
        getattr(agentos, name)
    from agentos import _limits

    _limits.warm()


def _tighten_limits(writer: LineWriter, call: dict) -> None:
    """Lower rlimits to the call's own (e.g. CPU seconds from ``@timeout``) before skill code loads.

    A spare worker starts with the engine's ceilings because it does not know
    its tool yet; limits only ever go down.
    """
    limits = call.get("limits")
    if not limits:
        return
    from agentos import _limits

    try:
        if not isinstance(limits, dict):
            raise _limits.LimitError(f"limits must be an object, got {limits!r}")
        _limits.apply_rlimits({key: int(limits[key]) for key in limits if key in _limits.LIMITS}, lower_only=True)
    except (_limits.LimitError, TypeError, ValueError) as error:
        _abort(writer, call["id"], f"Cannot apply the call's limits: {error}")


def _exit(status: int):
    """Flush what the skill wrote to stderr and leave at once.

    ``os._exit`` skips interpreter teardown on purpose: the process served its
    one call, and a thread or task the skill left behind must not hold it open.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    posix._exit(status)


def main() -> None:
    """Serve one call and exit the process."""
    _exit(serve())
