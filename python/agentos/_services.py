"""Engine-brokered helpers: secrets, sql, capability, graph, shell, log, progress, llm.

Each is a thin wrapper over ``_dispatch``: it names the op and shapes the
params. Policy (what a skill may read, query or call) is the engine's job.
"""

from agentos import _connection
from agentos._broker import _dispatch, _notify


class _Done:
    """Result of a fire-and-forget helper: ignorable, and awaitable for code that awaits it."""

    __slots__ = ()

    def __await__(self):
        return iter(())

    def __repr__(self) -> str:
        return "None"


_DONE = _Done()


class _Secrets:
    async def read(self, domain=None, identifier=None, **options):
        """Read a stored credential (default: this skill's connection domain)."""
        params = {"domain": domain, "identifier": identifier, "connection": _connection.current(), **options}
        return await _dispatch("secrets.read", params)

    def __repr__(self) -> str:
        return "agentos.secrets"


class _Sql:
    async def query(self, sql, params=None, db=None, **options):
        """Run a read-only query; returns a list of row dicts.

        ``query(sql, "path.db")`` (the published SDK's positional ``db``) is
        accepted too: a string in the ``params`` position is the database.
        """
        if isinstance(params, str) and db is None:
            params, db = None, params
        return await _dispatch("sql.query", {"sql": sql, "params": params, "db": db, **options})

    def __repr__(self) -> str:
        return "agentos.sql"


class _Capability:
    async def call(self, name, params=None, **options):
        """Invoke a capability by name (never a skill name); returns the provider's result."""
        return await _dispatch("capability.call", {"name": str(name), "params": params or {}, **options})

    def __repr__(self) -> str:
        return "agentos.capability"


class _Graph:
    """``await graph.<op>(params or **fields)`` dispatches ``graph.<op>`` unchanged."""

    def __getattr__(self, op):
        if op.startswith("_"):
            raise AttributeError(op)

        async def call(params=None, **fields):
            return await _dispatch("graph." + op, {**(params or {}), **fields})

        call.__name__ = op
        call.__qualname__ = "graph." + op
        return call

    def __repr__(self) -> str:
        return "agentos.graph"


class _Shell:
    async def run(self, binary, args=None, cwd=None, input=None, timeout=None, **options):
        """Ask the engine to run a program (``shell.run``): one the readme declares (``shell: [git]``)
        and the owner granted (``agentos skills allow <skill> --run git``). ``args`` is an argv list,
        never parsed by a shell. Returns ``{exit_code, stdout, stderr, timed_out, truncated}``."""
        params = {"binary": binary, "args": list(args or []), "cwd": cwd, "input": input, "timeout": timeout, **options}
        return await _dispatch("shell.run", params)

    def __repr__(self) -> str:
        return "agentos.shell"


class _Log:
    """``log(message)``, ``log.info(message)``... — a ``log`` dispatch, not awaited."""

    def __call__(self, message, level="info", **fields):
        params = {"level": level, "message": str(message)}
        if fields:
            params["fields"] = fields
        _notify("log", params)
        return _DONE

    def debug(self, message, **fields):
        return self(message, "debug", **fields)

    def info(self, message, **fields):
        return self(message, "info", **fields)

    def warning(self, message, **fields):
        return self(message, "warning", **fields)

    warn = warning

    def error(self, message, **fields):
        return self(message, "error", **fields)

    def __repr__(self) -> str:
        return "agentos.log"


class _Progress:
    """``progress(done, total=None, message=None)`` — a ``progress`` dispatch, not awaited."""

    def __call__(self, progress, total=None, message=None):
        params = {"progress": progress}
        if total is not None:
            params["total"] = total
        if message is not None:
            params["message"] = str(message)
        _notify("progress", params)
        return _DONE

    report = __call__

    def __repr__(self) -> str:
        return "agentos.progress"


secrets = _Secrets()
sql = _Sql()
capability = _Capability()
graph = _Graph()
shell = _Shell()
log = _Log()
progress = _Progress()
