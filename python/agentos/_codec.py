"""JSON for the wire without importing ``json``.

``import json`` costs a fresh worker about 7 ms, nearly all of it ``re`` and
``enum`` pulled in by ``json.decoder`` and ``json.encoder`` for their pure
Python fallbacks. ``json`` itself parses and encodes with the C accelerator
``_json``; this module drives that accelerator directly, configured exactly
as ``json.loads`` and ``json.dumps`` configure it, so it produces the same
values and the same text. Anything unusual (a parse error, bytes that are not
plain UTF-8, a Python without ``_json``) is handed to the real ``json``, so
errors read exactly as ``json``'s own.

Skill code is unaffected: ``import json`` in a skill loads the standard module
as before.
"""

try:
    import _json
except ImportError:  # pragma: no cover — every CPython build ships it
    _json = None

_WHITESPACE = " \t\n\r"
# Bytes json.detect_encoding reads as something other than plain UTF-8 (BOMs).
_NOT_PLAIN_UTF8 = frozenset(b"\x00\xef\xfe\xff")


class _Context:
    """The attributes ``_json.make_scanner`` reads, set as ``json.JSONDecoder()`` sets them."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


_scan_once = _json.make_scanner(_Context()) if _json is not None else None

_INVALID = object()


def _scan(text):
    """The value ``text`` holds, or ``_INVALID`` when ``json.loads`` would raise."""
    if not text or text[0] == "\ufeff":
        return _INVALID
    start = len(text) - len(text.lstrip(_WHITESPACE))
    try:
        value, end = _scan_once(text, start)
    except (StopIteration, ValueError, SystemError):
        # SystemError: on a syntax error _json raises json.decoder.JSONDecodeError,
        # which it looks up in sys.modules; before json is imported (3.11) it
        # has nothing to raise.
        return _INVALID
    # The value's last character is never whitespace, so the rest is all
    # whitespace exactly when stripping it leaves the value's end.
    if len(text.rstrip(_WHITESPACE)) != end:
        return _INVALID
    return value


def _text(data):
    """``data`` as text, decoded as ``json.loads`` would; None when it would pick another codec."""
    if isinstance(data, str):
        return data
    if not isinstance(data, (bytes, bytearray)):
        return None
    if data[:1] and data[0] in _NOT_PLAIN_UTF8 or data[1:2] == b"\x00":
        return None
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None


def loads(data):
    """``json.loads(data)`` for ``str`` or ``bytes``: the same value, or the same exception."""
    if _scan_once is not None:
        text = _text(data)
        if text is not None:
            value = _scan(text)
            if value is not _INVALID:
                return value
    import json  # a malformed document: let json say exactly what is wrong

    return json.loads(data)


def parse(text: str, default=None):
    """The value the JSON document ``text`` holds, or ``default`` where ``json.loads`` raises ValueError.

    Unlike ``loads``, an invalid document costs no import of ``json``.
    """
    if _scan_once is None:
        import json

        try:
            return json.loads(text)
        except ValueError:
            return default
    value = _scan(text)
    return default if value is _INVALID else value


def dumps(value, *, ensure_ascii: bool = True, allow_nan: bool = True, compact: bool = False, default=None) -> str:
    """``json.dumps(value, ensure_ascii=, allow_nan=, default=)``; ``compact`` means ``separators=(",", ":")``.

    The same text ``json.dumps`` gives: it uses the same C encoder.
    """
    if _json is None:
        import json

        separators = (",", ":") if compact else None
        return json.dumps(value, ensure_ascii=ensure_ascii, allow_nan=allow_nan, separators=separators,
                          default=default)
    quote = _json.encode_basestring_ascii if ensure_ascii else _json.encode_basestring
    if isinstance(value, str):
        return quote(value)
    if default is None:
        default = _no_default
    item_separator, key_separator = (",", ":") if compact else (", ", ": ")
    encoder = _json.make_encoder({}, default, quote, None, key_separator, item_separator, False, False, allow_nan)
    return "".join(encoder(value, 0))


def _no_default(value):
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")
