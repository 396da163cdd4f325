"""Connections: module-level declarations and the tool's current binding.

``connection("api", base_url=..., auth={...})`` at module level declares a
connection (the engine reads it from the AST; at run time it is recorded so
relative URLs can be resolved). ``@connection("api")`` binds a tool to one.
The worker binds the running tool's connection before calling it.
"""

_KNOWN = ("base_url", "auth", "description", "label", "help_url", "domain", "client", "optional", "vars", "sqlite")


class Connection:
    """A declared connection, also usable as ``@connection(name)`` decorator."""

    __slots__ = ("name",) + _KNOWN + ("options",)

    def __init__(self, name, **options):
        self.name = name
        for key in _KNOWN:
            setattr(self, key, options.pop(key, None))
        self.options = options

    def __call__(self, func):
        func._agentos_connection = self.name
        return func

    def __repr__(self) -> str:
        return f"Connection({self.name!r}, base_url={self.base_url!r})"


_declared = {}
_current = None


def connection(name, **options):
    """Declare a connection (with keyword options) or bind a tool to one.

    Args:
        name: Connection name (``"api"``), or a list of names a tool accepts.
        **options: ``base_url``, ``auth``, ``description``, ``label``,
            ``help_url``, ``domain``, ``client``, ``optional``, ``vars``,
            ``sqlite`` and any other literal the engine understands.

    Returns:
        A Connection; calling it on a function binds that function to it.
    """
    conn = Connection(name, **options)
    if options and isinstance(name, str):
        _declared[name] = conn
    return conn


def declared():
    """Connections declared so far, by name."""
    return dict(_declared)


def choose(func, requested=None):
    """The connection name a tool runs with, or None.

    The tool's ``@connection`` wins (``requested`` picks among a list);
    otherwise a skill with exactly one declared connection uses it.
    """
    bound = getattr(func, "_agentos_connection", None)
    if isinstance(bound, (list, tuple)):
        names = [str(n) for n in bound]
        if requested in names:
            return requested
        return names[0] if names else None
    if isinstance(bound, str):
        return None if bound == "none" else bound
    if len(_declared) == 1:
        return next(iter(_declared))
    return None


def bind(name) -> None:
    """Set the connection the running tool uses."""
    global _current
    _current = name


def current():
    """Name of the running tool's connection, or None."""
    return _current


def base_url():
    """``base_url`` of the running tool's connection, or None."""
    conn = _declared.get(_current) if _current else None
    return conn.base_url if conn is not None else None


# What a tool sees of its connection: the declaration's literals, never auth.
_DESCRIBED = ("base_url", "description", "label", "help_url", "domain", "client", "optional", "vars", "sqlite")


def describe(name):
    """The ``connection`` dict a tool receives: ``{"name", "id", "base_url", "vars", ...}``.

    Published skills read ``connection["vars"]`` (paths, binaries) and
    ``connection["name"]`` (which of their connections the call uses).
    ``auth`` stays out: credentials reach a tool only as ``params["auth"]``.
    """
    conn = _declared.get(name)
    out = {"name": name, "id": name}
    if conn is not None:
        for key in _DESCRIBED:
            value = getattr(conn, key)
            if value is not None:
                out[key] = value
        out.update({k: v for k, v in conn.options.items() if k not in out and k != "auth"})
    out.setdefault("vars", {})
    return out
