"""``url``: URL string helpers (no network)."""

_MULTI_PART_SUFFIXES = frozenset({
    "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "co.jp", "ne.jp", "or.jp", "ac.jp", "co.kr", "co.nz",
    "org.nz", "net.nz", "co.za", "org.za", "co.in", "co.il", "com.au", "net.au", "org.au", "gov.au",
    "com.br", "org.br", "com.mx", "com.cn", "com.tw", "com.hk", "com.sg", "com.my", "com.ar", "com.tr",
    "com.pe", "com.ph",
})


class ParsedURL:
    """A URL's parts; ``query`` is a dict (repeated keys become lists)."""

    __slots__ = ("scheme", "host", "path", "query", "fragment")

    def __init__(self, scheme, host, path, query, fragment):
        self.scheme, self.host, self.path, self.query, self.fragment = scheme, host, path, query, fragment

    def __repr__(self) -> str:
        return (f"ParsedURL(scheme={self.scheme!r}, host={self.host!r}, path={self.path!r}, "
                f"query={self.query!r}, fragment={self.fragment!r})")


class _Url:
    def build(self, base, params=None) -> str:
        """``base`` with ``params`` appended as a query (None values skipped, lists repeat the key)."""
        items = {k: v for k, v in (params or {}).items() if v is not None}
        if not items:
            return str(base)
        from urllib.parse import urlencode

        return f"{base}{'&' if '?' in str(base) else '?'}{urlencode(items, doseq=True)}"

    def parse(self, value) -> ParsedURL:
        """Split a URL; single-valued query keys map to strings."""
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(str(value))
        query = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        return ParsedURL(parts.scheme, parts.netloc, parts.path, query, parts.fragment)

    def encode(self, value) -> str:
        """Percent-encode one path segment (``/`` included)."""
        from urllib.parse import quote

        return quote(str(value), safe="")

    def decode(self, value) -> str:
        """Percent-decode."""
        from urllib.parse import unquote

        return unquote(str(value))

    def registrable(self, host) -> str:
        """The registrable domain (eTLD+1): ``"portal.aws.amazon.com"`` → ``"amazon.com"``."""
        name = str(host).strip().lower().lstrip(".")
        if "://" in name:
            name = name.split("://", 1)[1]
        name = name.split("/", 1)[0].rsplit("@", 1)[-1]
        if name.startswith("["):
            return name
        name = name.split(":", 1)[0].rstrip(".")
        labels = name.split(".")
        if len(labels) < 2 or all(label.isdigit() for label in labels):
            return name
        keep = 3 if ".".join(labels[-2:]) in _MULTI_PART_SUFFIXES and len(labels) >= 3 else 2
        return ".".join(labels[-keep:])

    def same_site(self, a, b) -> bool:
        """Whether two hosts share a registrable domain."""
        return self.registrable(a) == self.registrable(b)

    def __repr__(self) -> str:
        return "agentos.url"


url = _Url()
