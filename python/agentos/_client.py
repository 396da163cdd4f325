"""``client`` (alias ``http``): HTTP verbs brokered by the engine.

A request becomes one ``http.request`` dispatch; the engine checks it against
the skill's declared connections, performs it and answers with the response.
The worker has no network of its own.
"""

from agentos import _codec, _connection, _jar
from agentos._broker import _dispatch


def resolve_url(url: str, base) -> str:
    """Absolute URL for ``url``, joining a relative one onto ``base``.

    Joining keeps the base's path, like httpx's ``base_url``: base
    ``https://api.x.com/v1`` and ``/search`` give ``https://api.x.com/v1/search``.
    """
    url = str(url)
    lowered = url[:8].lower()
    if lowered.startswith("http://") or lowered.startswith("https://"):
        return url
    if not base:
        raise ValueError(f'Cannot resolve relative URL "{url}": the tool has no connection with a base_url')
    base = str(base)
    if url.startswith("//"):
        return base.split("//", 1)[0] + url
    if url.startswith("?") or url == "":
        return base + url
    return base.rstrip("/") + "/" + url.lstrip("/")


def _normalize(response, method: str, url: str) -> dict:
    """The engine's response as the dict skills read: status, ok, url, headers, body, json."""
    if not isinstance(response, dict):
        response = {"body": response}
    status = response.get("status")
    status = status if isinstance(status, int) else 0
    headers = response.get("headers") or {}
    if isinstance(headers, dict):
        headers = {str(k).lower(): v for k, v in headers.items()}
    elif isinstance(headers, list):  # [[name, value], ...]
        merged = {}
        for name, value in headers:
            key = str(name).lower()
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
        headers = merged
    else:
        headers = {}
    body = response.get("body")
    body = "" if body is None else body if isinstance(body, str) else str(body)
    out = dict(response)
    out.update(status=status, headers=headers, body=body)
    out.setdefault("url", url)
    if not isinstance(out.get("ok"), bool):
        out["ok"] = 200 <= status < 300
    if "json" not in response:
        out["json"] = _parse_json(body) if method != "HEAD" else None
    return out


def _parse_json(body: str):
    text = body.strip()
    if not text or text[0] not in '{["-0123456789tfn':
        return None
    return _codec.parse(text)


class Client:
    """Async HTTP verbs; each returns ``{status, ok, url, headers, body, json}``.

    Relative URLs resolve against the running tool's connection ``base_url``.
    """

    async def request(self, method, url, params=None, headers=None, json=None, data=None, timeout=None, **options):
        """Send one request through the engine (``http.request`` dispatch)."""
        method = str(method).upper()
        absolute = resolve_url(url, _connection.base_url())
        if data is None and "body" in options:
            data = options.pop("body")
        if isinstance(data, (bytes, bytearray)):
            data = bytes(data).decode("utf-8")
        payload = {
            "method": method,
            "url": absolute,
            "params": params,
            "headers": {str(k): str(v) for k, v in headers.items()} if headers else None,
            "json": json,
            "data": data,
            "timeout": timeout,
            "connection": _connection.current(),
        }
        # Published skills pass http2=, cookies=, client=, skip_cookies=...: the
        # engine decides what they mean, so they ride along unchanged.
        payload.update(options)
        response = await _dispatch("http.request", payload)
        if isinstance(response, dict) and "jar" in response:
            _jar.update(response.pop("jar"))
        return _normalize(response, method, absolute)

    async def get(self, url, params=None, headers=None, json=None, data=None, timeout=None, **options):
        return await self.request("GET", url, params, headers, json, data, timeout, **options)

    async def post(self, url, params=None, headers=None, json=None, data=None, timeout=None, **options):
        return await self.request("POST", url, params, headers, json, data, timeout, **options)

    async def put(self, url, params=None, headers=None, json=None, data=None, timeout=None, **options):
        return await self.request("PUT", url, params, headers, json, data, timeout, **options)

    async def patch(self, url, params=None, headers=None, json=None, data=None, timeout=None, **options):
        return await self.request("PATCH", url, params, headers, json, data, timeout, **options)

    async def delete(self, url, params=None, headers=None, json=None, data=None, timeout=None, **options):
        return await self.request("DELETE", url, params, headers, json, data, timeout, **options)

    async def head(self, url, params=None, headers=None, json=None, data=None, timeout=None, **options):
        return await self.request("HEAD", url, params, headers, json, data, timeout, **options)

    def headers(self, accept=None, extra=None, **_ignored) -> dict:
        """``{"headers": {...}}`` for ``**http.headers(accept="json", extra={...})`` (older skills' helper)."""
        kinds = {"json": "application/json", "html": "text/html,application/xhtml+xml,*/*;q=0.8", "any": "*/*"}
        merged = {"Accept": kinds.get(accept, accept)} if accept else {}
        merged.update(extra or {})
        return {"headers": merged}

    def build_url(self, base, params=None) -> str:
        """``url.build`` under the name older skills use (``http.build_url``)."""
        from agentos._url import url

        return url.build(base, params)

    def current(self) -> dict:
        """The running tool's connection: ``{name, base_url, jar}`` (also as attributes; ``jar`` is None without one)."""
        return _jar.Current(name=_connection.current(), base_url=_connection.base_url(), jar=_jar.current())

    def cookie(self, name, default=None):
        """The value of cookie ``name`` in the call's jar (a placeholder unless the skill sees real values)."""
        jar = _jar.current()
        return jar.get(name, default) if jar is not None else default

    def __repr__(self) -> str:
        return "agentos.client"


client = Client()
