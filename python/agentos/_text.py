"""Text cleaning and number parsing for scraped values."""

_SENTINELS = frozenset({"n/a", "na", "none", "null", "undefined", "unknown", "-", "\u2014", "\u2013"})
_SENTINEL_PHRASES = ("no description", "not available", "not specified", "not provided", "no data", "no information")
_patterns = None


def _re():
    """``(re, tag, br, p_end)``: the ``re`` module and this module's patterns, compiled on first use.

    ``re`` (with ``enum``, which it imports) costs a worker ~5 ms; only a
    tool that needs a pattern pays for it.
    """
    global _patterns
    if _patterns is None:
        import re

        _patterns = (re, re.compile(r"<[^>]+>"), re.compile(r"<br\s*/?>", re.I), re.compile(r"</p\s*>", re.I))
    return _patterns


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    import html

    return html.unescape(text)


def strip_tags(value):
    """Remove HTML tags and decode entities; no whitespace changes. None/empty → None."""
    if value is None:
        return None
    tag = _re()[1]
    text = _unescape(tag.sub("", str(value))).strip()
    return text or None


def clean_text(value):
    """Decode HTML entities and collapse whitespace to single spaces. None/empty → None."""
    if value is None:
        return None
    text = " ".join(_unescape(str(value)).split())
    return text or None


def clean_html(value):
    """HTML to plain text keeping paragraphs: ``<br>`` → newline, ``</p>`` → blank line."""
    if value is None:
        return None
    re, tag, br, p_end = _re()
    text = p_end.sub("\n\n", br.sub("\n", str(value)))
    text = _unescape(tag.sub("", text))
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text or None


def parse_int(value):
    """Integer from a scraped value, by the reference SDK's rules (published skills rely on them).

    An int passes through (a bool too). A number followed by K or M is scaled
    (``"2.5K"`` → 2500, ``"1.2M"`` → 1200000). Otherwise every digit is kept,
    in order, and everything else dropped: ``"1,234"`` → 1234, ``"495 reviews"``
    → 495, but also ``"-7"`` → 7, ``"1.5"`` → 15 and ``"5 out of 10"`` → 510.
    No digit → None.
    """
    if value is None:
        return None
    if isinstance(value, int):
        return value
    re = _re()[0]
    text = str(value).strip()
    match = re.fullmatch(r"([\d.]+)\s*([KkMm])", text)
    if match:
        try:
            scale = 1_000 if match.group(2) in "Kk" else 1_000_000
            return int(float(match.group(1)) * scale)
        except ValueError:  # "1.2.3K": the reference raises; the digits rule is kinder
            pass
    digits = re.sub(r"\D", "", text)
    return int(digits) if digits else None


def parse_float(value):
    """Float from a scraped value, by the reference SDK's rules.

    Numbers pass through. Otherwise digits and dots are kept, in order, and
    everything else dropped: ``"$1,299.00"`` → 1299.0, ``"-3.5"`` → 3.5, and
    ``"4.5 out of 5"`` → 4.55. None when what is left is not a number.
    """
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    kept = _re()[0].sub(r"[^\d.]", "", str(value))
    try:
        return float(kept)
    except ValueError:
        return None


def molt(value, as_type=None):
    """Clean a scraped value, optionally converting it (``int``, ``float``, ``"date"``, ``str``).

    Text loses tags, entities and extra whitespace; placeholders such as
    ``"N/A"`` become None.
    """
    if value is None:
        return None
    if as_type in (int, "int", "integer"):
        return parse_int(value)
    if as_type in (float, "float", "number"):
        return parse_float(value)
    if as_type in ("date", "datetime"):
        from agentos import _dates

        if isinstance(value, (int, float)):
            return _dates.iso_from_ms(value) if value > 1e12 else _dates.iso_from_seconds(value)
        return _dates.parse_date(str(value)) if value else None
    if not isinstance(value, str):
        return str(value) if as_type in (str, "str", "string") else value
    if "<" in value:
        _, tag, br, _ = _re()
        value = br.sub(" ", tag.sub("", value))
    text = clean_text(value)
    if text is None or text.lower() in _SENTINELS:
        return None
    lowered = text.lower()
    return None if any(phrase in lowered for phrase in _SENTINEL_PHRASES) else text
