"""AgentOS skill SDK: what skill code imports.

Source-compatible with the public AgentOS skill SDK, so published skills run
unchanged::

    from agentos import client, connection, provides, returns, test, timeout, web_search

    connection("api", base_url="https://api.example.com", auth={"type": "api_key"})

    @returns("webpage[]")
    @provides(web_search)
    @timeout(60)
    async def search(query: str, limit: int = 10, **params):
        resp = await client.get("/search", params={"q": query, "n": limit})
        return resp["json"]["results"]

Decorators only record metadata. Every side effect (HTTP, secrets, SQL,
capabilities, graph, logs) is brokered by the engine over the worker's pipe;
skill code has no network or disk of its own. Standard library only; heavy
modules load on first use.
"""

import sys as _sys

_SOURCES = {
    "_broker": ("DispatchError", "_dispatch"),
    "_client": ("client",),
    "_compat": ("credentials", "crypto", "oauth"),
    "_connection": ("Connection", "connection"),
    "_dates": ("iso_from_ms", "iso_from_seconds", "parse_date"),
    "_decorators": ("claims", "provides", "returns", "test", "timeout"),
    "_identity": ("normalize_email", "normalize_handle", "normalize_phone"),
    "_results": ("SkillError", "skill_error", "skill_result", "skill_secret"),
    "_services": ("capability", "graph", "log", "progress", "secrets", "shell", "sql"),
    "_text": ("clean_html", "clean_text", "molt", "parse_float", "parse_int", "strip_tags"),
    "_url": ("url",),
    "tools": (
        "api_key", "browser_session", "cdp_access", "cookie_auth", "email_lookup", "file_info", "file_list",
        "file_read", "flight_search", "geocoding", "llm", "login_credentials", "map_tiles", "oauth_auth",
        "password", "signs_for", "web_read", "web_search",
    ),
}
"""The module defining each name. Names load on first use (PEP 562), so a
worker pays only for the parts of the SDK its skill touches: all of it costs
about 1 ms, against a worker start of about 7 ms."""

_WHERE = {name: module for module, names in _SOURCES.items() for name in names}
_WHERE["http"] = "_client"  # the same HTTP broker as ``client``, under the name older skills use


def __getattr__(name: str):
    """Import what defines ``name`` on first use, then keep it here."""
    if name in _SOURCES:  # a submodule the SDK used to import eagerly, as in ``agentos._text.molt``
        __import__(f"agentos.{name}")
        return _sys.modules[f"agentos.{name}"]
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'agentos' has no attribute {name!r}")
    __import__(f"agentos.{module}")
    value = getattr(_sys.modules[f"agentos.{module}"], "client" if name == "http" else name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE) | set(_SOURCES))


__all__ = [
    # decorators
    "provides", "returns", "test", "timeout", "connection", "claims", "Connection",
    # capability names
    "web_search", "web_read", "email_lookup", "flight_search", "geocoding", "map_tiles",
    "file_list", "file_read", "file_info", "llm", "cookie_auth", "oauth_auth", "cdp_access",
    "browser_session", "login_credentials", "password", "api_key", "signs_for",
    # brokered side effects
    "client", "http", "secrets", "sql", "capability", "graph", "shell", "log", "progress",
    "oauth", "credentials", "crypto", "DispatchError",
    # results
    "skill_error", "SkillError", "skill_result", "skill_secret",
    # helpers
    "parse_int", "parse_float", "parse_date", "iso_from_ms", "iso_from_seconds",
    "normalize_email", "normalize_handle", "normalize_phone",
    "clean_html", "clean_text", "strip_tags", "molt", "url",
]
