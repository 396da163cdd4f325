"""The call's cookie jar as the skill sees it: ``client.cookie(name)`` and ``client.current().jar``.

The engine owns the real jar (it stores every ``Set-Cookie``, sends cookies
back and writes changes to the vault). The worker keeps the copy the engine
sends with the call and with each response: values are placeholders unless
the skill may see real values.
"""


class Cookie:
    """One cookie: ``name, value, domain, path, expires`` (unix s), ``secure, http_only, same_site``."""

    __slots__ = ("name", "value", "domain", "path", "expires", "secure", "http_only", "same_site")

    def __init__(self, record: dict):
        self.name = str(record.get("name", ""))
        self.value = str(record.get("value", ""))
        self.domain = str(record.get("domain", ""))
        self.path = str(record.get("path", "/"))
        self.expires = record.get("expires")
        self.secure = bool(record.get("secure"))
        self.http_only = bool(record.get("httpOnly", record.get("http_only")))
        self.same_site = record.get("sameSite", record.get("same_site"))

    def __getitem__(self, key):
        return getattr(self, key)

    def get(self, key, default=None):
        return getattr(self, key, default)

    def __repr__(self) -> str:
        return f"Cookie({self.name!r}, domain={self.domain!r}, path={self.path!r})"


class Jar:
    """The cookies of the running call, newest last."""

    def __init__(self, records=()):
        self.cookies = [Cookie(r) for r in records if isinstance(r, dict)]

    def get(self, name, default=None):
        """The value of the last cookie named ``name``."""
        for cookie in reversed(self.cookies):
            if cookie.name == name:
                return cookie.value
        return default

    def __iter__(self):
        return iter(self.cookies)

    def __len__(self) -> int:
        return len(self.cookies)

    def __repr__(self) -> str:
        return f"Jar({len(self.cookies)} cookies)"


_jar = None


def update(records) -> None:
    """Replace the copy with what the engine sent (None: the call has no jar)."""
    global _jar
    _jar = Jar(records) if isinstance(records, list) else None


def current():
    """The call's jar, or None for a call without one (``api`` clients)."""
    return _jar


class Current(dict):
    """``client.current()``: the running tool's connection, readable as a dict or by attribute."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None
