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

from agentos._broker import DispatchError, _dispatch
from agentos._client import client
from agentos._compat import credentials, crypto, oauth
from agentos._connection import Connection, connection
from agentos._dates import iso_from_ms, iso_from_seconds, parse_date
from agentos._decorators import claims, provides, returns, test, timeout
from agentos._identity import normalize_email, normalize_handle, normalize_phone
from agentos._results import SkillError, skill_error, skill_result, skill_secret
from agentos._services import capability, graph, log, progress, secrets, shell, sql
from agentos._text import clean_html, clean_text, molt, parse_float, parse_int, strip_tags
from agentos._url import url
from agentos.tools import (
    api_key,
    browser_session,
    cdp_access,
    cookie_auth,
    email_lookup,
    file_info,
    file_list,
    file_read,
    flight_search,
    geocoding,
    llm,
    login_credentials,
    map_tiles,
    oauth_auth,
    password,
    signs_for,
    web_read,
    web_search,
)

http = client
"""The same HTTP broker as ``client``, under the name older skills use."""

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
